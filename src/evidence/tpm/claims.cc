#include "evidence/tpm/claims.h"

#include <string>

#include "base/byte_writer.h"

namespace vouch::tpm {

claims::ClaimSet to_claims(const VerifiedQuote& quote) {
  claims::ClaimSet out;
  const Attest& a = quote.attest();

  out.set("tpm.ak.trust", quote.ak_chain().empty() ? "pinned" : "certificate");
  out.set("tpm.ak.spki", quote.ak().key.spki_der());
  if (quote.ak().tpm_public) {
    if (auto name = object_name(*quote.ak().tpm_public)) {
      out.set("tpm.ak.name", std::move(*name));
    }
  }
  if (!quote.ak_chain().empty()) {
    out.set("tpm.ak.certificate.subject", quote.ak_chain().front().subject());
    out.set("tpm.ak.certificate.issuer", quote.ak_chain().front().issuer());
  }

  out.set("tpm.quote.nonce", a.extra_data);
  out.set("tpm.quote.qualified_signer", a.qualified_signer);
  out.set("tpm.quote.pcr_digest", a.pcr_digest);
  out.set("tpm.quote.signature_scheme", scheme_name(quote.signature()));
  ByteWriter fw;
  fw.u64be(a.firmware_version);
  out.set("tpm.firmware_version", std::move(fw).take());
  // TPM clock values are unsigned 64-bit; a TPM reaches 2^63 ms after 292 million years.
  out.set("tpm.clock", static_cast<std::int64_t>(a.clock_info.clock & 0x7fffffffffffffffull));
  out.set("tpm.clock.reset_count", a.clock_info.reset_count);
  out.set("tpm.clock.restart_count", a.clock_info.restart_count);
  out.set("tpm.clock.safe", a.clock_info.safe);
  if (!a.pcr_select.empty()) {
    out.set("tpm.pcr_bank", std::string(crypto::hash_name(a.pcr_select.front().bank)));
  }

  if (!quote.pcrs().empty()) {
    claims::ClaimMap banks;
    for (const auto& [bank, values] : quote.pcrs()) {
      claims::ClaimMap pcrs;
      for (const auto& [index, digest] : values) {
        pcrs[std::to_string(index)] = digest;
      }
      banks[std::string(crypto::hash_name(bank))] = std::move(pcrs);
    }
    out.set("tpm.pcrs", std::move(banks));
  }
  if (quote.event_log()) {
    eventlog::add_claims(*quote.event_log(), out);
  }
  return out;
}

}  // namespace vouch::tpm
