#include "evidence/sevsnp/abi.h"

#include <set>
#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/encoding.h"
#include "evidence/sevsnp/check_ids.h"

namespace vouch::sevsnp {
namespace {

constexpr std::uint64_t kPolicyReservedOne = 1ull << 17;
constexpr std::uint64_t kPolicyKnownBits = (1ull << 26) - 1;

bool bit(std::uint64_t v, int n) noexcept {
  return ((v >> n) & 1u) != 0;
}

std::string hex_offset(std::size_t off) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), kHex[off & 0xf]);
    off >>= 4;
  } while (off != 0);
  return "0x" + s;
}

// Reads `n` reserved bytes that must be zero, naming the first non-zero one.
Status mbz(ByteReader& r, std::size_t n, std::string_view what) {
  if (r.zeros(n)) {
    return ok();
  }
  if (r.last_need() != 0) {
    return fail(r.truncated(checks::kReportSize, what));
  }
  return malformed(checks::kReportMbz, std::string(what) + ": reserved byte at offset " +
                                           hex_offset(r.nonzero_at()) + " is not zero");
}

}  // namespace

Result<GuestPolicy> parse_guest_policy(std::uint64_t policy) {
  if ((policy & kPolicyReservedOne) == 0) {
    return malformed(checks::kReportPolicy, "guest policy bit 17 is reserved and must be 1");
  }
  if ((policy & ~kPolicyKnownBits) != 0) {
    return malformed(
        checks::kReportPolicy,
        "guest policy has reserved bits 26-63 set: " +
            hex_encode(Bytes{
                static_cast<std::uint8_t>(policy >> 56), static_cast<std::uint8_t>(policy >> 48),
                static_cast<std::uint8_t>(policy >> 40), static_cast<std::uint8_t>(policy >> 32),
                static_cast<std::uint8_t>(policy >> 24)}));
  }
  GuestPolicy p;
  p.abi_minor = static_cast<std::uint8_t>(policy & 0xff);
  p.abi_major = static_cast<std::uint8_t>((policy >> 8) & 0xff);
  p.smt = bit(policy, 16);
  p.migrate_ma = bit(policy, 18);
  p.debug = bit(policy, 19);
  p.single_socket = bit(policy, 20);
  p.cxl_allowed = bit(policy, 21);
  p.mem_aes_256_xts = bit(policy, 22);
  p.rapl_dis = bit(policy, 23);
  p.ciphertext_hiding = bit(policy, 24);
  p.page_swap_disable = bit(policy, 25);
  return p;
}

std::uint64_t encode_guest_policy(const GuestPolicy& p) noexcept {
  std::uint64_t v = p.abi_minor | (std::uint64_t{p.abi_major} << 8) | kPolicyReservedOne;
  const std::pair<bool, int> flags[] = {
      {p.smt, 16},           {p.migrate_ma, 18},        {p.debug, 19},
      {p.single_socket, 20}, {p.cxl_allowed, 21},       {p.mem_aes_256_xts, 22},
      {p.rapl_dis, 23},      {p.ciphertext_hiding, 24}, {p.page_swap_disable, 25}};
  for (const auto& [on, n] : flags) {
    if (on) {
      v |= 1ull << n;
    }
  }
  return v;
}

PlatformInfo decode_platform_info(std::uint64_t raw) noexcept {
  PlatformInfo p;
  p.smt_enabled = bit(raw, 0);
  p.tsme_enabled = bit(raw, 1);
  p.ecc_enabled = bit(raw, 2);
  p.rapl_disabled = bit(raw, 3);
  p.ciphertext_hiding_enabled = bit(raw, 4);
  p.alias_check_complete = bit(raw, 5);
  return p;
}

Result<SignerInfo> parse_signer_info(std::uint32_t raw) {
  if ((raw >> 5) != 0) {
    return malformed(checks::kReportSignerInfo,
                     "signer info (offset 0x48) has reserved bits 5-31 set");
  }
  const std::uint32_t key = (raw >> 2) & 7u;
  if (key != 0 && key != 1 && key != 7) {
    return malformed(checks::kReportSignerInfo, "SIGNING_KEY " + std::to_string(key) +
                                                    " is reserved (0 VCEK, 1 VLEK, 7 none)");
  }
  SignerInfo s;
  s.signing_key = static_cast<SigningKey>(key);
  s.mask_chip_key = (raw & 2u) != 0;
  s.author_key_en = (raw & 1u) != 0;
  return s;
}

std::uint32_t encode_signer_info(const SignerInfo& s) noexcept {
  return (static_cast<std::uint32_t>(s.signing_key) << 2) | (s.mask_chip_key ? 2u : 0u) |
         (s.author_key_en ? 1u : 0u);
}

GuestPolicy guest_policy(const Report& r) noexcept {
  return parse_guest_policy(r.policy).value_or(GuestPolicy{});
}

SignerInfo signer_info(const Report& r) noexcept {
  return parse_signer_info(r.signer_info).value_or(SignerInfo{SigningKey::kNone, false, false});
}

Result<Report> parse_report(ByteSpan raw) {
  if (raw.size() != kReportSize) {
    return malformed(checks::kReportSize, "an SEV-SNP report is " + std::to_string(kReportSize) +
                                              " bytes, got " + std::to_string(raw.size()));
  }
  ByteReader r(raw);
  Report rep;
  // The size is exact, so no fixed-size read below can run short.
  (void)r.u32le(rep.version);
  if (rep.version < kMinReportVersion || rep.version > kMaxReportVersion) {
    return malformed(checks::kReportVersion, "report version " + std::to_string(rep.version) +
                                                 " at offset 0x0 is not supported (" +
                                                 std::to_string(kMinReportVersion) + " to " +
                                                 std::to_string(kMaxReportVersion) + ")");
  }
  (void)(r.u32le(rep.guest_svn) && r.u64le(rep.policy) && r.array(rep.family_id) &&
         r.array(rep.image_id) && r.u32le(rep.vmpl) && r.u32le(rep.signature_algo) &&
         r.u64le(rep.current_tcb) && r.u64le(rep.platform_info) && r.u32le(rep.signer_info));
  if (rep.signature_algo != kSigAlgoEcdsaP384Sha384) {
    return malformed(checks::kReportSignatureAlgo, "SIGNATURE_ALGO at offset 0x34 is " +
                                                       std::to_string(rep.signature_algo) +
                                                       ", expected 1 (ECDSA P-384 with SHA-384)");
  }
  VOUCH_RETURN_IF_ERROR(mbz(r, 4, "reserved after SIGNER_INFO"));
  (void)(r.array(rep.report_data) && r.array(rep.measurement) && r.array(rep.host_data) &&
         r.array(rep.id_key_digest) && r.array(rep.author_key_digest) && r.array(rep.report_id) &&
         r.array(rep.report_id_ma) && r.u64le(rep.reported_tcb));
  if (rep.version >= 3) {
    Cpuid c;
    (void)(r.u8(c.family) && r.u8(c.model) && r.u8(c.stepping));
    rep.cpuid = c;
    VOUCH_RETURN_IF_ERROR(mbz(r, 0x1A0 - 0x18B, "reserved after CPUID"));
  } else {
    VOUCH_RETURN_IF_ERROR(mbz(r, 0x1A0 - 0x188, "reserved after REPORTED_TCB"));
  }
  (void)(r.array(rep.chip_id) && r.u64le(rep.committed_tcb) && r.u8(rep.current_version.build) &&
         r.u8(rep.current_version.minor) && r.u8(rep.current_version.major));
  VOUCH_RETURN_IF_ERROR(mbz(r, 1, "reserved after CURRENT_MAJOR"));
  (void)(r.u8(rep.committed_version.build) && r.u8(rep.committed_version.minor) &&
         r.u8(rep.committed_version.major));
  VOUCH_RETURN_IF_ERROR(mbz(r, 1, "reserved after COMMITTED_MAJOR"));
  (void)r.u64le(rep.launch_tcb);
  if (rep.version >= 5) {
    std::uint64_t launch = 0;
    std::uint64_t current = 0;
    (void)(r.u64le(launch) && r.u64le(current));
    rep.launch_mit_vector = launch;
    rep.current_mit_vector = current;
    VOUCH_RETURN_IF_ERROR(mbz(r, kSignedSize - 0x208, "reserved after CURRENT_MIT_VECTOR"));
  } else {
    VOUCH_RETURN_IF_ERROR(mbz(r, kSignedSize - 0x1F8, "reserved after LAUNCH_TCB"));
  }
  (void)(r.array(rep.signature_r) && r.array(rep.signature_s));
  VOUCH_RETURN_IF_ERROR(mbz(r, kReportSize - 0x330, "reserved after the signature's R and S"));
  if (!r.empty()) {
    return fail(r.trailing(checks::kReportSize, "the report"));  // unreachable: size is exact
  }
  VOUCH_RETURN_IF_ERROR(parse_guest_policy(rep.policy));
  VOUCH_RETURN_IF_ERROR(parse_signer_info(rep.signer_info));
  return rep;
}

Bytes serialize(const Report& rep) {
  ByteWriter w;
  w.u32le(rep.version)
      .u32le(rep.guest_svn)
      .u64le(rep.policy)
      .bytes(rep.family_id)
      .bytes(rep.image_id)
      .u32le(rep.vmpl)
      .u32le(rep.signature_algo)
      .u64le(rep.current_tcb)
      .u64le(rep.platform_info)
      .u32le(rep.signer_info)
      .zeros(4)
      .bytes(rep.report_data)
      .bytes(rep.measurement)
      .bytes(rep.host_data)
      .bytes(rep.id_key_digest)
      .bytes(rep.author_key_digest)
      .bytes(rep.report_id)
      .bytes(rep.report_id_ma)
      .u64le(rep.reported_tcb);
  if (rep.version >= 3) {
    const Cpuid c = rep.cpuid.value_or(Cpuid{});
    w.u8(c.family).u8(c.model).u8(c.stepping).zeros(0x1A0 - 0x18B);
  } else {
    w.zeros(0x1A0 - 0x188);
  }
  w.bytes(rep.chip_id)
      .u64le(rep.committed_tcb)
      .u8(rep.current_version.build)
      .u8(rep.current_version.minor)
      .u8(rep.current_version.major)
      .zeros(1)
      .u8(rep.committed_version.build)
      .u8(rep.committed_version.minor)
      .u8(rep.committed_version.major)
      .zeros(1)
      .u64le(rep.launch_tcb);
  if (rep.version >= 5) {
    w.u64le(rep.launch_mit_vector.value_or(0))
        .u64le(rep.current_mit_vector.value_or(0))
        .zeros(kSignedSize - 0x208);
  } else {
    w.zeros(kSignedSize - 0x1F8);
  }
  w.bytes(rep.signature_r).bytes(rep.signature_s).zeros(kReportSize - 0x330);
  return std::move(w).take();
}

// --- certificate table ---

namespace {
constexpr std::size_t kEntrySize = 24;

bool all_zero(ByteSpan b) {
  for (std::uint8_t x : b) {
    if (x != 0) {
      return false;
    }
  }
  return true;
}

Error table_error(std::string detail) {
  return Error{ErrorKind::kMalformedEvidence, checks::kCertTable, std::move(detail)};
}
}  // namespace

const CertTableEntry* CertTable::find(const Guid& guid) const noexcept {
  for (const auto& e : entries) {
    if (e.guid == guid) {
      return &e;
    }
  }
  return nullptr;
}

Result<CertTable> parse_cert_table(ByteSpan raw) {
  CertTable table;
  if (raw.empty()) {
    return table;
  }
  struct Header {
    Guid guid;
    std::uint32_t offset;
    std::uint32_t length;
  };
  std::vector<Header> headers;
  ByteReader r(raw);
  for (;;) {
    Header h{};
    if (!(r.array(h.guid) && r.u32le(h.offset) && r.u32le(h.length))) {
      return fail(
          r.truncated(checks::kCertTable, "certificate table entry (no all-zero terminator)"));
    }
    const bool zero_guid = all_zero(h.guid);
    if (zero_guid && h.offset == 0 && h.length == 0) {
      break;
    }
    const std::string where = "entry " + std::to_string(headers.size()) + " at offset " +
                              std::to_string(r.offset() - kEntrySize);
    if (zero_guid) {
      return fail(table_error(where + " has an all-zero GUID"));
    }
    headers.push_back(h);
  }
  const std::size_t header_size = r.offset();
  std::set<Guid> seen;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const Header& h = headers[i];
    const std::string where = "entry " + std::to_string(i);
    if (!seen.insert(h.guid).second) {
      return fail(table_error(where + " repeats GUID " + hex_encode(h.guid)));
    }
    if (h.offset < header_size) {
      return fail(table_error(where + " offset " + std::to_string(h.offset) +
                              " points into the table header (" + std::to_string(header_size) +
                              " bytes)"));
    }
    if (h.offset > raw.size() || h.length > raw.size() - h.offset) {
      return fail(table_error(where + " [" + std::to_string(h.offset) + ", +" +
                              std::to_string(h.length) + ") runs past the end (" +
                              std::to_string(raw.size()) + " bytes)"));
    }
    if (h.length == 0) {
      return fail(table_error(where + " is empty"));
    }
    const ByteSpan data = raw.subspan(h.offset, h.length);
    table.entries.push_back(CertTableEntry{h.guid, Bytes(data.begin(), data.end())});
  }
  return table;
}

Bytes serialize(const CertTable& table) {
  ByteWriter w;
  std::size_t offset = (table.entries.size() + 1) * kEntrySize;
  for (const auto& e : table.entries) {
    w.bytes(e.guid)
        .u32le(static_cast<std::uint32_t>(offset))
        .u32le(static_cast<std::uint32_t>(e.data.size()));
    offset += e.data.size();
  }
  w.zeros(kEntrySize);
  for (const auto& e : table.entries) {
    w.bytes(e.data);
  }
  return std::move(w).take();
}

}  // namespace vouch::sevsnp
