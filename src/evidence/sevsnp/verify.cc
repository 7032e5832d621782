#include "evidence/sevsnp/verify.h"

#include <algorithm>
#include <array>
#include <string>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/sevsnp/check_ids.h"

namespace vouch::sevsnp {
namespace {

#include "evidence/sevsnp/amd_roots.inc"

using collateral::AmdSource;

// The steps of a report verification, in order; a report lists each one.
constexpr std::array kPlan = {
    checks::kReportParse, checks::kReportSigner, checks::kProduct,         checks::kVekFetch,
    checks::kVekChain,    checks::kVekProfile,   checks::kVekProduct,      checks::kVekTcb,
    checks::kVekHwid,     checks::kRevocation,   checks::kReportSignature, checks::kReportData,
    checks::kHostData,
};

std::string tcb_hex(std::uint64_t v) {
  Bytes be(8);
  for (std::size_t i = 0; i < 8; ++i) {
    be[i] = static_cast<std::uint8_t>(v >> (8 * (7 - i)));
  }
  return hex_encode(be);
}

Result<std::vector<crypto::Certificate>> parse_chain_pem(std::string_view pem) {
  return crypto::Certificate::parse_bundle(as_bytes(pem));
}

// True when `intermediate` verifies under `ark` at a time both are valid. An intermediate that
// does not (a test PKI's stray ASK) stays untrusted and is path-validated on every chain.
bool signed_by_ark(const crypto::Certificate& intermediate, const crypto::Certificate& ark,
                   const crypto::TrustStore& ark_store) {
  crypto::ChainOptions opts;
  opts.at = std::max(intermediate.not_before(), ark.not_before());
  if (opts.at > std::min(intermediate.not_after(), ark.not_after())) {
    return false;
  }
  auto chain = crypto::verify_chain(intermediate, ark_store, opts);
  return chain && chain->size() == 2;
}

}  // namespace

// --- trust anchors ---

Result<TrustAnchors> TrustAnchors::create(const std::vector<ProductRoots>& roots) {
  TrustAnchors out;
  for (const ProductRoots& r : roots) {
    VOUCH_TRY(crypto::TrustStore store, crypto::TrustStore::create({r.ark}));
    std::vector<std::string> cns;
    std::vector<crypto::Certificate> trusted = {r.ark};
    for (const auto& c : r.intermediates) {
      cns.push_back(common_name(c.subject()));
      if (signed_by_ark(c, r.ark, store)) {
        trusted.push_back(c);
      }
    }
    VOUCH_TRY(crypto::TrustStore fast_store, crypto::TrustStore::create(trusted));
    if (!out.entries_
             .emplace(r.product,
                      Entry{r.ark, std::move(store), std::move(fast_store), r.intermediates,
                            common_name(r.ark.subject()), std::move(cns)})
             .second) {
      return fail(
          ErrorKind::kInvalidArgument, checks::kOptions,
          "roots for " + std::string(collateral::amd_product_name(r.product)) + " given twice");
    }
  }
  return out;
}

Result<TrustAnchors> TrustAnchors::amd() {
  struct Builtin {
    AmdProduct product;
    std::string_view vcek_chain;
    std::string_view vlek_chain;
  };
  const Builtin builtins[] = {{AmdProduct::kMilan, kMilanVcekChain, kMilanVlekChain},
                              {AmdProduct::kGenoa, kGenoaVcekChain, kGenoaVlekChain},
                              {AmdProduct::kTurin, kTurinVcekChain, kTurinVlekChain}};
  std::vector<ProductRoots> roots;
  for (const Builtin& b : builtins) {
    VOUCH_TRY(auto vcek, parse_chain_pem(b.vcek_chain));
    VOUCH_TRY(auto vlek, parse_chain_pem(b.vlek_chain));
    if (vcek.size() != 2 || vlek.size() != 2) {
      return fail(ErrorKind::kInternal, checks::kOptions, "built-in AMD chains are corrupt");
    }
    roots.push_back(ProductRoots{b.product, vcek[1], {vcek[0], vlek[0]}});
  }
  return create(roots);
}

const TrustAnchors::Entry* TrustAnchors::find(AmdProduct product) const noexcept {
  const auto it = entries_.find(product);
  return it == entries_.end() ? nullptr : &it->second;
}

// --- names ---

std::string_view revocation_mode_name(RevocationMode m) noexcept {
  switch (m) {
    case RevocationMode::kRequire:
      return "require";
    case RevocationMode::kBestEffort:
      return "best_effort";
    case RevocationMode::kSkip:
      return "skip";
  }
  return "require";
}

std::string_view product_source_name(ProductSource s) noexcept {
  switch (s) {
    case ProductSource::kCpuid:
      return "cpuid";
    case ProductSource::kCertificate:
      return "certificate";
    case ProductSource::kOption:
      return "option";
  }
  return "cpuid";
}

ReportDataBinding ReportDataBinding::sha256_of(ByteSpan runtime_data) {
  Bytes expected = crypto::digest(crypto::HashAlg::kSha256, runtime_data);
  expected.resize(64, 0);
  return ReportDataBinding(std::move(expected));
}

// --- the verified-chain cache entry ---

struct Verifier::Chain {
  std::vector<crypto::Certificate> certs;  // VEK, ASK/ASVK, ARK
  std::shared_ptr<const VekExtensions> ext;
  std::uint64_t tcb = 0;
  P384PublicKey key;
  Timestamp not_before{};  // the chain is valid at t when not_before <= t <= not_after
  Timestamp not_after{};
  // The last CRL this chain passed (SHA-256 of its DER) and until when that answer holds.
  std::mutex crl_mu;
  Bytes crl_fingerprint;
  Timestamp crl_valid_from{};
  Timestamp crl_valid_until{};
};

std::size_t Verifier::cached_chains() const {
  std::lock_guard lock(mu_);
  return cache_.size();
}

namespace {
Bytes cache_key(const Bytes& fingerprint, AmdProduct product, AmdKeyKind kind) {
  Bytes key = fingerprint;
  key.push_back(static_cast<std::uint8_t>(product));
  key.push_back(static_cast<std::uint8_t>(kind));
  return key;
}
}  // namespace

std::optional<AmdProduct> Verifier::cached_product(const Bytes& fingerprint,
                                                   AmdKeyKind kind) const {
  std::lock_guard lock(mu_);
  for (AmdProduct p : {AmdProduct::kMilan, AmdProduct::kGenoa, AmdProduct::kTurin}) {
    if (cache_.contains(cache_key(fingerprint, p, kind))) {
      return p;
    }
  }
  return std::nullopt;
}

Result<std::shared_ptr<Verifier::Chain>> Verifier::verify_chain(
    ByteSpan vek_der, std::optional<crypto::Certificate> parsed, const Bytes& fingerprint,
    AmdProduct product, AmdKeyKind kind, collateral::AmdKds& kds, Timestamp at,
    evidence::CheckSteps& steps) const {
  // Cache key: SHA-256 of the certificate, then product and kind.
  Bytes key = cache_key(fingerprint, product, kind);
  {
    std::lock_guard lock(mu_);
    const auto it = cache_.find(key);
    if (it != cache_.end() && it->second->not_before <= at && at <= it->second->not_after) {
      steps.pass(checks::kVekChain, "chains to " + ark_common_name(product) + " at " +
                                        format_rfc3339(at) + " (cached)");
      steps.pass(checks::kVekProfile, "AMD KDS profile (cached)");
      return it->second;
    }
  }

  const TrustAnchors::Entry* roots = anchors_.find(product);
  if (roots == nullptr) {
    return steps.check(
        checks::kVekChain,
        Result<std::shared_ptr<Chain>>(
            rejected(checks::kVekChain, "no trust anchor is configured for " +
                                            std::string(collateral::amd_product_name(product)))));
  }
  auto leaf = parsed ? Result<crypto::Certificate>(std::move(*parsed))
                     : crypto::Certificate::from_der(vek_der).map_error(retag(checks::kVekParse));
  if (!leaf) {
    return steps.check(checks::kVekChain,
                       Result<std::shared_ptr<Chain>>(tl::unexpected(leaf.error())));
  }
  // A VLEK offered for a VCEK-signed report (or the reverse) is named as such.
  const AmdKeyKind other = kind == AmdKeyKind::kVcek ? AmdKeyKind::kVlek : AmdKeyKind::kVcek;
  const std::string leaf_cn = common_name(leaf->subject());
  if (leaf_cn == vek_common_name(other)) {
    return steps.check(
        checks::kVekChain,
        Result<std::shared_ptr<Chain>>(
            rejected(checks::kVekKind, "the report is signed by the " + vek_common_name(kind) +
                                           " but the certificate is a " + vek_common_name(other))));
  }
  crypto::ChainOptions opts;
  opts.at = at;
  opts.intermediates = roots->intermediates;
  const std::string wanted = intermediate_common_name(product, kind);
  bool have_intermediate = false;
  for (const auto& cn : roots->intermediate_cns) {
    have_intermediate = have_intermediate || cn == wanted;
  }
  if (!have_intermediate) {
    // Not compiled in or configured: ask the collateral source (the evidence may carry it).
    auto chain = kds.product_chain(product, kind);
    if (chain) {
      if (auto ask = crypto::Certificate::from_der(chain->intermediate_der)) {
        opts.intermediates.push_back(*ask);
      }
    }
  }
  auto verified =
      crypto::verify_chain(*leaf, roots->fast_store, opts).map_error(retag(checks::kVekChain));
  if (verified && !equal_bytes(verified->back().der(), roots->ark.der())) {
    // The chain ended at a pre-verified intermediate: the ARK completes it, and must be valid at
    // the verification time like every other certificate of the chain.
    if (at < roots->ark.not_before() || roots->ark.not_after() < at) {
      verified = rejected(checks::kVekChain,
                          "certificate at depth " + std::to_string(verified->size()) + " (" +
                              ark_common_name(product) + ") is not valid at " + format_rfc3339(at));
    } else {
      verified->push_back(roots->ark);
    }
  }
  VOUCH_TRY(std::vector<crypto::Certificate> certs,
            steps.check(checks::kVekChain, std::move(verified),
                        "chains to " + ark_common_name(product) + " at " + format_rfc3339(at)));

  auto chain = std::make_shared<Chain>();
  // Subject CNs: the leaf's is known; the anchors' were computed once.
  std::vector<std::string> cns = {leaf_cn};
  for (std::size_t i = 1; i < certs.size(); ++i) {
    std::string cn;
    if (equal_bytes(certs[i].der(), roots->ark.der())) {
      cn = roots->ark_cn;
    }
    for (std::size_t k = 0; cn.empty() && k < roots->intermediates.size(); ++k) {
      if (equal_bytes(certs[i].der(), roots->intermediates[k].der())) {
        cn = roots->intermediate_cns[k];
      }
    }
    cns.push_back(cn.empty() ? common_name(certs[i].subject()) : cn);
  }
  VOUCH_RETURN_IF_ERROR(steps.check(checks::kVekProfile,
                                    check_vek_profile(certs, product, kind, &cns),
                                    "AMD KDS profile: names, RSASSA-PSS/SHA-384, key types"));
  auto ext = parse_vek_extensions(certs[0], kind);
  if (!ext) {
    return steps.check(checks::kVekProduct,
                       Result<std::shared_ptr<Chain>>(tl::unexpected(ext.error())));
  }
  auto p384 = vek_public_key(certs[0]);
  if (!p384) {
    return steps.check(checks::kVekProduct, Result<std::shared_ptr<Chain>>(rejected(
                                                checks::kVekProfile, p384.error().detail)));
  }
  chain->key = *p384;
  chain->ext = std::make_shared<const VekExtensions>(std::move(*ext));
  chain->not_before = certs[0].not_before();
  chain->not_after = certs[0].not_after();
  for (const auto& c : certs) {
    chain->not_before = std::max(chain->not_before, c.not_before());
    chain->not_after = std::min(chain->not_after, c.not_after());
  }
  chain->certs = std::move(certs);
  {
    std::lock_guard lock(mu_);
    if (cache_.size() >= max_cached_ && !cache_.empty()) {
      cache_.erase(cache_.begin());
    }
    cache_.insert_or_assign(std::move(key), chain);
  }
  return chain;
}

Result<bool> Verifier::check_revocation(Chain& chain, AmdProduct product, AmdKeyKind kind,
                                        collateral::AmdKds& kds, const VerifyOptions& options,
                                        evidence::CheckSteps& steps) const {
  if (options.revocation == RevocationMode::kSkip) {
    steps.skip(checks::kRevocation, "CRL not consulted: revocation mode is 'skip'");
    return false;
  }
  const bool best_effort = options.revocation == RevocationMode::kBestEffort;
  auto crl = kds.crl(product, kind);
  if (!crl) {
    if (best_effort) {
      steps.skip(checks::kRevocation, "CRL unavailable (" + crl.error().detail +
                                          "); mode 'best_effort' continues unchecked");
      return false;
    }
    return steps.check(
        checks::kRevocation,
        Result<bool>(fail(ErrorKind::kRevocationUnavailable, checks::kRevocation,
                          "no CRL for the " + intermediate_common_name(product, kind) + ": " +
                              crl.error().detail)));
  }
  const Timestamp at = options.at;
  const Bytes fingerprint = crypto::digest(crypto::HashAlg::kSha256, crl->der);
  {
    std::lock_guard lock(chain.crl_mu);
    if (chain.crl_fingerprint == fingerprint && chain.crl_valid_from <= at &&
        at < chain.crl_valid_until) {
      steps.pass(checks::kRevocation, "not revoked (CRL checked earlier, valid until " +
                                          format_rfc3339(chain.crl_valid_until) + ")");
      return true;
    }
  }
  auto parsed = crypto::Crl::parse(crl->der);
  if (!parsed || !parsed->next_update()) {
    const std::string why = parsed ? "the CRL has no nextUpdate" : parsed.error().detail;
    if (best_effort) {
      steps.skip(checks::kRevocation, "CRL unusable (" + why + "); mode 'best_effort'");
      return false;
    }
    return steps.check(checks::kRevocation,
                       Result<bool>(fail(ErrorKind::kRevocationUnavailable, checks::kRevocation,
                                         "the CRL is unusable: " + why)));
  }
  // The AMD CRL is issued by the ARK and lists revoked ASKs/ASVKs: check the intermediate (and the
  // ARK) against it, with OpenSSL's path validation at the verification time.
  const TrustAnchors::Entry* roots = anchors_.find(product);
  crypto::ChainOptions opts;
  opts.at = at;
  opts.crls = {*parsed};
  auto checked = crypto::verify_chain(chain.certs[1], roots->store, opts);
  if (!checked) {
    return steps.check(
        checks::kRevocation,
        Result<bool>(rejected(checks::kRevocation, "CRL check of the " +
                                                       intermediate_common_name(product, kind) +
                                                       ": " + checked.error().detail)));
  }
  {
    std::lock_guard lock(chain.crl_mu);
    chain.crl_fingerprint = fingerprint;
    chain.crl_valid_from = parsed->this_update();
    chain.crl_valid_until = *parsed->next_update();
  }
  steps.pass(checks::kRevocation, "the " + intermediate_common_name(product, kind) +
                                      " is not on the CRL (next update " +
                                      format_rfc3339(*parsed->next_update()) + ")");
  return true;
}

Result<VerifiedReport> Verifier::verify(ByteSpan raw, collateral::AmdKds& kds,
                                        const VerifyOptions& options,
                                        evidence::CheckLog& log) const {
  if (options.report_data.expected() && options.report_data.expected()->size() != 64) {
    return fail(log.fail(Error{ErrorKind::kInvalidArgument, checks::kOptions,
                               "the expected report data is " +
                                   std::to_string(options.report_data.expected()->size()) +
                                   " bytes; REPORT_DATA is compared exactly, as 64 bytes"}));
  }
  evidence::CheckSteps steps(log, kPlan);
  VerifiedReport out;
  auto parsed = parse_report(raw);
  const std::string parsed_detail = parsed ? "version " + std::to_string(parsed->version) + ", " +
                                                 std::to_string(kReportSize) + " bytes"
                                           : std::string();
  VOUCH_TRY(out.report_, steps.check(checks::kReportParse, std::move(parsed), parsed_detail));
  const Report& rep = out.report_;

  // The signing key kind is in the signed report; "none" cannot be verified.
  const SignerInfo signer = signer_info(rep);
  if (signer.signing_key == SigningKey::kNone) {
    return steps.check(
        checks::kReportSigner,
        Result<VerifiedReport>(
            rejected(checks::kReportSigner, "SIGNING_KEY is 'none': the report is unsigned")));
  }
  const AmdKeyKind kind =
      signer.signing_key == SigningKey::kVcek ? AmdKeyKind::kVcek : AmdKeyKind::kVlek;
  out.vek_kind_ = kind;
  steps.pass(checks::kReportSigner, std::string(collateral::amd_key_kind_name(kind)));

  // Product: from the signed CPUID (v3+), else the caller's option, else the certificate.
  std::optional<AmdProduct> product;
  if (rep.cpuid) {
    product = collateral::amd_product_from_cpuid(rep.cpuid->family, rep.cpuid->model);
    if (!product) {
      return steps.check(
          checks::kProduct,
          Result<VerifiedReport>(rejected(
              checks::kProduct, "CPUID family " + std::to_string(rep.cpuid->family) + " model " +
                                    std::to_string(rep.cpuid->model) + " is no known product")));
    }
    out.product_source_ = ProductSource::kCpuid;
  } else if (options.product) {
    product = options.product;
    out.product_source_ = ProductSource::kOption;
  } else {
    out.product_source_ = ProductSource::kCertificate;
  }

  // The VCEK or VLEK. For a v2 report without a product, try the lines that made v2 reports.
  const std::vector<AmdProduct> candidates =
      product ? std::vector<AmdProduct>{*product}
              : std::vector<AmdProduct>{AmdProduct::kMilan, AmdProduct::kGenoa};
  Result<collateral::AmdCertificate> vek = fail(ErrorKind::kInternal, checks::kVekFetch, "");
  for (AmdProduct p : candidates) {
    vek = kind == AmdKeyKind::kVcek ? kds.vcek(p, rep.chip_id, rep.reported_tcb)
                                    : kds.vlek(p, rep.reported_tcb);
    if (vek) {
      break;
    }
  }
  if (!vek) {
    const ErrorKind k = vek.error().kind == ErrorKind::kNotFound ? ErrorKind::kCollateralUnavailable
                                                                 : vek.error().kind;
    return steps.check(checks::kVekFetch,
                       Result<VerifiedReport>(fail(k, checks::kVekFetch,
                                                   "no " + vek_common_name(kind) +
                                                       " for this report: " + vek.error().detail)));
  }
  const Bytes fingerprint = crypto::digest(crypto::HashAlg::kSha256, vek->der);
  if (!product) {
    product = cached_product(fingerprint, kind);
  }
  std::optional<crypto::Certificate> leaf;
  if (!product) {
    // Peek at the certificate's productName to pick the anchors; the chain check confirms it.
    auto cert = crypto::Certificate::from_der(vek->der);
    auto ext = cert ? parse_vek_extensions(*cert, kind)
                    : Result<VekExtensions>(tl::unexpected(cert.error()));
    if (ext) {
      product = collateral::amd_product_from_product_name(ext->product_name);
      leaf = *cert;
    }
    if (!product) {
      return steps.check(checks::kProduct,
                         Result<VerifiedReport>(rejected(
                             checks::kProduct,
                             "a version 2 report has no CPUID and the certificate names no known "
                             "product; pass the product line")));
    }
  }
  out.product_ = *product;
  steps.pass(checks::kProduct, std::string(collateral::amd_product_name(*product)) + " (from " +
                                   std::string(product_source_name(out.product_source_)) + ")");
  out.vek_source_ = vek->source;
  steps.pass(checks::kVekFetch, vek_common_name(kind) + " from " +
                                    std::string(collateral::amd_source_name(vek->source)));

  VOUCH_TRY(std::shared_ptr<Chain> chain, verify_chain(vek->der, std::move(leaf), fingerprint,
                                                       *product, kind, kds, options.at, steps));
  const VekExtensions& ext = *chain->ext;
  out.vek_ = chain->ext;
  out.vek_not_after_ = chain->not_after;

  const auto cert_product = collateral::amd_product_from_product_name(ext.product_name);
  const Status product_ok =
      cert_product == product
          ? ok()
          : Status(rejected(checks::kVekProduct,
                            "the certificate's productName '" + ext.product_name +
                                "' is not the report's product " +
                                std::string(collateral::amd_product_name(*product))));
  VOUCH_RETURN_IF_ERROR(steps.check(checks::kVekProduct, product_ok, ext.product_name));

  auto cert_tcb = vek_tcb(ext, *product);
  Status tcb_ok = cert_tcb ? ok() : Status(tl::unexpected(cert_tcb.error()));
  if (cert_tcb && *cert_tcb != rep.reported_tcb) {
    tcb_ok = rejected(checks::kVekTcb, "the certificate is for TCB " + tcb_hex(*cert_tcb) +
                                           ", the report's REPORTED_TCB is " +
                                           tcb_hex(rep.reported_tcb));
  }
  VOUCH_RETURN_IF_ERROR(
      steps.check(checks::kVekTcb, tcb_ok, "REPORTED_TCB " + tcb_hex(rep.reported_tcb)));

  if (kind == AmdKeyKind::kVlek) {
    steps.skip(checks::kVekHwid,
               "a VLEK is not bound to a chip (CSP '" + ext.csp_id.value_or("") + "')");
  } else if (signer.mask_chip_key) {
    steps.skip(checks::kVekHwid, "MASK_CHIP_KEY is set: the report carries no chip id");
  } else {
    const ByteSpan chip = ByteSpan(rep.chip_id).first(collateral::amd_hwid_size(*product));
    const Status hwid_ok =
        ext.hwid && equal_bytes(*ext.hwid, chip)
            ? ok()
            : Status(rejected(checks::kVekHwid,
                              "the VCEK's hwID " + hex_encode(ext.hwid.value_or(Bytes{})) +
                                  " is not the report's CHIP_ID " + hex_encode(chip)));
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kVekHwid, hwid_ok, "hwID equals CHIP_ID"));
  }

  VOUCH_TRY(out.revocation_checked_, check_revocation(*chain, *product, kind, kds, options, steps));
  out.revocation_mode_ = options.revocation;

  // The signature over the signed region of the bytes as received.
  const Bytes digest = crypto::digest(crypto::HashAlg::kSha384, raw.first(kSignedSize));
  // R and S are 72-byte little-endian fields; a P-384 value fits the low 48 bytes.
  const ByteSpan r_high = ByteSpan(rep.signature_r).subspan(48);
  const ByteSpan s_high = ByteSpan(rep.signature_s).subspan(48);
  const bool fits = std::all_of(r_high.begin(), r_high.end(), [](auto b) { return b == 0; }) &&
                    std::all_of(s_high.begin(), s_high.end(), [](auto b) { return b == 0; });
  auto der =
      fits ? crypto::ecdsa_raw_le_to_der(ByteSpan(rep.signature_r).first(48),
                                         ByteSpan(rep.signature_s).first(48))
           : Result<Bytes>(rejected(checks::kReportSignature, "signature R or S exceeds 384 bits"));
  Status sig_ok = der ? verify_p384_digest(chain->key, digest, *der)
                      : Status(rejected(checks::kReportSignature, der.error().detail));
  VOUCH_RETURN_IF_ERROR(steps.check(checks::kReportSignature, std::move(sig_ok),
                                    "ECDSA P-384/SHA-384 by the " + vek_common_name(kind)));

  if (const auto& expected = options.report_data.expected()) {
    const Status bound =
        equal_bytes(*expected, rep.report_data)
            ? ok()
            : Status(rejected(checks::kReportData, "REPORT_DATA is " + hex_encode(rep.report_data) +
                                                       ", expected " + hex_encode(*expected)));
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kReportData, bound, "equals the expected 64 bytes"));
    out.report_data_bound_ = true;
  } else {
    steps.skip(checks::kReportData, "no expected report data: binding not required");
  }

  if (options.init_data) {
    const Bytes h = crypto::digest(crypto::HashAlg::kSha256, *options.init_data);
    const Status bound = equal_bytes(h, rep.host_data)
                             ? ok()
                             : Status(rejected(checks::kHostData,
                                               "SHA-256 of the init-time data is " + hex_encode(h) +
                                                   ", HOST_DATA is " + hex_encode(rep.host_data)));
    VOUCH_RETURN_IF_ERROR(
        steps.check(checks::kHostData, bound, "HOST_DATA = SHA-256(init-time data)"));
    out.init_data_ = options.init_data;
  } else {
    steps.skip(checks::kHostData, "no init-time data supplied: HOST_DATA is reported as is");
  }
  return out;
}

}  // namespace vouch::sevsnp
