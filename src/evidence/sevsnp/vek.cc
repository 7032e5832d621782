#include "evidence/sevsnp/vek.h"

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "evidence/sevsnp/check_ids.h"

namespace vouch::sevsnp {
namespace {

using collateral::AmdKeyKind;
using collateral::AmdProduct;

// DER encodings of the OIDs the profile needs (tag and length included).
constexpr std::uint8_t kOidRsaPss[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                       0xf7, 0x0d, 0x01, 0x01, 0x0a};
constexpr std::uint8_t kOidSha384[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                       0x65, 0x03, 0x04, 0x02, 0x02};

Error profile(std::string detail) {
  return Error{ErrorKind::kEvidenceRejected, checks::kVekProfile, std::move(detail)};
}

// Reads one DER TLV (definite length, at most 4 length bytes) and returns its tag and value.
bool read_tlv(ByteReader& r, std::uint8_t& tag, ByteSpan& value) {
  std::uint8_t len0 = 0;
  if (!r.u8(tag) || !r.u8(len0)) {
    return false;
  }
  std::size_t len = len0;
  if (len0 & 0x80) {
    const std::size_t n = len0 & 0x7f;
    if (n == 0 || n > 4) {
      return false;
    }
    len = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::uint8_t b = 0;
      if (!r.u8(b)) {
        return false;
      }
      len = (len << 8) | b;
    }
  }
  return r.bytes(len, value);
}

// The whole of `der` is exactly one TLV with tag `tag`; returns its value.
std::optional<ByteSpan> single(ByteSpan der, std::uint8_t tag) {
  ByteReader r(der);
  std::uint8_t t = 0;
  ByteSpan v;
  if (!read_tlv(r, t, v) || t != tag || !r.empty()) {
    return std::nullopt;
  }
  return v;
}

Result<std::uint8_t> der_u8(const std::optional<Bytes>& ext, const std::string& what) {
  if (!ext) {
    return fail(profile("missing extension " + what));
  }
  const auto v = single(*ext, 0x02);  // INTEGER
  if (!v || v->empty() || v->size() > 2 || ((*v)[0] & 0x80) != 0 ||
      (v->size() == 2 && ((*v)[0] != 0 || ((*v)[1] & 0x80) == 0))) {
    return fail(profile("extension " + what + " is not an INTEGER 0-255"));
  }
  return v->back();
}

Result<std::string> der_ia5(const std::optional<Bytes>& ext, const std::string& what) {
  if (!ext) {
    return fail(profile("missing extension " + what));
  }
  const auto v = single(*ext, 0x16);  // IA5String
  if (!v) {
    return fail(profile("extension " + what + " is not an IA5String"));
  }
  std::string s;
  for (std::uint8_t c : *v) {
    if (c >= 0x80) {
      return fail(profile("extension " + what + " is not an IA5String"));
    }
    s.push_back(static_cast<char>(c));
  }
  return s;
}

// The hwID: AMD KDS writes the raw bytes without an OCTET STRING tag; accept a tagged form too.
Result<Bytes> der_hwid(const Bytes& ext, std::size_t size) {
  if (ext.size() == size) {
    return ext;
  }
  const auto v = single(ext, 0x04);
  if (!v || v->size() != size) {
    return fail(profile("extension hwID is not " + std::to_string(size) + " bytes"));
  }
  return Bytes(v->begin(), v->end());
}

// Checks the certificate's signatureAlgorithm is RSASSA-PSS with SHA-384.
Status check_pss_sha384(const crypto::Certificate& cert, const std::string& role) {
  ByteReader outer(cert.der());
  std::uint8_t tag = 0;
  ByteSpan body;
  if (!read_tlv(outer, tag, body) || tag != 0x30) {
    return fail(profile(role + ": not a DER certificate"));
  }
  ByteReader r(body);
  ByteSpan tbs;
  ByteSpan alg;
  if (!read_tlv(r, tag, tbs) || tag != 0x30 || !read_tlv(r, tag, alg) || tag != 0x30) {
    return fail(profile(role + ": no signatureAlgorithm"));
  }
  ByteReader a(alg);
  ByteSpan oid_value;
  ByteSpan params;
  const std::size_t oid_start = a.offset();
  if (!read_tlv(a, tag, oid_value) || tag != 0x06 ||
      !equal_bytes(ByteSpan(alg).subspan(oid_start, a.offset() - oid_start), kOidRsaPss)) {
    return fail(profile(role + " is not signed with RSASSA-PSS"));
  }
  // RSASSA-PSS-params: SEQUENCE { [0] hashAlgorithm, ... }; the hash must be SHA-384.
  ByteSpan hash_alg;
  ByteSpan hash_seq;
  if (!read_tlv(a, tag, params) || tag != 0x30) {
    return fail(profile(role + ": RSASSA-PSS without parameters"));
  }
  ByteReader p(params);
  if (!read_tlv(p, tag, hash_alg) || tag != 0xa0) {
    return fail(profile(role + ": RSASSA-PSS without a hash algorithm (SHA-1 default)"));
  }
  ByteReader h(hash_alg);
  if (!read_tlv(h, tag, hash_seq) || tag != 0x30 || hash_seq.size() < sizeof(kOidSha384) ||
      !equal_bytes(hash_seq.first(sizeof(kOidSha384)), kOidSha384)) {
    return fail(profile(role + " is not signed with SHA-384"));
  }
  return ok();
}

Status check_rsa4096(const crypto::Certificate& cert, const std::string& role) {
  auto key = cert.public_key();
  if (!key || key->type() != crypto::KeyType::kRsa || key->bits() != 4096) {
    return fail(profile(role + " does not have an RSA-4096 key"));
  }
  return ok();
}

Status check_cn(const std::string& cn, const std::string& expected, const std::string& role) {
  if (cn != expected) {
    return fail(profile(role + " is '" + cn + "', expected '" + expected + "'"));
  }
  return ok();
}

// DER of 1.3.6.1.4.1.3704.1 (the OID value bytes, without tag and length).
constexpr std::uint8_t kKdsOidPrefix[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x01};
// AlgorithmIdentifier { id-ecPublicKey, secp384r1 } (value bytes).
constexpr std::uint8_t kEcP384AlgId[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
                                         0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};

// The parts of a TBSCertificate the KDS profile reads.
struct TbsView {
  ByteSpan spki;                                          // SubjectPublicKeyInfo value
  std::vector<std::pair<ByteSpan, ByteSpan>> extensions;  // OID value -> extnValue content
};

Result<TbsView> tbs_view(ByteSpan der) {
  const auto bad = [] { return fail(profile("the certificate's TBSCertificate cannot be read")); };
  ByteReader outer(der);
  std::uint8_t tag = 0;
  ByteSpan cert;
  ByteSpan tbs;
  if (!read_tlv(outer, tag, cert) || tag != 0x30) {
    return bad();
  }
  ByteReader c(cert);
  if (!read_tlv(c, tag, tbs) || tag != 0x30) {
    return bad();
  }
  ByteReader t(tbs);
  TbsView view;
  int index = 0;  // position among the non-optional fields
  while (!t.empty()) {
    ByteSpan v;
    if (!read_tlv(t, tag, v)) {
      return bad();
    }
    if (tag == 0xa0 && index == 0) {
      continue;  // [0] version
    }
    ++index;
    if (index == 6) {
      view.spki = v;
    }
    if (tag == 0xa3) {
      ByteReader seq_reader(v);
      ByteSpan seq;
      if (!read_tlv(seq_reader, tag, seq) || tag != 0x30 || !seq_reader.empty()) {
        return bad();
      }
      ByteReader exts(seq);
      while (!exts.empty()) {
        ByteSpan ext;
        if (!read_tlv(exts, tag, ext) || tag != 0x30) {
          return bad();
        }
        ByteReader e(ext);
        ByteSpan oid;
        ByteSpan value;
        if (!read_tlv(e, tag, oid) || tag != 0x06 || !read_tlv(e, tag, value)) {
          return bad();
        }
        if (tag == 0x01 && !read_tlv(e, tag, value)) {  // critical flag
          return bad();
        }
        if (tag != 0x04 || !e.empty()) {
          return bad();
        }
        view.extensions.emplace_back(oid, value);
      }
    }
  }
  if (view.spki.empty()) {
    return bad();
  }
  return view;
}
}  // namespace

std::string common_name(const std::string& rfc2253) {
  std::size_t pos = 0;
  while (pos < rfc2253.size()) {
    std::size_t end = rfc2253.find(',', pos);
    if (end == std::string::npos) {
      end = rfc2253.size();
    }
    const std::string_view part(rfc2253.data() + pos, end - pos);
    if (part.starts_with("CN=")) {
      return std::string(part.substr(3));
    }
    pos = end + 1;
  }
  return {};
}

std::string vek_common_name(AmdKeyKind kind) {
  return kind == AmdKeyKind::kVcek ? "SEV-VCEK" : "SEV-VLEK";
}

std::string intermediate_common_name(AmdProduct product, AmdKeyKind kind) {
  return std::string(kind == AmdKeyKind::kVcek ? "SEV-" : "SEV-VLEK-") +
         std::string(collateral::amd_product_name(product));
}

std::string ark_common_name(AmdProduct product) {
  return "ARK-" + std::string(collateral::amd_product_name(product));
}

Result<VekExtensions> parse_vek_extensions(const crypto::Certificate& cert, AmdKeyKind kind) {
  // One pass over the (OpenSSL-validated) DER instead of a lookup per OID.
  VOUCH_TRY(const TbsView tbs, tbs_view(cert.der()));
  std::map<int, Bytes> kds;  // 1, 2, 4, 5 and 300 + n for 3.<n>
  for (const auto& [oid_value, value] : tbs.extensions) {
    if (oid_value.size() < sizeof(kKdsOidPrefix) ||
        !equal_bytes(oid_value.first(sizeof(kKdsOidPrefix)), kKdsOidPrefix)) {
      continue;
    }
    const ByteSpan rest = oid_value.subspan(sizeof(kKdsOidPrefix));
    int key = -1;
    if (rest.size() == 1 && rest[0] >= 1 && rest[0] <= 5 && rest[0] != 3) {
      key = rest[0];
    } else if (rest.size() == 2 && rest[0] == 3 && rest[1] >= 1 && rest[1] <= 9) {
      key = 300 + rest[1];
    }
    if (key < 0) {
      continue;
    }
    if (!kds.emplace(key, Bytes(value.begin(), value.end())).second) {
      return fail(profile("a KDS extension appears twice"));
    }
  }
  const auto get = [&](int key) -> std::optional<Bytes> {
    const auto it = kds.find(key);
    return it == kds.end() ? std::nullopt : std::optional<Bytes>(it->second);
  };
  VekExtensions out;
  out.kind = kind;
  VOUCH_TRY(out.struct_version, der_u8(get(1), "structVersion"));
  VOUCH_TRY(out.product_name, der_ia5(get(2), "productName"));
  for (int n = 1; n <= 9; ++n) {
    const auto ext = get(300 + n);
    if (ext) {
      VOUCH_TRY(out.spl[n], der_u8(ext, "SPL 3." + std::to_string(n)));
    }
  }
  const auto hwid = get(4);
  const auto csp = get(5);
  if (kind == AmdKeyKind::kVcek) {
    if (!hwid || csp) {
      return fail(profile("a VCEK has a hwID extension and no CSP id"));
    }
    const auto product = collateral::amd_product_from_product_name(out.product_name);
    VOUCH_TRY(out.hwid, der_hwid(*hwid, product ? collateral::amd_hwid_size(*product)
                                                : collateral::kChipIdSize));
  } else {
    if (hwid || !csp) {
      return fail(profile("a VLEK has a CSP id extension and no hwID"));
    }
    VOUCH_TRY(out.csp_id, der_ia5(csp, "csp_id"));
  }
  return out;
}

Result<P384PublicKey> vek_public_key(const crypto::Certificate& cert) {
  VOUCH_TRY(const TbsView tbs, tbs_view(cert.der()));
  ByteReader r(tbs.spki);
  std::uint8_t tag = 0;
  ByteSpan alg;
  ByteSpan bits;
  if (!read_tlv(r, tag, alg) || tag != 0x30 || !read_tlv(r, tag, bits) || tag != 0x03 ||
      !r.empty() || !equal_bytes(alg, kEcP384AlgId) || bits.size() != 2 + 96 || bits[0] != 0 ||
      bits[1] != 0x04) {
    return fail(profile("the VEK key is not an uncompressed EC P-384 point"));
  }
  P384PublicKey key;
  std::copy(bits.begin() + 2, bits.begin() + 50, key.x.begin());
  std::copy(bits.begin() + 50, bits.end(), key.y.begin());
  return key;
}

Result<std::uint64_t> vek_tcb(const VekExtensions& ext, AmdProduct product) {
  const auto spl = [&](int n) -> std::optional<std::uint8_t> {
    const auto it = ext.spl.find(n);
    return it == ext.spl.end() ? std::nullopt : std::optional<std::uint8_t>(it->second);
  };
  // SPL extension index -> byte of TCB_VERSION.
  const bool turin = product == AmdProduct::kTurin;
  const std::vector<std::pair<int, std::size_t>> required =
      turin ? std::vector<std::pair<int, std::size_t>>{{9, 0}, {1, 1}, {2, 2}, {3, 3}, {8, 7}}
            : std::vector<std::pair<int, std::size_t>>{{1, 0}, {2, 1}, {3, 6}, {8, 7}};
  const std::vector<std::pair<int, std::size_t>> reserved =
      turin ? std::vector<std::pair<int, std::size_t>>{{5, 4}, {6, 5}, {7, 6}}
            : std::vector<std::pair<int, std::size_t>>{{4, 2}, {5, 3}, {6, 4}, {7, 5}};
  std::uint64_t tcb = 0;
  for (const auto& [n, byte] : required) {
    const auto v = spl(n);
    if (!v) {
      return rejected(checks::kVekTcb, "the certificate lacks SPL extension 3." +
                                           std::to_string(n) + " required for " +
                                           std::string(collateral::amd_product_name(product)));
    }
    tcb |= static_cast<std::uint64_t>(*v) << (8 * byte);
  }
  for (const auto& [n, byte] : reserved) {
    tcb |= static_cast<std::uint64_t>(spl(n).value_or(0)) << (8 * byte);
  }
  if (turin && spl(4).value_or(0) != 0) {
    return rejected(checks::kVekTcb, "SPL 3.4 has no place in a Turin TCB_VERSION");
  }
  if (!turin && spl(9)) {
    return rejected(checks::kVekTcb, "an FMC SPL (3.9) has no place in a pre-Turin TCB_VERSION");
  }
  return tcb;
}

Status check_vek_profile(const std::vector<crypto::Certificate>& chain, AmdProduct product,
                         AmdKeyKind kind, const std::vector<std::string>* subject_cns) {
  if (chain.size() != 3) {
    return fail(profile("the chain has " + std::to_string(chain.size()) +
                        " certificates; expected VEK, ASK/ASVK and ARK"));
  }
  const std::string names[] = {vek_common_name(kind), intermediate_common_name(product, kind),
                               ark_common_name(product)};
  const std::string roles[] = {"the VEK subject", "the ASK/ASVK subject", "the ARK subject"};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string cn = subject_cns != nullptr && subject_cns->size() == chain.size()
                               ? (*subject_cns)[i]
                               : common_name(chain[i].subject());
    VOUCH_RETURN_IF_ERROR(check_cn(cn, names[i], roles[i]));
    VOUCH_RETURN_IF_ERROR(check_pss_sha384(chain[i], names[i]));
  }
  VOUCH_RETURN_IF_ERROR(check_rsa4096(chain[1], names[1]));
  VOUCH_RETURN_IF_ERROR(check_rsa4096(chain[2], names[2]));
  auto key = chain[0].public_key();
  if (!key || key->type() != crypto::KeyType::kEc || key->curve() != crypto::Curve::kP384) {
    return fail(profile(names[0] + " does not have an EC P-384 key"));
  }
  return ok();
}

}  // namespace vouch::sevsnp
