#include "evidence/tdx/verify.h"

#include <string>

#include "base/encoding.h"
#include "evidence/tdx/check_ids.h"
#include "evidence/tpm/eventlog/eventlog.h"

namespace vouch::tdx {

Result<RtmrReplay> replay_ccel(ByteSpan ccel, const std::array<dcap::Mr48, 4>& rtmrs) {
  VOUCH_TRY(tpm::eventlog::Replay replay,
            tpm::eventlog::replay(ccel, {.allow_trailing_padding = true}));
  const auto bank = replay.banks.find(crypto::HashAlg::kSha384);
  if (bank == replay.banks.end()) {
    return rejected(checks::kCcelBank, "the CCEL has no SHA-384 digests");
  }
  RtmrReplay out;
  out.num_events = replay.num_events;
  for (std::uint32_t i = 0; i < rtmrs.size(); ++i) {
    const auto value = bank->second.find(i + 1);  // MR index 1..4 = RTMR0..3
    if (value == bank->second.end()) {
      bool zero = true;
      for (std::uint8_t b : rtmrs[i]) {
        zero = zero && b == 0;
      }
      (zero ? out.verified : out.not_covered).push_back(i);
      continue;
    }
    if (!equal_bytes(value->second, rtmrs[i])) {
      return rejected(checks::kCcelRtmr, "RTMR" + std::to_string(i) + " replays to " +
                                             hex_encode(value->second) + ", the quote has " +
                                             hex_encode(rtmrs[i]));
    }
    out.verified.push_back(i);
  }
  return out;
}

Result<VerifiedQuote> verify_quote(const dcap::Verifier& verifier, const TdxEvidence& evidence,
                                   const dcap::QuoteCollateral& collateral,
                                   const dcap::VerifyOptions& options, evidence::CheckLog& log) {
  VOUCH_TRY(dcap::VerifiedQuote q,
            verifier.verify(evidence.quote, dcap::TeeKind::kTdx, collateral, options, log));
  VerifiedQuote out(std::move(q));
  if (!evidence.ccel) {
    log.skip(checks::kCcelReplay, "no CCEL supplied");
    return out;
  }
  auto replay = replay_ccel(*evidence.ccel, out.report().rtmr);
  if (!replay) {
    return tl::unexpected(log.fail(std::move(replay).error()));
  }
  std::string detail = "RTMRs verified:";
  for (std::uint32_t i : replay->verified) {
    detail += " " + std::to_string(i);
  }
  log.pass(checks::kCcelReplay, detail);
  out.replay_ = std::move(*replay);
  return out;
}

}  // namespace vouch::tdx
