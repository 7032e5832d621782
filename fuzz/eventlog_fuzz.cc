// fuzz_eventlog: replay() with strict and padded framing, and verify_against_quote() both with a
// fixed quoted bank (mismatch paths) and with the log's own replay as the quote (so the separator,
// secure boot and claims paths run too). Invariants checked:
// - a log that replays strictly replays identically with padding allowed;
// - verifying against the log's own replay never reports a PCR mismatch.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "claims/claim_set.h"
#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/eventlog.h"

namespace el = ::vouch::tpm::eventlog;

namespace {

const el::PcrBank& fixed_quote() {
  static const el::PcrBank kQuote = [] {
    el::PcrBank q;
    for (std::uint32_t pcr = 0; pcr < 10; ++pcr) {
      q[pcr] = vouch::Bytes(32, static_cast<std::uint8_t>(pcr));
    }
    return q;
  }();
  return kQuote;
}

void verify_and_claim(vouch::ByteSpan log, vouch::crypto::HashAlg bank, const el::PcrBank& q,
                      bool must_match) {
  auto v = el::verify_against_quote(log, bank, q);
  if (v) {
    vouch::claims::ClaimSet claims;
    el::add_claims(*v, claims);
  } else if (must_match && v.error().check == el::checks::kPcrMismatch) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan log(data, size);
  auto strict = el::replay(log);
  auto padded = el::replay(log, {.allow_trailing_padding = true});
  if (strict) {
    if (!padded || padded->banks != strict->banks || padded->num_events != strict->num_events) {
      std::abort();
    }
    for (const auto& [bank, values] : strict->banks) {
      verify_and_claim(log, bank, values, /*must_match=*/true);
    }
  }
  verify_and_claim(log, vouch::crypto::HashAlg::kSha256, fixed_quote(), /*must_match=*/false);
  return 0;
}
