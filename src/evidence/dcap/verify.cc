#include "evidence/dcap/verify.h"

#include <array>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/keys.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/crl.h"
#include "evidence/dcap/p256.h"
#include "evidence/dcap/signed_json.h"

namespace vouch::dcap {
namespace {

#include "evidence/dcap/intel_roots.inc"

using collateral::IntelCrl;
using collateral::IntelSignedJson;

// The steps of a verification, in order; a report lists each one.
constexpr std::array kSgxPlan = {
    checks::kQuoteParse,          checks::kQuoteKind,
    checks::kCollateralMissing,   checks::kTcbInfoFormat,
    checks::kQeIdentityFormat,    checks::kPckCrlFormat,
    checks::kRootCaCrlFormat,     checks::kTcbInfoValidity,
    checks::kQeIdentityValidity,  checks::kPckCrlValidity,
    checks::kRootCaCrlValidity,   checks::kCollateralBaseline,
    checks::kRootCaCrlIssuer,     checks::kTcbInfoChain,
    checks::kTcbInfoSignature,    checks::kQeIdentityChain,
    checks::kQeIdentitySignature, checks::kPckChainParse,
    checks::kPckCertificate,      checks::kPckChain,
    checks::kPckCrlIssuer,        checks::kPckRevoked,
    checks::kQeReportSignature,   checks::kQeReportBinding,
    checks::kAttestationKey,      checks::kQuoteSignature,
    checks::kQeIdentityMismatch,  checks::kQeIdentityReport,
    checks::kTcbInfoMismatch,     checks::kTcbLevel,
    checks::kTcbStatus,
};
constexpr std::array kTdxPlan = {
    checks::kQuoteParse,
    checks::kQuoteKind,
    checks::kCollateralMissing,
    checks::kTcbInfoFormat,
    checks::kQeIdentityFormat,
    checks::kPckCrlFormat,
    checks::kRootCaCrlFormat,
    checks::kTcbInfoValidity,
    checks::kQeIdentityValidity,
    checks::kPckCrlValidity,
    checks::kRootCaCrlValidity,
    checks::kCollateralBaseline,
    checks::kRootCaCrlIssuer,
    checks::kTcbInfoChain,
    checks::kTcbInfoSignature,
    checks::kQeIdentityChain,
    checks::kQeIdentitySignature,
    checks::kPckChainParse,
    checks::kPckCertificate,
    checks::kPckChain,
    checks::kPckCrlIssuer,
    checks::kPckRevoked,
    checks::kQeReportSignature,
    checks::kQeReportBinding,
    checks::kAttestationKey,
    checks::kQuoteSignature,
    checks::kQeIdentityMismatch,
    checks::kQeIdentityReport,
    checks::kTcbInfoMismatch,
    checks::kTdxModule,
    checks::kTcbLevel,
    checks::kTcbStatus,
};

// A closed time interval in which a verification result holds.
struct Window {
  Timestamp from = Timestamp::min();
  Timestamp until = Timestamp::max();
  bool contains(Timestamp t) const noexcept { return from <= t && t <= until; }
  void narrow(Timestamp f, Timestamp u) noexcept {
    from = std::max(from, f);
    until = std::min(until, u);
  }
};

Bytes sha256(ByteSpan data) {
  return crypto::digest(crypto::HashAlg::kSha256, data);
}

std::string key_of(std::initializer_list<ByteSpan> parts) {
  std::string key;
  for (ByteSpan p : parts) {
    key.append(p.begin(), p.end());
    key.push_back('|');
  }
  return key;
}

// A small thread-safe cache of immutable values that hold inside a time window.
template <typename V>
class WindowCache {
 public:
  explicit WindowCache(std::size_t max) : max_(max) {}

  std::optional<V> find(const std::string& key, Timestamp at) const {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = map_.find(key);
    if (it == map_.end() || !it->second.window.contains(at)) {
      return std::nullopt;
    }
    return it->second;
  }

  void put(const std::string& key, V value, Timestamp at) {
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= max_) {
      std::erase_if(map_, [at](const auto& e) { return e.second.window.until < at; });
      if (map_.size() >= max_) {
        map_.clear();
      }
    }
    map_.insert_or_assign(key, std::move(value));
  }

 private:
  std::size_t max_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, V> map_;
};

// A signing chain (TCB Signing certificate up to a root) that verified.
struct SigningChain {
  crypto::PublicKey key;
  Window window;
};

// A PCK chain that verified, with its parsed leaf and key.
struct PckEntry {
  std::shared_ptr<const PckCertificate> pck;
  crypto::PublicKey key;
  Window window;
};

// A signed JSON whose signature and signing chain verified.
struct SignedEntry {
  Window window;
};

template <typename T>
struct ParsedEntry {
  std::shared_ptr<const T> value;
  SignedJson signed_json;
  Window window;  // parsing does not depend on time
};

struct CrlEntry {
  crypto::Crl crl;
  Window window;
};

// An attestation key built from its raw x || y.
struct KeyEntry {
  crypto::PublicKey key;
  Window window;
};

// A root CA CRL whose issuer and signature verified.
struct RootCrlEntry {
  Window window;
};

// Splits PEM text into the DER of each CERTIFICATE block (text outside blocks is ignored).
Result<std::vector<Bytes>> pem_certificates(std::string_view text, CheckId check) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<Bytes> out;
  std::size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    pos += kBegin.size();
    const std::size_t end = text.find(kEnd, pos);
    if (end == std::string_view::npos) {
      return malformed(check, "unterminated PEM certificate block");
    }
    std::string b64;
    for (char c : text.substr(pos, end - pos)) {
      if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
        b64 += c;
      }
    }
    auto der = base64_decode(b64);
    if (!der) {
      return malformed(check, "a PEM certificate block is not valid base64");
    }
    out.push_back(std::move(*der));
    pos = end + kEnd.size();
  }
  if (out.empty()) {
    // A DER certificate is accepted too (CLI chains may be DER).
    if (!text.empty() && static_cast<unsigned char>(text.front()) == 0x30) {
      out.push_back(to_bytes(as_bytes(text)));
      return out;
    }
    return malformed(check, "no PEM certificate found");
  }
  return out;
}

std::string_view as_text(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT: byte -> char view
}

Window validity_of(const std::vector<crypto::Certificate>& chain) {
  Window w;
  for (const crypto::Certificate& c : chain) {
    w.narrow(c.not_before(), c.not_after());
  }
  return w;
}

Window validity_of(const crypto::Crl& crl) {
  Window w;
  w.narrow(crl.this_update(), crl.next_update().value_or(Timestamp::max()));
  return w;
}

Status check_dates(CheckId check, std::string_view what, Timestamp issued, Timestamp next,
                   Timestamp at, std::chrono::seconds grace = std::chrono::seconds(0)) {
  if (at < issued) {
    return rejected(check, std::string(what) + " was issued at " + format_rfc3339(issued) +
                               ", after the verification time " + format_rfc3339(at));
  }
  if (at > next + grace) {
    return rejected(check, std::string(what) + " expired at its nextUpdate " +
                               format_rfc3339(next) + ", before the verification time " +
                               format_rfc3339(at));
  }
  return ok();
}

Status verify_raw_signature(const crypto::PublicKey& key, ByteSpan raw_rs, ByteSpan msg,
                            CheckId check, std::string_view what) {
  auto der = crypto::ecdsa_rs_to_der(raw_rs.first(32), raw_rs.subspan(32, 32));
  if (!der) {
    return rejected(check, std::string(what) + ": the signature is not a valid ECDSA value");
  }
  if (!crypto::verify_signature(key, crypto::SigScheme::kEcdsa, crypto::HashAlg::kSha256, msg,
                                *der)) {
    return rejected(check, std::string(what) + " does not verify");
  }
  return ok();
}

std::string when(Timestamp at) {
  return " at " + format_rfc3339(at);
}

}  // namespace

// --- Verifier::Impl ---

struct Verifier::Impl {
  Impl(std::vector<crypto::Certificate> r, crypto::TrustStore s, Options o)
      : roots(std::move(r)),
        store(std::move(s)),
        options(o),
        pck_cache(o.max_cache_entries),
        tcb_parsed(o.max_cache_entries),
        qe_parsed(o.max_cache_entries),
        signed_cache(o.max_cache_entries),
        chain_cache(o.max_cache_entries),
        crl_cache(o.max_cache_entries),
        root_crl_cache(o.max_cache_entries),
        key_cache(o.max_cache_entries) {}

  std::vector<crypto::Certificate> roots;
  crypto::TrustStore store;
  Options options;
  // The caches are internally synchronised; verify() is const and thread-safe.
  mutable WindowCache<PckEntry> pck_cache;
  mutable WindowCache<ParsedEntry<TcbInfo>> tcb_parsed;
  mutable WindowCache<ParsedEntry<EnclaveIdentity>> qe_parsed;
  mutable WindowCache<SignedEntry> signed_cache;
  mutable WindowCache<SigningChain> chain_cache;
  mutable WindowCache<CrlEntry> crl_cache;
  mutable WindowCache<RootCrlEntry> root_crl_cache;
  mutable WindowCache<KeyEntry> key_cache;

  // Every certificate a chain supplies must be on the verified path or be one of our roots, byte
  // for byte: extra or altered certificates, which the path builder would otherwise skip
  // unchecked, are rejected.
  Status all_on_path(const std::vector<crypto::Certificate>& supplied,
                     const std::vector<crypto::Certificate>& path, CheckId check) const {
    for (const crypto::Certificate& c : supplied) {
      bool found = false;
      for (const auto* set : {&path, &roots}) {
        for (const crypto::Certificate& p : *set) {
          found = found || equal_bytes(c.der(), p.der());
        }
      }
      if (!found) {
        return rejected(check, "the chain carries '" + c.subject() +
                                   "', which is neither on the verified path nor a trusted root");
      }
    }
    return ok();
  }

  // Parses certificates, reusing the built-in root objects for DER equal to a root.
  Result<std::vector<crypto::Certificate>> certificates(const std::vector<Bytes>& ders,
                                                        CheckId check) const {
    std::vector<crypto::Certificate> out;
    for (const Bytes& der : ders) {
      const crypto::Certificate* root = nullptr;
      for (const crypto::Certificate& r : roots) {
        if (equal_bytes(r.der(), der)) {
          root = &r;
        }
      }
      if (root != nullptr) {
        out.push_back(*root);
        continue;
      }
      VOUCH_TRY(crypto::Certificate c, crypto::Certificate::from_der(der).map_error(retag(check)));
      out.push_back(std::move(c));
    }
    return out;
  }

  Result<CrlEntry> crl(const IntelCrl& item, const Bytes& digest, CheckId check,
                       Timestamp at) const {
    const std::string key(digest.begin(), digest.end());
    if (options.cache) {
      if (auto hit = crl_cache.find(key, at)) {
        return *hit;
      }
    }
    VOUCH_TRY(crypto::Crl parsed, crypto::Crl::parse(item.crl).map_error(retag(check)));
    CrlEntry entry{parsed, Window{}};  // parsing holds at any time
    if (options.cache) {
      crl_cache.put(key, entry, at);
    }
    return entry;
  }

  // Verifies a TCB Signing chain (PEM or DER) up to a root with the root CA CRL.
  Result<SigningChain> signing_chain(std::string_view chain_text, const Bytes& chain_digest,
                                     const std::optional<CrlEntry>& root_crl,
                                     const Bytes& root_crl_digest, CheckId check,
                                     Timestamp at) const {
    const std::string key = key_of({chain_digest, root_crl_digest});
    if (options.cache) {
      if (auto hit = chain_cache.find(key, at)) {
        return *hit;
      }
    }
    VOUCH_TRY(std::vector<Bytes> ders, pem_certificates(chain_text, check));
    VOUCH_TRY(std::vector<crypto::Certificate> certs, certificates(ders, check));
    const crypto::Certificate& leaf = certs.front();
    const std::string cn = common_name(leaf.subject());
    if (cn.find("SGX TCB Signing") == std::string::npos) {
      return rejected(check, "the signing certificate's CN is '" + cn +
                                 "', not an Intel SGX TCB Signing certificate");
    }
    crypto::ChainOptions opts;
    opts.at = at;
    opts.intermediates.assign(certs.begin() + 1, certs.end());
    VOUCH_TRY(auto chain, crypto::verify_chain(leaf, store, opts).map_error(retag(check)));
    VOUCH_RETURN_IF_ERROR(all_on_path(certs, chain, check));
    if (root_crl) {
      for (const crypto::Certificate& c : chain) {
        VOUCH_RETURN_IF_ERROR(check_not_revoked(root_crl->crl, c, check));
      }
    }
    VOUCH_TRY(crypto::PublicKey leaf_key, leaf.public_key().map_error(retag(check)));
    if (leaf_key.type() != crypto::KeyType::kEc || leaf_key.curve() != crypto::Curve::kP256) {
      return rejected(check, "the signing certificate's key is not EC P-256");
    }
    SigningChain out{leaf_key, validity_of(chain)};
    if (root_crl) {
      const Window w = validity_of(root_crl->crl);
      out.window.narrow(w.from, w.until);
    }
    if (options.cache) {
      chain_cache.put(key, out, at);
    }
    return out;
  }
};

Verifier::Verifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Verifier::Verifier(Verifier&&) noexcept = default;
Verifier& Verifier::operator=(Verifier&&) noexcept = default;
Verifier::~Verifier() = default;

const std::vector<crypto::Certificate>& Verifier::roots() const noexcept {
  return impl_->roots;
}

std::vector<crypto::Certificate> intel_sgx_roots() {
  std::vector<crypto::Certificate> out;
  for (ByteSpan der : {ByteSpan(kIntelSgxRootCa2018To2049), ByteSpan(kIntelSgxRootCa2018To2033)}) {
    auto cert = crypto::Certificate::from_der(der);
    if (!cert) {
      std::abort();  // invariant: the built-in roots parse
    }
    out.push_back(std::move(*cert));
  }
  return out;
}

Result<Verifier> Verifier::intel(Options options) {
  return with_roots(intel_sgx_roots(), options);
}

Result<Verifier> Verifier::with_roots(std::vector<crypto::Certificate> roots, Options options) {
  if (roots.empty()) {
    return fail(ErrorKind::kInvalidArgument, vouch::checks::kInvalidArgument,
                "a DCAP verifier needs at least one root certificate");
  }
  VOUCH_TRY(crypto::TrustStore store, crypto::TrustStore::create(roots));
  return Verifier(std::make_unique<Impl>(std::move(roots), std::move(store), options));
}

// --- collateral fetching ---

namespace {

// The certification data that identifies the PCK (type 5 expected).
const CertificationData& certification_data(const Quote& quote) {
  return auth_of(quote).qe.certification_data;
}

}  // namespace

Result<QuoteCollateral> fetch_collateral(collateral::IntelPcs& pcs, ByteSpan quote_bytes,
                                         const collateral::TcbBaseline& baseline) {
  VOUCH_TRY(ParsedQuote parsed, parse_quote(quote_bytes));
  const CertificationData& cd = certification_data(parsed.quote);
  if (cd.type != kCertDataPckChain) {
    return rejected(checks::kCertificationDataUnsupported,
                    "certification data type " + std::to_string(cd.type) +
                        " does not carry the PCK certificate chain (type 5)");
  }
  VOUCH_TRY(std::vector<Bytes> ders, pem_certificates(as_text(cd.data), checks::kPckChainParse));
  VOUCH_TRY(crypto::Certificate leaf,
            crypto::Certificate::from_der(ders.front()).map_error(retag(checks::kPckChainParse)));
  VOUCH_TRY(PckCertificate pck, read_pck_certificate(leaf));
  const collateral::IntelTee tee = header_of(parsed.quote).tee_type == kTeeTypeTdx
                                       ? collateral::IntelTee::kTdx
                                       : collateral::IntelTee::kSgx;
  QuoteCollateral out;
  VOUCH_TRY(out.tcb_info, pcs.tcb_info(tee, pck.extensions.fmspc, baseline));
  VOUCH_TRY(out.qe_identity, pcs.qe_identity(tee, baseline));
  VOUCH_TRY(out.pck_crl,
            pcs.pck_crl(pck.ca == PckCaType::kPlatform ? collateral::IntelCa::kPlatform
                                                       : collateral::IntelCa::kProcessor));
  VOUCH_TRY(out.root_ca_crl, pcs.root_ca_crl());
  return out;
}

// --- verification ---

Result<VerifiedQuote> Verifier::verify(ByteSpan quote_bytes, TeeKind tee,
                                       const QuoteCollateral& collateral,
                                       const VerifyOptions& options,
                                       evidence::CheckLog& log) const {
  const Impl& im = *impl_;
  const Timestamp at = options.at;
  const std::span<const CheckId> plan = tee == TeeKind::kSgx ? std::span<const CheckId>(kSgxPlan)
                                                             : std::span<const CheckId>(kTdxPlan);
  evidence::CheckSteps steps(log, plan);
  VerifiedQuote out;
  out.tee_ = tee;
  out.at_ = at;

  // 1. Parse.
  VOUCH_TRY(ParsedQuote parsed, steps.check(checks::kQuoteParse, parse_quote(quote_bytes)));
  out.quote_ = std::move(parsed.quote);
  out.layout_ = parsed.layout;
  const Quote& quote = out.quote_;
  const QuoteHeader& header = header_of(quote);
  {
    const bool is_tdx = header.tee_type == kTeeTypeTdx;
    const bool want_tdx = tee == TeeKind::kTdx;
    Status kind = ok();
    if (is_tdx != want_tdx) {
      kind = malformed(checks::kQuoteKind, std::string("this is ") + (is_tdx ? "a TDX" : "an SGX") +
                                               " quote; expected " +
                                               (want_tdx ? "a TDX" : "an SGX") + " quote");
    }
    VOUCH_RETURN_IF_ERROR(steps.check(
        checks::kQuoteKind, std::move(kind),
        "version " + std::to_string(header.version) + (is_tdx ? " TDX" : " SGX") + " quote"));
  }
  out.digests_.quote = sha256(quote_bytes.first(out.layout_.used_len));

  // 2. Which collateral is there.
  std::vector<std::string> missing;
  if (!collateral.tcb_info) {
    missing.emplace_back("tcb_info");
  }
  if (!collateral.qe_identity) {
    missing.emplace_back("qe_identity");
  }
  if (!collateral.pck_crl) {
    missing.emplace_back("pck_crl");
  }
  if (!collateral.root_ca_crl) {
    missing.emplace_back("root_ca_crl");
  }
  {
    std::string list;
    for (const std::string& m : missing) {
      list += (list.empty() ? "" : ", ") + m;
    }
    if (missing.empty()) {
      steps.pass(checks::kCollateralMissing, "TCB Info, QE identity, PCK CRL and root CA CRL");
    } else if (options.allow_missing_collateral) {
      steps.skip(checks::kCollateralMissing, "not supplied, so not checked: " + list);
    } else {
      VOUCH_RETURN_IF_ERROR(steps.check(
          checks::kCollateralMissing,
          Status(rejected(checks::kCollateralMissing, "collateral not supplied: " + list))));
    }
  }
  out.unchecked_ = missing;

  // 3. Decode the collateral (parsing does not depend on time; cached by content digest).
  std::optional<CrlEntry> pck_crl;
  std::optional<CrlEntry> root_crl;
  std::shared_ptr<const TcbInfo> tcb_info;
  std::shared_ptr<const EnclaveIdentity> qe_identity;
  SignedJson tcb_signed;
  SignedJson qe_signed;
  auto not_supplied = [&](CheckId id) { steps.skip(id, "not supplied"); };

  if (collateral.tcb_info) {
    out.digests_.tcb_info = sha256(as_bytes(collateral.tcb_info->json));
    out.digests_.tcb_info_issuer_chain = sha256(as_bytes(collateral.tcb_info->issuer_chain));
    const std::string key(out.digests_.tcb_info.begin(), out.digests_.tcb_info.end());
    std::optional<ParsedEntry<TcbInfo>> hit;
    if (im.options.cache) {
      hit = im.tcb_parsed.find(key, at);
    }
    if (!hit) {
      auto parsed_tcb = [&]() -> Result<ParsedEntry<TcbInfo>> {
        VOUCH_TRY(SignedJson sj,
                  split_signed_json(collateral.tcb_info->json, "tcbInfo", checks::kTcbInfoFormat));
        VOUCH_TRY(TcbInfo info, parse_tcb_info(sj.body));
        return ParsedEntry<TcbInfo>{std::make_shared<const TcbInfo>(std::move(info)), std::move(sj),
                                    Window{}};
      }();
      VOUCH_TRY(hit, steps.check(checks::kTcbInfoFormat, std::move(parsed_tcb)));
      if (im.options.cache) {
        im.tcb_parsed.put(key, *hit, at);
      }
    } else {
      steps.pass(checks::kTcbInfoFormat);
    }
    tcb_info = hit->value;
    tcb_signed = hit->signed_json;
  } else {
    not_supplied(checks::kTcbInfoFormat);
  }

  if (collateral.qe_identity) {
    out.digests_.qe_identity = sha256(as_bytes(collateral.qe_identity->json));
    out.digests_.qe_identity_issuer_chain = sha256(as_bytes(collateral.qe_identity->issuer_chain));
    const std::string key(out.digests_.qe_identity.begin(), out.digests_.qe_identity.end());
    std::optional<ParsedEntry<EnclaveIdentity>> hit;
    if (im.options.cache) {
      hit = im.qe_parsed.find(key, at);
    }
    if (!hit) {
      auto parsed_qe = [&]() -> Result<ParsedEntry<EnclaveIdentity>> {
        VOUCH_TRY(SignedJson sj, split_signed_json(collateral.qe_identity->json, "enclaveIdentity",
                                                   checks::kQeIdentityFormat));
        VOUCH_TRY(EnclaveIdentity id, parse_enclave_identity(sj.body));
        return ParsedEntry<EnclaveIdentity>{std::make_shared<const EnclaveIdentity>(std::move(id)),
                                            std::move(sj), Window{}};
      }();
      VOUCH_TRY(hit, steps.check(checks::kQeIdentityFormat, std::move(parsed_qe)));
      if (im.options.cache) {
        im.qe_parsed.put(key, *hit, at);
      }
    } else {
      steps.pass(checks::kQeIdentityFormat);
    }
    qe_identity = hit->value;
    qe_signed = hit->signed_json;
  } else {
    not_supplied(checks::kQeIdentityFormat);
  }

  if (collateral.pck_crl) {
    out.digests_.pck_crl = sha256(collateral.pck_crl->crl);
    VOUCH_TRY(pck_crl,
              steps.check(checks::kPckCrlFormat, im.crl(*collateral.pck_crl, out.digests_.pck_crl,
                                                        checks::kPckCrlFormat, at)));
  } else {
    not_supplied(checks::kPckCrlFormat);
  }
  if (collateral.root_ca_crl) {
    out.digests_.root_ca_crl = sha256(collateral.root_ca_crl->crl);
    VOUCH_TRY(root_crl, steps.check(checks::kRootCaCrlFormat,
                                    im.crl(*collateral.root_ca_crl, out.digests_.root_ca_crl,
                                           checks::kRootCaCrlFormat, at)));
  } else {
    not_supplied(checks::kRootCaCrlFormat);
  }

  // 4. Every collateral item's own dates against the verification time. An item past its
  // nextUpdate inside options.stale_grace passes and is recorded as stale.
  const auto dates = [&](CheckId id, std::string_view what, std::string_view item, Timestamp issued,
                         Timestamp next) -> Status {
    std::string detail = format_rfc3339(issued) + " .. " + format_rfc3339(next);
    if (at > next && at <= next + options.stale_grace) {
      const auto past = std::chrono::duration_cast<std::chrono::seconds>(at - next);
      out.stale_.push_back({std::string(item), past});
      detail +=
          " (stale: " + std::to_string(past.count()) + " s past nextUpdate, inside the grace)";
    }
    return steps.check(id, check_dates(id, what, issued, next, at, options.stale_grace), detail);
  };
  if (tcb_info) {
    VOUCH_RETURN_IF_ERROR(dates(checks::kTcbInfoValidity, "the TCB Info", "tcb_info",
                                tcb_info->issue_date, tcb_info->next_update));
  } else {
    not_supplied(checks::kTcbInfoValidity);
  }
  if (qe_identity) {
    VOUCH_RETURN_IF_ERROR(dates(checks::kQeIdentityValidity, "the QE identity", "qe_identity",
                                qe_identity->issue_date, qe_identity->next_update));
  } else {
    not_supplied(checks::kQeIdentityValidity);
  }
  for (const auto& [entry, id, name, item] :
       {std::tuple{&pck_crl, checks::kPckCrlValidity, "the PCK CRL", "pck_crl"},
        std::tuple{&root_crl, checks::kRootCaCrlValidity, "the root CA CRL", "root_ca_crl"}}) {
    if (!*entry) {
      not_supplied(id);
      continue;
    }
    const crypto::Crl& c = (*entry)->crl;
    if (!c.next_update()) {
      VOUCH_RETURN_IF_ERROR(
          steps.check(id, Status(rejected(id, std::string(name) + " has no nextUpdate"))));
    }
    VOUCH_RETURN_IF_ERROR(dates(id, name, item, c.this_update(), *c.next_update()));
  }

  // 4b. The TCB Info and QE identity are of the pinned TCB baseline, if one is.
  if (options.tcb_evaluation_data_number) {
    const std::uint32_t want = *options.tcb_evaluation_data_number;
    Status baseline = ok();
    if (tcb_info && tcb_info->tcb_evaluation_data_number != want) {
      baseline = rejected(checks::kCollateralBaseline,
                          "the TCB Info has tcbEvaluationDataNumber " +
                              std::to_string(tcb_info->tcb_evaluation_data_number) +
                              ", the TCB baseline asks for " + std::to_string(want));
    } else if (qe_identity && qe_identity->tcb_evaluation_data_number != want) {
      baseline = rejected(checks::kCollateralBaseline,
                          "the QE identity has tcbEvaluationDataNumber " +
                              std::to_string(qe_identity->tcb_evaluation_data_number) +
                              ", the TCB baseline asks for " + std::to_string(want));
    }
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kCollateralBaseline, std::move(baseline),
                                      "tcbEvaluationDataNumber " + std::to_string(want)));
  } else {
    steps.pass(checks::kCollateralBaseline, "no TCB baseline pinned");
  }

  // 5. The root CA CRL must be issued and signed by a trusted root.
  if (root_crl) {
    const std::string key(out.digests_.root_ca_crl.begin(), out.digests_.root_ca_crl.end());
    if (im.options.cache && im.root_crl_cache.find(key, at)) {
      steps.pass(checks::kRootCaCrlIssuer, "verified earlier (cached)");
    } else {
      const crypto::Certificate* root = nullptr;
      for (const crypto::Certificate& r : im.roots) {
        if (crl_covers(root_crl->crl, r)) {
          root = &r;
        }
      }
      Status issuer =
          root != nullptr
              ? verify_crl_issuer(root_crl->crl, *root, checks::kRootCaCrlIssuer)
              : Status(rejected(checks::kRootCaCrlIssuer, "the root CA CRL is issued by '" +
                                                              root_crl->crl.issuer() +
                                                              "', which is not a trusted root"));
      VOUCH_RETURN_IF_ERROR(
          steps.check(checks::kRootCaCrlIssuer, std::move(issuer), "signed by a trusted root"));
      if (im.options.cache) {
        im.root_crl_cache.put(key, RootCrlEntry{validity_of(root_crl->crl)}, at);
      }
    }
  } else {
    not_supplied(checks::kRootCaCrlIssuer);
  }

  // 6. TCB Info and QE identity: signing chain and signature over the exact body bytes.
  std::optional<std::pair<Bytes, SigningChain>> memo;
  auto check_signed = [&](const IntelSignedJson& item, const SignedJson& sj,
                          const Bytes& item_digest, const Bytes& chain_digest, CheckId chain_id,
                          CheckId sig_id, std::string_view what) -> Status {
    const std::string key = key_of({item_digest, chain_digest, out.digests_.root_ca_crl});
    if (im.options.cache && im.signed_cache.find(key, at)) {
      steps.pass(chain_id, "verified earlier (cached)" + when(at));
      steps.pass(sig_id, "verified earlier (cached)");
      return ok();
    }
    // TCB Info and QE identity usually share one signing chain: verify it once per call.
    Result<SigningChain> verified_chain =
        memo && memo->first == chain_digest
            ? Result<SigningChain>(memo->second)
            : im.signing_chain(item.issuer_chain, chain_digest, root_crl, out.digests_.root_ca_crl,
                               chain_id, at);
    VOUCH_TRY(SigningChain chain, steps.check(chain_id, std::move(verified_chain),
                                              "chains to a trusted root" + when(at) +
                                                  (root_crl ? ", not revoked" : " (no CRL)")));
    memo.emplace(chain_digest, chain);
    VOUCH_RETURN_IF_ERROR(steps.check(
        sig_id, verify_raw_signature(chain.key, sj.signature, as_bytes(sj.body), sig_id, what),
        "ECDSA P-256 over the exact body bytes"));
    if (im.options.cache) {
      im.signed_cache.put(key, SignedEntry{chain.window}, at);
    }
    return ok();
  };
  if (tcb_info) {
    VOUCH_RETURN_IF_ERROR(check_signed(*collateral.tcb_info, tcb_signed, out.digests_.tcb_info,
                                       out.digests_.tcb_info_issuer_chain, checks::kTcbInfoChain,
                                       checks::kTcbInfoSignature, "the TCB Info signature"));
  } else {
    not_supplied(checks::kTcbInfoChain);
    not_supplied(checks::kTcbInfoSignature);
  }
  if (qe_identity) {
    VOUCH_RETURN_IF_ERROR(check_signed(*collateral.qe_identity, qe_signed, out.digests_.qe_identity,
                                       out.digests_.qe_identity_issuer_chain,
                                       checks::kQeIdentityChain, checks::kQeIdentitySignature,
                                       "the QE identity signature"));
  } else {
    not_supplied(checks::kQeIdentityChain);
    not_supplied(checks::kQeIdentitySignature);
  }

  // 7. The PCK certificate chain from the certification data, with both CRLs.
  const QuoteAuthData& auth = auth_of(quote);
  const CertificationData& cd = auth.qe.certification_data;
  const Bytes cd_digest = sha256(cd.data);
  const std::string pck_key = key_of({cd_digest, out.digests_.pck_crl, out.digests_.root_ca_crl});
  std::optional<PckEntry> pck_entry;
  if (im.options.cache) {
    pck_entry = im.pck_cache.find(pck_key, at);
  }
  if (pck_entry) {
    steps.pass(checks::kPckChainParse, "certification data type 5 (cached)");
    steps.pass(checks::kPckCertificate, "verified earlier (cached)");
    steps.pass(checks::kPckChain, "verified earlier (cached)" + when(at));
    steps.pass(checks::kPckCrlIssuer, "verified earlier (cached)");
    steps.pass(checks::kPckRevoked, "verified earlier (cached)");
  } else {
    auto chain_certs = [&]() -> Result<std::vector<crypto::Certificate>> {
      if (cd.type != kCertDataPckChain) {
        return rejected(checks::kCertificationDataUnsupported,
                        "certification data type " + std::to_string(cd.type) +
                            " does not carry the PCK certificate chain (type 5)");
      }
      VOUCH_TRY(std::vector<Bytes> ders,
                pem_certificates(as_text(cd.data), checks::kPckChainParse));
      return im.certificates(ders, checks::kPckChainParse);
    }();
    VOUCH_TRY(std::vector<crypto::Certificate> certs,
              steps.check(checks::kPckChainParse, std::move(chain_certs),
                          "certification data type 5: PEM PCK chain"));
    VOUCH_TRY(PckCertificate pck,
              steps.check(checks::kPckCertificate, read_pck_certificate(certs.front()),
                          "SGX PCK certificate with the SGX extension"));
    crypto::ChainOptions opts;
    opts.at = at;
    opts.intermediates.assign(certs.begin() + 1, certs.end());
    auto verified_chain =
        crypto::verify_chain(pck.certificate, im.store, opts).map_error(retag(checks::kPckChain));
    if (verified_chain) {
      if (Status root = im.all_on_path(certs, *verified_chain, checks::kPckChain); !root) {
        verified_chain = tl::unexpected(std::move(root).error());
      }
    }
    VOUCH_TRY(auto chain, steps.check(checks::kPckChain, std::move(verified_chain),
                                      "chains to a trusted root" + when(at)));
    Window window = validity_of(chain);
    if (pck_crl) {
      // The PCK CRL must come from the CA that issued this PCK (the chain's second certificate).
      Status issuer = chain.size() > 1 && crl_covers(pck_crl->crl, pck.certificate)
                          ? verify_crl_issuer(pck_crl->crl, chain[1], checks::kPckCrlIssuer)
                          : Status(rejected(checks::kPckCrlIssuer,
                                            "the PCK CRL is issued by '" + pck_crl->crl.issuer() +
                                                "', the PCK certificate by '" +
                                                pck.certificate.issuer() + "'"));
      VOUCH_RETURN_IF_ERROR(
          steps.check(checks::kPckCrlIssuer, std::move(issuer),
                      "signed by the PCK " + std::string(pck_ca_name(pck.ca)) + " CA"));
    } else {
      not_supplied(checks::kPckCrlIssuer);
    }
    if (pck_crl || root_crl) {
      Status revoked = ok();
      for (const auto* entry : {&pck_crl, &root_crl}) {
        if (*entry) {
          const Window w = validity_of((*entry)->crl);
          window.narrow(w.from, w.until);
          for (const crypto::Certificate& c : chain) {
            if (revoked) {
              revoked = check_not_revoked((*entry)->crl, c, checks::kPckRevoked);
            }
          }
        }
      }
      VOUCH_RETURN_IF_ERROR(steps.check(checks::kPckRevoked, std::move(revoked),
                                        std::string(pck_crl ? "PCK CRL" : "") +
                                            (pck_crl && root_crl ? " and " : "") +
                                            (root_crl ? "root CA CRL" : "")));
    } else {
      not_supplied(checks::kPckRevoked);
    }
    VOUCH_TRY(crypto::PublicKey key,
              pck.certificate.public_key().map_error(retag(checks::kPckCertificate)));
    pck_entry = PckEntry{std::make_shared<const PckCertificate>(std::move(pck)), key, window};
    if (im.options.cache) {
      im.pck_cache.put(pck_key, *pck_entry, at);
    }
  }
  out.pck_ = pck_entry->pck;
  const PckCertificate& pck = *out.pck_;

  // 8. QE report signed by the PCK key; its report data binds the attestation key.
  const ByteSpan qe_report_bytes =
      quote_bytes.subspan(out.layout_.qe_report_offset, kEnclaveReportSize);
  VOUCH_RETURN_IF_ERROR(steps.check(
      checks::kQeReportSignature,
      verify_raw_signature(pck_entry->key, auth.qe.qe_report_signature, qe_report_bytes,
                           checks::kQeReportSignature, "the QE report signature by the PCK key"),
      "ECDSA P-256 by the PCK key"));
  {
    crypto::Hasher h(crypto::HashAlg::kSha256);
    h.update(auth.attestation_key).update(auth.qe.qe_auth_data);
    const Bytes expected = h.finish();
    const auto& rd = auth.qe.qe_report.report_data;
    bool upper_zero = true;
    for (std::size_t i = 32; i < rd.size(); ++i) {
      upper_zero = upper_zero && rd[i] == 0;
    }
    Status binding = ok();
    if (!equal_bytes(ByteSpan(rd).first(32), expected) || !upper_zero) {
      binding = rejected(checks::kQeReportBinding,
                         "the QE report data is not SHA-256(attestation key || QE authentication "
                         "data) followed by 32 zero bytes");
    }
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kQeReportBinding, std::move(binding),
                                      "binds the attestation key and QE authentication data"));
  }
  // The attestation key: a QE uses one key for many quotes, so the parsed key is cached by its
  // raw bytes (building it costs about as much as a signature verification).
  const std::string ak_key(auth.attestation_key.begin(), auth.attestation_key.end());
  std::optional<KeyEntry> ak_hit;
  if (im.options.cache) {
    ak_hit = im.key_cache.find(ak_key, at);
  }
  if (!ak_hit) {
    VOUCH_TRY(
        crypto::PublicKey key,
        steps.check(checks::kAttestationKey,
                    p256_from_raw(auth.attestation_key, checks::kAttestationKey), "P-256 point"));
    ak_hit = KeyEntry{key, Window{}};
    if (im.options.cache) {
      im.key_cache.put(ak_key, *ak_hit, at);
    }
  } else {
    steps.pass(checks::kAttestationKey, "P-256 point (parsed earlier)");
  }
  const crypto::PublicKey& attestation_key = ak_hit->key;
  VOUCH_RETURN_IF_ERROR(steps.check(
      checks::kQuoteSignature,
      verify_raw_signature(attestation_key, auth.signature, signed_region(quote_bytes, out.layout_),
                           checks::kQuoteSignature, "the quote signature by the attestation key"),
      "ECDSA P-256 over the header and body"));

  // 9. QE identity.
  if (qe_identity) {
    const EnclaveIdentityId want =
        tee == TeeKind::kTdx ? EnclaveIdentityId::kTdQe : EnclaveIdentityId::kQe;
    Status id_ok =
        qe_identity->id == want
            ? ok()
            : Status(rejected(checks::kQeIdentityMismatch,
                              "the enclave identity is '" +
                                  std::string(enclave_identity_id_name(qe_identity->id)) +
                                  "', this quote needs '" +
                                  std::string(enclave_identity_id_name(want)) + "'"));
    VOUCH_RETURN_IF_ERROR(steps.check(checks::kQeIdentityMismatch, std::move(id_ok),
                                      std::string(enclave_identity_id_name(want))));
    auto qe_eval = evaluate_qe_identity(*qe_identity, auth.qe.qe_report);
    const std::string qe_detail =
        qe_eval ? "MRSIGNER, ISVPRODID, MISCSELECT, ATTRIBUTES match; ISVSVN " +
                      std::to_string(auth.qe.qe_report.isv_svn) + ": " +
                      std::string(tcb_status_name(qe_eval->status))
                : std::string();
    VOUCH_TRY(out.qe_, steps.check(checks::kQeIdentityReport, std::move(qe_eval), qe_detail));
    out.qe_identity_ = qe_identity;
  } else {
    not_supplied(checks::kQeIdentityMismatch);
    not_supplied(checks::kQeIdentityReport);
  }

  // 10. TCB Info applies to this platform; TDX module; TCB level.
  if (!tcb_info) {
    not_supplied(checks::kTcbInfoMismatch);
    if (tee == TeeKind::kTdx) {
      not_supplied(checks::kTdxModule);
    }
    not_supplied(checks::kTcbLevel);
    not_supplied(checks::kTcbStatus);
    return out;
  }
  {
    const TcbInfoId want = tee == TeeKind::kTdx ? TcbInfoId::kTdx : TcbInfoId::kSgx;
    Status applies = ok();
    if (tcb_info->id != want) {
      applies = rejected(checks::kTcbInfoMismatch,
                         "the TCB Info is for " + std::string(tcb_info_id_name(tcb_info->id)) +
                             ", the quote is " + std::string(tcb_info_id_name(want)));
    } else if (tcb_info->fmspc != pck.extensions.fmspc) {
      applies =
          rejected(checks::kTcbInfoMismatch,
                   "the TCB Info is for FMSPC " + hex_encode(tcb_info->fmspc) +
                       ", the PCK certificate's FMSPC is " + hex_encode(pck.extensions.fmspc));
    } else if (tcb_info->pce_id != pck.extensions.pce_id) {
      applies =
          rejected(checks::kTcbInfoMismatch,
                   "the TCB Info is for PCE-ID " + hex_encode(tcb_info->pce_id) +
                       ", the PCK certificate's PCE-ID is " + hex_encode(pck.extensions.pce_id));
    }
    VOUCH_RETURN_IF_ERROR(steps.check(
        checks::kTcbInfoMismatch, std::move(applies),
        std::string(tcb_info_id_name(want)) + ", FMSPC " + hex_encode(pck.extensions.fmspc)));
  }
  std::optional<TdxTcbInput> tdx_input;
  if (tee == TeeKind::kTdx) {
    const Td10Report* td = td_body(quote);
    TdxTcbInput in;
    in.quote_version = header.version;
    in.tee_tcb_svn = td->tee_tcb_svn;
    in.mr_signer_seam = td->mr_signer_seam;
    in.seam_attributes = td->seam_attributes;
    if (const Td15Report* td15 = td15_body(quote)) {
      in.tee_tcb_svn2 = td15->tee_tcb_svn2;
    }
    tdx_input = in;
    auto module = evaluate_tdx_module(*tcb_info, in);
    const std::string module_detail =
        module ? (module->identity_id.empty() ? std::string("tdxModule (major version 0)")
                                              : module->identity_id) +
                     ": " + std::string(tcb_status_name(module->status))
               : std::string();
    VOUCH_TRY(out.tdx_module_, steps.check(checks::kTdxModule, std::move(module), module_detail));
  }
  VOUCH_TRY(out.tcb_, steps.check(checks::kTcbLevel,
                                  evaluate_tcb(*tcb_info, pck.extensions.tcb,
                                               tdx_input ? &*tdx_input : nullptr,
                                               out.tdx_module_ ? &*out.tdx_module_ : nullptr,
                                               out.qe_ ? &*out.qe_ : nullptr)));
  steps.pass(checks::kTcbStatus, std::string(tcb_status_name(out.tcb_->status)) + " (tcbDate " +
                                     format_rfc3339(out.tcb_->tcb_date) + ")");
  out.tcb_info_ = tcb_info;
  return out;
}

}  // namespace vouch::dcap
