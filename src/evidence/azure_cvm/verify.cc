#include "evidence/azure_cvm/verify.h"

#include <array>
#include <limits>
#include <string>

#include "base/byte_writer.h"
#include "base/encoding.h"
#include "base/json_depth.h"
#include "base/json_parse.h"
#include "crypto/jwk.h"
#include "evidence/azure_cvm/check_ids.h"
#include "evidence/azure_cvm/td_report.h"
#include "evidence/sevsnp/claims.h"
#include "evidence/tdx/claims.h"
#include "evidence/tpm/claims.h"
#include "evidence/tpm/constants.h"

namespace vouch::azure_cvm {
namespace {

using nlohmann::json;

constexpr std::array kPlan = {checks::kHclParse, checks::kHclReportType, checks::kHardwareReport,
                              checks::kRuntimeClaims, checks::kVtpmQuote};

Error quote_format(std::string detail) {
  return Error{ErrorKind::kMalformedEvidence, checks::kTpmQuoteFormat, std::move(detail)};
}

Result<Bytes> bytes_member(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) {
    return fail(quote_format(std::string("missing '") + name + "'"));
  }
  if (it->is_string()) {
    auto b = hex_decode(it->get<std::string>());
    if (!b) {
      return fail(quote_format(std::string("'") + name + "' is not hex"));
    }
    return std::move(*b);
  }
  return [&]() -> Result<Bytes> {
    if (!it->is_array()) {
      return fail(quote_format(std::string("'") + name + "' is neither hex nor a byte array"));
    }
    Bytes out;
    for (const json& e : *it) {
      if (!e.is_number_unsigned() || e.get<std::uint64_t>() > 255) {
        return fail(quote_format(std::string("'") + name + "' holds a non-byte value"));
      }
      out.push_back(static_cast<std::uint8_t>(e.get<std::uint64_t>()));
    }
    return out;
  }();
}

Result<crypto::PublicKey> find_ak(const json& runtime) {
  const auto keys = runtime.find("keys");
  if (keys == runtime.end() || !keys->is_array()) {
    return rejected(checks::kRuntimeClaims, "the runtime claims have no 'keys' array");
  }
  for (const json& k : *keys) {
    const auto kid = k.is_object() ? k.find("kid") : k.end();
    if (k.is_object() && kid != k.end() && kid->is_string() && *kid == "HCLAkPub") {
      return crypto::public_key_from_jwk(k).map_error(retag(checks::kRuntimeClaims));
    }
  }
  return rejected(checks::kRuntimeClaims, "the runtime claims have no HCLAkPub key");
}

// TDX: the TD quote verified through DCAP, its TD report body equal to the HCL's TDREPORT (when
// one was sent) and its REPORT_DATA equal to `expected`.
Result<tdx::VerifiedQuote> verify_tdx(const HardwareRoots& roots, const CvmParts& parts,
                                      const Bytes& expected, Timestamp at,
                                      evidence::CheckLog& log) {
  if (!parts.td_quote) {
    return rejected(checks::kTdQuoteMissing,
                    "a TDX TDREPORT cannot be verified outside its TD: the TD quote for it is "
                    "required");
  }
  std::optional<dcap::Td10Report> tdreport;
  if (!parts.hcl.hw_report.empty()) {
    VOUCH_TRY(tdreport, td_report_body(parts.hcl.hw_report));
  }
  if (roots.dcap == nullptr || roots.tdx_collateral == nullptr) {
    return fail(ErrorKind::kCollateralUnavailable, checks::kTdxNoVerifier,
                "no DCAP verifier or Intel collateral is configured for TDX evidence");
  }
  dcap::VerifyOptions options = roots.tdx_options;
  options.at = at;
  VOUCH_TRY(tdx::VerifiedQuote quote,
            tdx::verify_quote(*roots.dcap, tdx::TdxEvidence{*parts.td_quote, std::nullopt},
                              *roots.tdx_collateral, options, log));
  if (tdreport) {
    const std::string field = first_difference(quote.report(), *tdreport);
    if (!field.empty()) {
      return rejected(checks::kTdReportMismatch,
                      "the TD quote's " + field + " differs from the HCL report's TDREPORT");
    }
  }
  if (!std::equal(expected.begin(), expected.end(), quote.report().report_data.begin(),
                  quote.report().report_data.end())) {
    return rejected(checks::kTdxReportData, "the TD quote's REPORT_DATA is not " +
                                                std::string(crypto::hash_name(parts.hcl.hash)) +
                                                "(runtime claims) zero padded: expected " +
                                                hex_encode(expected) + ", got " +
                                                hex_encode(quote.report().report_data));
  }
  return quote;
}

}  // namespace

Result<TpmQuote> parse_tpm_quote_json(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(quote_format("the TPM quote is not a JSON object"));
  }
  TpmQuote q;
  VOUCH_TRY(q.message, bytes_member(j, "message"));
  VOUCH_TRY(q.signature, bytes_member(j, "signature"));
  if (q.signature.size() > kMaxRawSignature) {
    return fail(
        quote_format("'signature' is longer than " + std::to_string(kMaxRawSignature) + " bytes"));
  }
  const auto pcrs = j.find("pcrs");
  if (pcrs == j.end() || !pcrs->is_array() || pcrs->size() > 24) {
    return fail(quote_format("'pcrs' is not an array of at most 24 PCR values"));
  }
  for (std::size_t i = 0; i < pcrs->size(); ++i) {
    json holder = {{"pcr", (*pcrs)[i]}};
    VOUCH_TRY(Bytes v, bytes_member(holder, "pcr"));
    if (v.size() != 32) {
      return fail(quote_format("PCR " + std::to_string(i) + " is not a SHA-256 value"));
    }
    q.pcrs.push_back(std::move(v));
  }
  return q;
}

Result<claims::ClaimValue> json_to_claim(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      claims::ClaimMap m;
      for (auto it = j.begin(); it != j.end(); ++it) {
        VOUCH_TRY(m[it.key()], json_to_claim(it.value()));
      }
      return claims::ClaimValue(std::move(m));
    }
    case json::value_t::array: {
      claims::ClaimList l;
      for (const json& e : j) {
        VOUCH_TRY(claims::ClaimValue v, json_to_claim(e));
        l.push_back(std::move(v));
      }
      return claims::ClaimValue(std::move(l));
    }
    case json::value_t::string:
      return claims::ClaimValue(j.get<std::string>());
    case json::value_t::boolean:
      return claims::ClaimValue(j.get<bool>());
    case json::value_t::number_integer:
      return claims::ClaimValue(j.get<std::int64_t>());
    case json::value_t::number_unsigned:
      if (j.get<std::uint64_t>() <=
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return claims::ClaimValue(static_cast<std::int64_t>(j.get<std::uint64_t>()));
      }
      break;
    case json::value_t::null:
    case json::value_t::number_float:
    case json::value_t::binary:
    case json::value_t::discarded:
      break;
  }
  return rejected(checks::kRuntimeClaims,
                  "the runtime claims hold a value no claim type represents: " + j.dump());
}

VtpmQuote to_vtpm_quote(const TpmQuote& quote, std::optional<ByteSpan> event_log) {
  VtpmQuote out;
  out.attest = quote.message;
  out.signature = raw_rsassa_signature(quote.signature);
  for (std::size_t i = 0; i < quote.pcrs.size(); ++i) {
    out.pcrs[crypto::HashAlg::kSha256][static_cast<std::uint32_t>(i)] = quote.pcrs[i];
  }
  out.event_log = event_log;
  return out;
}

Bytes raw_rsassa_signature(ByteSpan signature) {
  // The parsers cap signatures at kMaxRawSignature; a longer one (a caller that skipped them) is
  // cut, which fails verification, rather than overflowing the 16-bit size.
  ByteWriter sig;
  sig.u16be(tpm::alg::kRsassa)
      .u16be(tpm::alg::kSha256)
      .u16be_prefixed(signature.first(std::min(signature.size(), kMaxRawSignature)));
  return std::move(sig).take();
}

Result<VerifiedAzureCvm> verify_parts(const HardwareRoots& roots, const CvmParts& parts,
                                      Timestamp at, sevsnp::RevocationMode revocation,
                                      std::string_view source, evidence::CheckLog& log) {
  evidence::CheckSteps steps(log, kPlan);
  VerifiedAzureCvm out;
  out.hcl_ = parts.hcl;
  steps.pass(checks::kHclParse, std::string(source));
  const bool tdx = out.hcl_.report_type == HwReportType::kTdx;
  steps.pass(checks::kHclReportType, tdx ? "TDX" : "SEV-SNP");

  // The hardware report must carry H(runtime claims) as its REPORT_DATA, exactly.
  const Bytes expected = expected_report_data(out.hcl_);
  if (tdx) {
    VOUCH_RETURN_IF_ERROR(steps.check(
        checks::kHardwareReport,
        verify_tdx(roots, parts, expected, at, log).map([&](tdx::VerifiedQuote q) {
          out.td_.emplace(std::move(q));
        }),
        std::string("TD quote verified") +
            (out.hcl_.hw_report.empty() ? "" : " and equal to the TDREPORT") + "; REPORT_DATA = " +
            std::string(crypto::hash_name(out.hcl_.hash)) + "(runtime claims)"));
  } else {
    if (roots.snp == nullptr || roots.amd_kds == nullptr) {
      return steps.check(
          checks::kHardwareReport,
          Result<VerifiedAzureCvm>(fail(ErrorKind::kCollateralUnavailable, checks::kHardwareReport,
                                        "no SEV-SNP verifier or VCEK source is configured")));
    }
    const sevsnp::VerifyOptions snp_options{at, sevsnp::ReportDataBinding::exact(expected),
                                            std::nullopt, revocation, std::nullopt};
    auto snp = roots.snp->verify(out.hcl_.hw_report, *roots.amd_kds, snp_options, log);
    if (!snp) {
      return steps.check(checks::kHardwareReport,
                         Result<VerifiedAzureCvm>(tl::unexpected(snp.error())));
    }
    out.snp_ = std::move(*snp);
    steps.pass(checks::kHardwareReport, "SEV-SNP report verified; REPORT_DATA = " +
                                            std::string(crypto::hash_name(out.hcl_.hash)) +
                                            "(runtime claims)");
  }

  const std::string_view text(
      reinterpret_cast<const char*>(out.hcl_.runtime_claims.data()),  // NOLINT
      out.hcl_.runtime_claims.size());
  // The guard every untrusted JSON text gets (depth and NUL bytes), then the shared parser.
  out.runtime_ = refuse_untrusted_json(text) != JsonRefusal::kNone ? json(json::value_t::discarded)
                                                                   : parse_json(text);
  Status runtime_ok = ok();
  if (out.runtime_.is_discarded() || !out.runtime_.is_object()) {
    runtime_ok = rejected(checks::kRuntimeClaims, "the runtime claims are not a JSON object");
  } else if (auto converted = json_to_claim(out.runtime_); !converted) {
    runtime_ok = tl::unexpected(converted.error());
  } else if (auto ak = find_ak(out.runtime_); !ak) {
    runtime_ok = tl::unexpected(ak.error());
  } else {
    out.ak_ = *ak;
  }
  VOUCH_RETURN_IF_ERROR(
      steps.check(checks::kRuntimeClaims, std::move(runtime_ok), "HCLAkPub taken as the vTPM AK"));

  // AzureGuest sends the AK separately: it must be the key the hardware report binds.
  if (parts.aik_spki) {
    Status same = ok();
    if (*parts.aik_spki != out.ak_->spki_der()) {
      same = rejected(checks::kGuestAikPub,
                      "TpmInfo.AikPub is not the HCLAkPub of the runtime claims");
    }
    VOUCH_RETURN_IF_ERROR(
        steps.check(checks::kGuestAikPub, std::move(same), "TpmInfo.AikPub is HCLAkPub"));
  }

  // The vTPM quote, signed by HCLAkPub. Without an expected nonce the quote's own extraData is
  // accepted (and reported, with azure.vtpm.nonce_checked = false).
  Bytes nonce;
  if (parts.expected_nonce) {
    nonce = *parts.expected_nonce;
  } else {
    out.nonce_checked_ = false;
    if (auto a = tpm::parse_attest_any(parts.quote.attest)) {
      nonce = a->first.extra_data;
    }  // a malformed quote fails below with its tpm.attest.* id
  }
  const tpm::QuoteEvidence qe{parts.quote.attest, parts.quote.signature, parts.quote.pcrs,
                              parts.quote.event_log};
  const tpm::QuoteVerifyOptions qo{at, std::move(nonce), std::nullopt};
  auto quote = tpm::verify_quote(tpm::Ak{*out.ak_, std::nullopt}, qe, qo, log);
  if (!quote) {
    return steps.check(checks::kVtpmQuote, Result<VerifiedAzureCvm>(tl::unexpected(quote.error())));
  }
  out.quote_ = std::move(*quote);
  steps.pass(checks::kVtpmQuote, "vTPM quote and PCRs verified with HCLAkPub");
  return out;
}

Result<VerifiedAzureCvm> verify(const HardwareRoots& roots, const AzureCvmEvidence& evidence,
                                const VerifyOptions& options, evidence::CheckLog& log) {
  auto hcl = parse_hcl_report(evidence.hcl_report);
  if (!hcl) {
    evidence::CheckSteps steps(log, kPlan);
    return steps.check(checks::kHclParse, Result<VerifiedAzureCvm>(tl::unexpected(hcl.error())));
  }
  CvmParts parts{std::move(*hcl), evidence.td_quote,
                 to_vtpm_quote(evidence.tpm_quote, evidence.event_log), std::nullopt,
                 options.expected_nonce};
  return verify_parts(roots, parts, options.at, options.revocation, "HCL report", log);
}

Result<VerifiedAzureCvm> verify(const sevsnp::Verifier& snp_verifier,
                                const AzureCvmEvidence& evidence, collateral::AmdKds& kds,
                                const VerifyOptions& options, evidence::CheckLog& log) {
  HardwareRoots roots;
  roots.snp = &snp_verifier;
  roots.amd_kds = &kds;
  return verify(roots, evidence, options, log);
}

claims::ClaimSet to_claims(const VerifiedAzureCvm& v) {
  claims::ClaimSet out;
  // Canonical hardware facts at top level; the Azure Attestation names (x-ms-sevsnpvm-*, or the
  // TDX tdx_* and attester_tcb_status) go inside x-ms-isolation-tee, as MAA does.
  claims::ClaimMap tee;
  if (v.is_tdx()) {
    const claims::ClaimSet td = tdx::to_claims(v.td_quote());
    for (const auto& [name, value] : td.entries()) {
      if (name.starts_with("tdx_") || name == "attester_tcb_status") {
        tee[name] = value;
      } else {
        out.set(name, value);
      }
    }
    tee["x-ms-attestation-type"] = "tdxvm";
  } else {
    const claims::ClaimSet snp = sevsnp::to_claims(v.snp());
    for (const auto& [name, value] : snp.entries()) {
      if (!name.starts_with("x-ms-")) {
        out.set(name, value);
      }
    }
    tee = sevsnp::maa_claims(v.snp());
    tee["x-ms-attestation-type"] = "sevsnpvm";
  }
  const claims::ClaimSet tpm_claims = tpm::to_claims(v.quote());
  for (const auto& [name, value] : tpm_claims.entries()) {
    out.set(name, value);
  }
  claims::ClaimValue runtime = json_to_claim(v.runtime_claims()).value_or(claims::ClaimMap{});
  tee["x-ms-runtime"] = runtime;
  out.set("x-ms-isolation-tee", std::move(tee));
  out.set("azure.runtime", std::move(runtime));
  out.set("azure.hcl.report_type", v.is_tdx() ? "tdx" : "snp");
  out.set("azure.vtpm.nonce_checked", v.nonce_checked());
  out.set("azure.hcl.ak_spki", v.ak().spki_der());
  const auto cfg = v.runtime_claims().find("vm-configuration");
  if (cfg != v.runtime_claims().end() && cfg->is_object()) {
    const auto id = cfg->find("vmUniqueId");
    if (id != cfg->end() && id->is_string()) {
      out.set("azure.vm_id", id->get<std::string>());
      out.set("x-ms-azurevm-vmid", id->get<std::string>());
    }
  }
  claims::ClaimList attested;
  for (const auto& sel : v.quote().attest().pcr_select) {
    for (std::uint32_t pcr : sel.pcrs) {
      attested.emplace_back(static_cast<std::int64_t>(pcr));
    }
  }
  out.set("x-ms-azurevm-attested-pcrs", std::move(attested));
  return out;
}

}  // namespace vouch::azure_cvm
