#include "evidence/tpm/verify.h"

#include <array>
#include <string>

#include "base/encoding.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/constants.h"

namespace vouch::tpm {
namespace {

// The steps of a quote verification, in order; a report lists each one.
constexpr std::array kPlan = {
    checks::kAttestParse,     checks::kAttestType,         checks::kSignatureParse,
    checks::kAkAttributes,    checks::kAkCertificateChain, checks::kAttestMagic,
    checks::kSignatureScheme, checks::kQuoteSignature,     checks::kQuoteNonce,
    checks::kQuotePcrDigest,  checks::kEventLog,
};

std::string hex_or_empty(ByteSpan b) {
  return b.empty() ? "(empty)" : hex_encode(b);
}

// An AK must be a restricted signing key that never leaves its TPM: a restricted key only signs
// digests the TPM computed itself, which is what makes TPM_GENERATED_VALUE meaningful.
Status check_ak_attributes(const Public& pub) {
  const std::uint32_t a = pub.object_attributes;
  std::string missing;
  if ((a & attr::kSign) == 0) {
    missing += " sign";
  }
  if ((a & attr::kRestricted) == 0) {
    missing += " restricted";
  }
  if ((a & attr::kFixedTpm) == 0) {
    missing += " fixedTPM";
  }
  if (!missing.empty()) {
    return rejected(checks::kAkAttributes, "the AK lacks the attributes:" + missing);
  }
  if ((a & attr::kDecrypt) != 0) {
    return rejected(checks::kAkAttributes, "the AK is also a decryption key");
  }
  return ok();
}

Result<std::vector<crypto::Certificate>> check_ak_certificate(const Ak& ak,
                                                              const AkCertificate& trust,
                                                              Timestamp at) {
  if (trust.anchors == nullptr) {
    return rejected(checks::kAkCertificateChain,
                    "no trust anchors configured for the AK certificate");
  }
  crypto::ChainOptions opts;
  opts.at = at;
  opts.intermediates = trust.intermediates;
  VOUCH_TRY(auto chain, crypto::verify_chain(trust.certificate, *trust.anchors, opts)
                            .map_error(retag(checks::kAkCertificateChain)));
  auto cert_key = trust.certificate.public_key();
  if (!cert_key || !cert_key->equals(ak.key)) {
    return rejected(checks::kAkCertificateKey,
                    "the AK certificate certifies a different key than the AK");
  }
  return chain;
}

// The signature must be of a kind the AK can make; when the AK's public area fixes a scheme, the
// TPM only signs with that scheme and digest.
Status check_scheme(const Ak& ak, const Signature& sig) {
  const bool rsa_sig = sig.scheme() != crypto::SigScheme::kEcdsa;
  const bool rsa_key = ak.key.type() == crypto::KeyType::kRsa;
  if (rsa_sig != rsa_key || (!rsa_key && ak.key.type() != crypto::KeyType::kEc)) {
    return rejected(checks::kSignatureScheme,
                    "a " + scheme_name(sig) + " signature cannot come from this AK's key type");
  }
  if (!ak.tpm_public) {
    return ok();
  }
  std::uint16_t scheme = alg::kNull;
  std::uint16_t scheme_hash = 0;
  if (const auto* rsa = std::get_if<RsaParms>(&ak.tpm_public->parameters)) {
    scheme = rsa->scheme;
    scheme_hash = rsa->scheme_hash;
  } else {
    const auto& ecc = std::get<EccParms>(ak.tpm_public->parameters);
    scheme = ecc.scheme;
    scheme_hash = ecc.scheme_hash;
  }
  if (scheme != alg::kNull && (scheme != sig.sig_alg || scheme_hash != tpm_alg_id(sig.hash))) {
    return rejected(checks::kSignatureScheme,
                    "the AK is restricted to another scheme than " + scheme_name(sig));
  }
  return ok();
}

Status check_signature(const Ak& ak, const Signature& sig, ByteSpan signed_bytes) {
  Bytes value = sig.rsa;
  if (sig.scheme() == crypto::SigScheme::kEcdsa) {
    VOUCH_TRY(value, crypto::ecdsa_rs_to_der(sig.ecdsa_r, sig.ecdsa_s)
                         .map_error(retag(checks::kQuoteSignature)));
  }
  auto verified = crypto::verify_signature(ak.key, sig.scheme(), sig.hash, signed_bytes, value);
  if (!verified) {
    return rejected(
        checks::kQuoteSignature,
        "the " + scheme_name(sig) + " signature over TPMS_ATTEST does not verify with the AK");
  }
  return ok();
}

Status check_nonce(const Attest& attest, ByteSpan expected) {
  if (!equal_bytes(attest.extra_data, expected)) {
    return rejected(checks::kQuoteNonce, "extraData is " + hex_or_empty(attest.extra_data) +
                                             ", expected " + hex_or_empty(expected));
  }
  return ok();
}

}  // namespace

Result<Bytes> compute_pcr_digest(crypto::HashAlg hash, const std::vector<PcrSelection>& selection,
                                 const PcrValues& values) {
  crypto::Hasher h(hash);
  for (const PcrSelection& sel : selection) {
    const auto bank = values.find(sel.bank);
    for (std::uint32_t pcr : sel.pcrs) {
      const std::string where =
          std::string(crypto::hash_name(sel.bank)) + " PCR " + std::to_string(pcr);
      if (bank == values.end()) {
        return rejected(checks::kPcrsMissing, "the quote selects " + where + " but no " +
                                                  std::string(crypto::hash_name(sel.bank)) +
                                                  " PCR values were supplied");
      }
      const auto value = bank->second.find(pcr);
      if (value == bank->second.end()) {
        return rejected(checks::kPcrsMissing,
                        "the quote selects " + where + " but its value was not supplied");
      }
      if (value->second.size() != crypto::digest_size(sel.bank)) {
        return rejected(checks::kPcrsMissing,
                        where + " has " + std::to_string(value->second.size()) +
                            " bytes, expected " + std::to_string(crypto::digest_size(sel.bank)));
      }
      h.update(value->second);
    }
  }
  return h.finish();
}

Result<VerifiedQuote> verify_quote(const Ak& ak, const QuoteEvidence& evidence,
                                   const QuoteVerifyOptions& options, evidence::CheckLog& log) {
  evidence::CheckSteps steps(log, kPlan);
  VerifiedQuote out(ak);

  VOUCH_TRY(auto parsed, steps.check(checks::kAttestParse, parse_attest_any(evidence.quote)));
  const Bytes signed_bytes = std::move(parsed.second);
  out.attest_ = std::move(parsed.first);
  const Attest& attest = out.attest_;
  steps.pass(checks::kAttestType, "TPM_ST_ATTEST_QUOTE");

  VOUCH_TRY(out.signature_,
            steps.check(checks::kSignatureParse, parse_signature(evidence.signature)));
  const Signature& sig = out.signature_;

  if (ak.tpm_public) {
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kAkAttributes, check_ak_attributes(*ak.tpm_public),
                                      "restricted, fixedTPM signing key"));
  } else {
    steps.skip(checks::kAkAttributes,
               "the AK was given as a bare public key, so its TPM attributes are unknown");
  }

  if (options.ak_certificate) {
    VOUCH_TRY(out.ak_chain_,
              steps.check(checks::kAkCertificateChain,
                          check_ak_certificate(ak, *options.ak_certificate, options.at),
                          "chains to a trust anchor at " + format_rfc3339(options.at)));
  } else {
    steps.pass(checks::kAkCertificateChain, "no certificate: the AK is pinned by the caller");
  }

  const Status magic =
      attest.magic == kTpmGeneratedValue
          ? ok()
          : Status(rejected(checks::kAttestMagic, "TPMS_ATTEST.magic is not TPM_GENERATED_VALUE"));
  VOUCH_RETURN_IF_ERROR(steps.check(checks::kAttestMagic, magic, "TPM_GENERATED_VALUE"));

  VOUCH_RETURN_IF_ERROR(
      steps.check(checks::kSignatureScheme, check_scheme(ak, sig), scheme_name(sig)));
  VOUCH_RETURN_IF_ERROR(
      steps.check(checks::kQuoteSignature, check_signature(ak, sig, signed_bytes)));
  VOUCH_RETURN_IF_ERROR(
      steps.check(checks::kQuoteNonce, check_nonce(attest, options.expected_nonce),
                  options.expected_nonce.empty() ? "no nonce expected; extraData empty"
                                                 : "extraData equals the nonce"));

  if (evidence.pcrs) {
    auto digest = compute_pcr_digest(sig.hash, attest.pcr_select, *evidence.pcrs);
    Status match = digest.has_value() ? ok() : Status(tl::unexpected(digest.error()));
    if (digest && !equal_bytes(*digest, attest.pcr_digest)) {
      match = rejected(checks::kQuotePcrDigest,
                       "the supplied PCR values hash to " + hex_encode(*digest) +
                           ", the quote's pcrDigest is " + hex_encode(attest.pcr_digest));
    }
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kQuotePcrDigest, std::move(match),
                                      "supplied PCR values match pcrDigest"));
    for (const PcrSelection& sel : attest.pcr_select) {
      auto& bank = out.pcrs_[sel.bank];
      for (std::uint32_t pcr : sel.pcrs) {
        bank[pcr] = evidence.pcrs->at(sel.bank).at(pcr);
      }
    }
  } else {
    steps.skip(checks::kQuotePcrDigest, "no PCR values supplied: PCR contents are not claimed");
  }

  if (!evidence.event_log) {
    steps.skip(checks::kEventLog, "no event log supplied");
  } else if (out.pcrs_.empty()) {
    steps.skip(checks::kEventLog, "no verified PCR values to replay the event log against");
  } else {
    // The first selected bank is the primary one; the log must explain every quoted bank it has.
    const crypto::HashAlg primary = attest.pcr_select.front().bank;
    VOUCH_TRY(out.event_log_, steps.check(checks::kEventLog,
                                          eventlog::verify_against_quote(
                                              *evidence.event_log, primary, out.pcrs_.at(primary)),
                                          "replay matches the quoted " +
                                              std::string(crypto::hash_name(primary)) + " PCRs"));
  }
  return out;
}

}  // namespace vouch::tpm
