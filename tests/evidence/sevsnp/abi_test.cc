// SEV-SNP report and certificate-table parsing: exact sizes, versions, reserved bytes, policy and
// signer bits, round trips.

#include "evidence/sevsnp/abi.h"

#include <gtest/gtest.h>

#include "base/byte_writer.h"
#include "evidence/sevsnp/check_ids.h"
#include "testing/fake_amd_pki.h"
#include "testing/matchers.h"

namespace vouch::sevsnp {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

Bytes report_bytes(std::uint32_t version, AmdProduct product = AmdProduct::kMilan) {
  return serialize(
      ::vouch::testing::default_report(product, version, ::vouch::testing::test_tcb(product)));
}

TEST(SnpReport, RoundTripsEveryVersion) {
  for (std::uint32_t v : {2u, 3u, 4u, 5u}) {
    const Bytes raw = report_bytes(v);
    ASSERT_EQ(raw.size(), kReportSize);
    auto rep = parse_report(raw);
    ASSERT_THAT(rep, Succeeds()) << "version " << v;
    EXPECT_EQ(rep->version, v);
    EXPECT_EQ(rep->cpuid.has_value(), v >= 3);
    EXPECT_EQ(rep->launch_mit_vector.has_value(), v >= 5);
    EXPECT_EQ(serialize(*rep), raw);
  }
}

TEST(SnpReport, FieldsLandAtTheirAbiOffsets) {
  Report r = ::vouch::testing::default_report(AmdProduct::kGenoa, 5, 0x1122334455667788);
  r.vmpl = 3;
  r.host_data[0] = 0xab;
  r.chip_id[63] = 0xcd;
  r.launch_mit_vector = 0x0102;
  const Bytes raw = serialize(r);
  EXPECT_EQ(raw[0x30], 3);
  EXPECT_EQ(raw[0xC0], 0xab);
  EXPECT_EQ(raw[0x1A0 + 63], 0xcd);
  EXPECT_EQ(raw[0x188], 0x19);
  EXPECT_EQ(raw[0x189], 0x11);
  EXPECT_EQ(raw[0x180], 0x88);
  EXPECT_EQ(raw[0x1F8], 0x02);
  EXPECT_EQ(raw[0x1F9], 0x01);
}

TEST(SnpReport, RejectsWrongSize) {
  Bytes raw = report_bytes(3);
  raw.push_back(0);
  EXPECT_THAT(parse_report(raw), FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSize));
  raw.resize(kReportSize - 1);
  EXPECT_THAT(parse_report(raw), FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSize));
  EXPECT_THAT(parse_report({}), FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSize));
}

TEST(SnpReport, RejectsUnsupportedVersions) {
  for (int v : {0, 1, 6, 0xff}) {
    Bytes raw = report_bytes(3);
    raw[0] = static_cast<std::uint8_t>(v);
    EXPECT_THAT(parse_report(raw), FailsWith(ErrorKind::kMalformedEvidence, checks::kReportVersion))
        << v;
  }
}

TEST(SnpReport, RejectsOtherSignatureAlgorithms) {
  for (int a : {0, 2}) {
    Bytes raw = report_bytes(3);
    raw[0x34] = static_cast<std::uint8_t>(a);
    EXPECT_THAT(parse_report(raw),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSignatureAlgo));
  }
}

TEST(SnpReport, EveryReservedByteMustBeZero) {
  struct Range {
    std::uint32_t version;
    std::size_t from;
    std::size_t to;
  };
  const Range ranges[] = {{2, 0x4C, 0x50},   {2, 0x188, 0x1A0}, {3, 0x18B, 0x1A0},
                          {5, 0x18B, 0x1A0}, {3, 0x1EB, 0x1EC}, {3, 0x1EF, 0x1F0},
                          {2, 0x1F8, 0x2A0}, {3, 0x1F8, 0x2A0}, {5, 0x208, 0x2A0},
                          {3, 0x330, 0x4A0}};
  for (const Range& r : ranges) {
    for (std::size_t off = r.from; off < r.to; ++off) {
      Bytes raw = report_bytes(r.version);
      raw[off] = 1;
      EXPECT_THAT(parse_report(raw), FailsWith(ErrorKind::kMalformedEvidence, checks::kReportMbz))
          << "version " << r.version << " offset " << off;
    }
  }
}

TEST(SnpReport, GuestPolicyReservedBits) {
  EXPECT_THAT(parse_guest_policy(0),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kReportPolicy));
  for (int b = 26; b < 64; ++b) {
    EXPECT_THAT(parse_guest_policy((1ull << 17) | (1ull << b)),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kReportPolicy))
        << b;
  }
  Bytes raw = report_bytes(2);
  raw[0x08 + 2] = 0;  // clear bit 17
  EXPECT_THAT(parse_report(raw), FailsWith(ErrorKind::kMalformedEvidence, checks::kReportPolicy));
}

TEST(SnpReport, GuestPolicyBitsDecodeAndEncode) {
  auto p = parse_guest_policy(0x3ff1f02);
  ASSERT_THAT(p, Succeeds());
  EXPECT_EQ(p->abi_minor, 2);
  EXPECT_EQ(p->abi_major, 0x1f);
  EXPECT_TRUE(p->smt && p->migrate_ma && p->debug && p->single_socket && p->cxl_allowed &&
              p->mem_aes_256_xts && p->rapl_dis && p->ciphertext_hiding && p->page_swap_disable);
  EXPECT_EQ(encode_guest_policy(*p), 0x3ff1f02u);
  auto go = parse_guest_policy(0xb0000);  // go-sev-guest's attestation.bin: SMT and debug
  ASSERT_THAT(go, Succeeds());
  EXPECT_TRUE(go->smt && go->debug);
  EXPECT_FALSE(go->migrate_ma || go->single_socket);
}

TEST(SnpReport, SignerInfo) {
  EXPECT_THAT(parse_signer_info(1u << 5),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSignerInfo));
  for (std::uint32_t key = 2; key <= 6; ++key) {
    EXPECT_THAT(parse_signer_info(key << 2),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSignerInfo));
  }
  auto s = parse_signer_info(0x4 | 0x2 | 0x1);
  ASSERT_THAT(s, Succeeds());
  EXPECT_EQ(s->signing_key, SigningKey::kVlek);
  EXPECT_TRUE(s->mask_chip_key && s->author_key_en);
  EXPECT_EQ(encode_signer_info(*s), 7u);
  Bytes raw = report_bytes(3);
  raw[0x48] = 3 << 2;
  EXPECT_THAT(parse_report(raw),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kReportSignerInfo));
}

TEST(SnpReport, PlatformInfoBits) {
  const PlatformInfo p = decode_platform_info(0x25);
  EXPECT_TRUE(p.smt_enabled && p.ecc_enabled && p.alias_check_complete);
  EXPECT_FALSE(p.tsme_enabled || p.rapl_disabled || p.ciphertext_hiding_enabled);
}

// --- certificate table ---

CertTable sample_table() {
  CertTable t;
  t.entries.push_back({kVcekGuid, Bytes(100, 0x11)});
  t.entries.push_back({kAskGuid, Bytes(50, 0x22)});
  t.entries.push_back({kArkGuid, Bytes(70, 0x33)});
  return t;
}

TEST(SnpCertTable, RoundTrips) {
  const Bytes raw = serialize(sample_table());
  auto t = parse_cert_table(raw);
  ASSERT_THAT(t, Succeeds());
  ASSERT_EQ(t->entries.size(), 3u);
  ASSERT_NE(t->find(kAskGuid), nullptr);
  EXPECT_EQ(t->find(kAskGuid)->data, Bytes(50, 0x22));
  EXPECT_EQ(t->find(kVlekGuid), nullptr);
  EXPECT_EQ(serialize(*t), raw);
  // Page padding after the certificates is allowed.
  Bytes padded = raw;
  padded.resize(4096, 0);
  EXPECT_THAT(parse_cert_table(padded), Succeeds());
  auto empty = parse_cert_table({});
  ASSERT_THAT(empty, Succeeds());
  EXPECT_TRUE(empty->entries.empty());
}

Bytes table_with(const Guid& guid, std::uint32_t offset, std::uint32_t length, std::size_t size) {
  ByteWriter w;
  w.bytes(guid).u32le(offset).u32le(length).zeros(24);
  Bytes out = std::move(w).take();
  out.resize(size, 0x55);
  return out;
}

TEST(SnpCertTable, RejectsBadTables) {
  const auto bad = [](const Bytes& raw) {
    EXPECT_THAT(parse_cert_table(raw),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kCertTable));
  };
  bad(Bytes(23, 0));                                   // no terminator
  bad(table_with(kVcekGuid, 48, 10, 48 + 9));          // runs past the end
  bad(table_with(kVcekGuid, 24, 10, 200));             // points into the header
  bad(table_with(kVcekGuid, 0xfffffff0u, 0x20, 200));  // offset past the end
  bad(table_with(kVcekGuid, 60, 0xffffffffu, 200));    // would wrap in 32-bit arithmetic
  bad(table_with(kVcekGuid, 60, 0, 200));              // empty
  bad(table_with(Guid{}, 60, 10, 200));                // all-zero GUID with data
  Bytes dup = serialize(sample_table());
  std::copy(kVcekGuid.begin(), kVcekGuid.end(), dup.begin() + 24);  // entry 1 repeats entry 0
  bad(dup);
  Bytes no_terminator = serialize(sample_table());
  no_terminator.resize(3 * 24);
  bad(no_terminator);
}

}  // namespace
}  // namespace vouch::sevsnp
