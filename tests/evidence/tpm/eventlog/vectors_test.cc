// Real captured logs from ../shared/vectors (read in place, never copied; skipped visibly when
// the folder is absent): firmware TPM logs, go-attestation edge cases, TDX CCEL logs with their
// RTMRs, and the GCE COS 85 attestation with its three quoted banks.
#include "testing/vectors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/constants.h"
#include "evidence/tpm/eventlog/eventlog.h"
#include "testing/matchers.h"

namespace vouch::tpm::eventlog {
namespace {

using crypto::HashAlg;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::vouch::testing::FailsWith;
using ::vouch::testing::read_vector;
using ::vouch::testing::read_vector_text;
using ::vouch::testing::Succeeds;

Bytes unhex(const std::string& s) {
  auto b = hex_decode(s);
  EXPECT_TRUE(b.has_value()) << s;
  return b.value_or(Bytes{});
}

// {"0": "hex", ...} -> PcrBank
PcrBank bank_from_json(const nlohmann::json& j) {
  PcrBank out;
  for (const auto& [index, value] : j.items()) {
    out[static_cast<std::uint32_t>(std::stoul(index))] = unhex(value.get<std::string>());
  }
  return out;
}

std::vector<std::uint32_t> indices(const PcrBank& b) {
  std::vector<std::uint32_t> out;
  for (const auto& [i, v] : b) {
    out.push_back(i);
  }
  return out;
}

std::optional<std::size_t> find(const Bytes& hay, const Bytes& needle, std::size_t from = 0) {
  const auto it = std::search(hay.begin() + static_cast<std::ptrdiff_t>(from), hay.end(),
                              needle.begin(), needle.end());
  if (it == hay.end()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(it - hay.begin());
}

// SecureBoot variable as measured in each go-tpm-tools log (its data byte, read independently).
const std::map<std::string, bool>& go_tpm_tools_secure_boot() {
  static const std::map<std::string, bool> kExpected = {
      {"rhel8-uefi.bin", true},
      {"ubuntu-1804-amd-sev.bin", false},
      {"ubuntu-2104-no-dbx.bin", false},
      {"ubuntu-2104-no-secure-boot.bin", false},
      {"ubuntu-2404-amd-sevsnp.bin", false},
      {"glinux-alex.bin", false},
      {"arch-linux-workstation.bin", false},  // SecureBoot measured with empty data
      {"debian-10.bin", true},
      {"cos-85-amd-sev.bin", true},
      {"cos-93-amd-sev.bin", true},
      {"cos-101-amd-sev.bin", true},
      {"gdc-host.bin", false},
      {"eventlogwithsp800155.bin", true},
      {"confidential-gke-debug-251000_eventlog.bin", true},
  };
  return kExpected;
}

TEST(EventLogVectors, GoTpmToolsLogsReplayToExpectedPcrs) {
  VOUCH_REQUIRE_VECTORS();
  const auto expected =
      nlohmann::json::parse(read_vector_text("eventlog/go-tpm-tools/expected_pcrs.derived.json"));
  ASSERT_EQ(expected.size(), 14u);
  for (const auto& [name, entry] : expected.items()) {
    SCOPED_TRACE(name);
    const std::string file = entry["file"].get<std::string>();
    const std::string base = file.substr(file.rfind('/') + 1);
    const Bytes log = read_vector("eventlog/go-tpm-tools/" + base);
    auto r = replay(log);
    ASSERT_THAT(r, Succeeds());
    EXPECT_EQ(r->format,
              base == "debian-10.bin" ? LogFormat::kLegacySha1 : LogFormat::kCryptoAgile);
    for (const auto& [bank_name, values] : entry["expected_pcrs"].items()) {
      SCOPED_TRACE(bank_name);
      const auto alg = crypto::hash_from_name(bank_name);
      ASSERT_TRUE(alg.has_value());
      ASSERT_TRUE(r->banks.contains(*alg));
      const PcrBank want = bank_from_json(values);
      for (const auto& [pcr, digest] : want) {
        ASSERT_TRUE(r->banks.at(*alg).contains(pcr)) << "PCR " << pcr;
        EXPECT_EQ(hex_encode(r->banks.at(*alg).at(pcr)), hex_encode(digest)) << "PCR " << pcr;
      }
      // The same values as a quote: every PCR verifies and the secure boot state is extracted.
      auto v = verify_against_quote(log, *alg, want);
      ASSERT_THAT(v, Succeeds());
      EXPECT_THAT(v->pcrs_verified(), ElementsAreArray(indices(want)));
      EXPECT_TRUE(v->pcrs_not_covered().empty());
      EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
      EXPECT_EQ(v->secure_boot(), go_tpm_tools_secure_boot().at(base));
      EXPECT_EQ(v->secure_boot_variables()->size(), 5u);
      EXPECT_FALSE(v->boot_applications()->empty());
      EXPECT_FALSE(v->exit_boot_services_unlogged());
    }
  }
}

TEST(EventLogVectors, GoAttestationOptionRomMatchesExpectedPcrs) {
  VOUCH_REQUIRE_VECTORS();
  const auto expected =
      nlohmann::json::parse(read_vector_text("eventlog/go-attestation/expected_pcrs.derived.json"));
  const Bytes log = read_vector("eventlog/go-attestation/option_rom_eventlog");
  auto r = replay(log);
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->format, LogFormat::kLegacySha1);
  const PcrBank want = bank_from_json(expected["option_rom_eventlog"]["SHA1"]);
  ASSERT_EQ(want.size(), 8u);
  for (const auto& [pcr, digest] : want) {
    EXPECT_EQ(hex_encode(r->banks.at(HashAlg::kSha1).at(pcr)), hex_encode(digest)) << pcr;
  }
  auto v = verify_against_quote(log, HashAlg::kSha1, want);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->secure_boot(), true);
}

TEST(EventLogVectors, GoAttestationEbsMissingNeedsTheWorkaround) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes log = read_vector("eventlog/go-attestation/ebs_event_missing_eventlog");
  auto r = replay(log);
  ASSERT_THAT(r, Succeeds());
  PcrBank quoted = r->banks.at(HashAlg::kSha1);
  EXPECT_EQ(hex_encode(quoted.at(5)).substr(0, 8), "e5781a2f");  // the plain replay
  const Bytes real_pcr5 = unhex("31245808d6d35849bc394f6343f2b3ff908ed5e3");
  EXPECT_NE(quoted.at(5), real_pcr5);
  quoted[5] = real_pcr5;
  auto v = verify_against_quote(log, HashAlg::kSha1, quoted);
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(v->exit_boot_services_unlogged());
  EXPECT_TRUE(std::binary_search(v->pcrs_verified().begin(), v->pcrs_verified().end(), 5u));
  // A PCR 5 that is neither the replay nor the workaround is still a mismatch.
  quoted[5][0] ^= 1;
  EXPECT_THAT(verify_against_quote(log, HashAlg::kSha1, quoted),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kPcrMismatch));
}

TEST(EventLogVectors, GoAttestationShortNoActionParses) {
  VOUCH_REQUIRE_VECTORS();
  auto r = replay(read_vector("eventlog/go-attestation/short_no_action_eventlog"));
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->format, LogFormat::kLegacySha1);
  EXPECT_EQ(r->num_events, 1u);
  EXPECT_TRUE(r->banks.at(HashAlg::kSha1).empty());  // a lone StartupLocality extends nothing
}

TEST(EventLogVectors, GoAttestationOtherLogsReplay) {
  VOUCH_REQUIRE_VECTORS();
  const std::pair<const char*, LogFormat> logs[] = {
      {"crypto_agile_eventlog", LogFormat::kCryptoAgile},
      {"coreos_36_shielded_vm_no_secure_boot_eventlog", LogFormat::kCryptoAgile},
      {"sb_cert_eventlog", LogFormat::kCryptoAgile},
  };
  for (const auto& [name, format] : logs) {
    SCOPED_TRACE(name);
    const Bytes log = read_vector(std::string("eventlog/go-attestation/") + name);
    auto r = replay(log);
    ASSERT_THAT(r, Succeeds());
    EXPECT_EQ(r->format, format);
    // Against its own replay every bank verifies.
    for (const auto& [alg, bank] : r->banks) {
      EXPECT_THAT(verify_against_quote(log, alg, bank), Succeeds()) << crypto::hash_name(alg);
    }
  }
}

// RTMR i is CC measurement register index i + 1; a register without events stays zero.
Bytes rtmr(const Replay& r, std::uint32_t i) {
  const PcrBank& mrs = r.banks.at(HashAlg::kSha384);
  const auto it = mrs.find(i + 1);
  return it == mrs.end() ? Bytes(48, 0) : it->second;
}

TEST(EventLogVectors, TrusteeCcelLogsReplayToExpectedRtmrs) {
  VOUCH_REQUIRE_VECTORS();
  const auto expected =
      nlohmann::json::parse(read_vector_text("eventlog/trustee-ccel/expected_rtmrs.derived.json"));
  ASSERT_EQ(expected.size(), 5u);
  for (const auto& [name, rtmrs] : expected.items()) {
    SCOPED_TRACE(name);
    const Bytes log = read_vector("eventlog/trustee-ccel/" + name);
    // The CCEL buffer is fixed-size and padded: strict framing refuses it.
    EXPECT_THAT(replay(log), FailsWith(ErrorKind::kMalformedEvidence, checks::kTrailing));
    auto r = replay(log, {.allow_trailing_padding = true});
    ASSERT_THAT(r, Succeeds());
    EXPECT_EQ(r->format, LogFormat::kCryptoAgile);
    for (std::uint32_t i = 0; i < 4; ++i) {
      const std::string want = rtmrs["RTMR" + std::to_string(i)].get<std::string>();
      EXPECT_EQ(hex_encode(rtmr(*r, i)), want) << "RTMR" << i;
      if (want == std::string(96, '0')) {
        EXPECT_FALSE(r->banks.at(HashAlg::kSha384).contains(i + 1)) << "RTMR" << i;
      }
    }
    EXPECT_FALSE(r->banks.at(HashAlg::kSha384).contains(0));  // MRTD is not in the log
  }
}

TEST(EventLogVectors, TrusteeCcelOtherLogsReplay) {
  VOUCH_REQUIRE_VECTORS();
  // Alibaba Cloud CCEL with AAEL events, and a Hygon CSV log with SM3-256 digests.
  auto aael = replay(read_vector("eventlog/trustee-ccel/CCEL_AAEL_alibabacloud"),
                     {.allow_trailing_padding = true});
  ASSERT_THAT(aael, Succeeds());
  EXPECT_TRUE(aael->banks.at(HashAlg::kSha384).contains(4));  // RTMR3 holds the AAEL events
  auto csv =
      replay(read_vector("eventlog/trustee-ccel/CCEL_data_csv"), {.allow_trailing_padding = true});
  ASSERT_THAT(csv, Succeeds());
  ASSERT_EQ(csv->banks.size(), 1u);
  EXPECT_EQ(csv->banks.at(HashAlg::kSm3).size(), 3u);
}

TEST(EventLogVectors, GoTdxGuestCcelMatchesTheQuoteRtmrs) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes quote = read_vector("eventlog/go-tdx-guest-ccel/cos-113-tdx-quote.dat");
  // TDX quote v4: a 48-byte header, then the TD report body with RTMR0..3 (48 bytes each) at body
  // offsets 0x148, 0x178, 0x1a8, 0x1d8 (go-tdx-guest abi: tdRtmrsStart = 0x148).
  constexpr std::size_t kHeaderSize = 48;
  constexpr std::size_t kRtmrsAt = 0x148;
  ASSERT_GE(quote.size(), kHeaderSize + kRtmrsAt + 4 * 48);
  ASSERT_EQ(quote[0], 4);  // version 4, little-endian
  ASSERT_EQ(quote[1], 0);
  auto r = replay(read_vector("eventlog/go-tdx-guest-ccel/ccel_data.dat"),
                  {.allow_trailing_padding = true});
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->num_events, 44u);
  for (std::uint32_t i = 0; i < 4; ++i) {
    const std::size_t at = kHeaderSize + kRtmrsAt + 48 * i;
    const ByteSpan want = ByteSpan(quote).subspan(at, 48);
    EXPECT_EQ(hex_encode(rtmr(*r, i)), hex_encode(want)) << "RTMR" << i;
  }
}

// The GCE COS 85 attestation: one log, three quoted banks of all 24 PCRs.
class GceCos85 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!::vouch::testing::vectors_dir()) {
      GTEST_SKIP() << "shared vectors not found (set VOUCH_VECTORS_DIR or place "
                      "../shared/vectors next to the checkout); skipping real-evidence test";
    }
    log_ = read_vector("tpm/go-tpm-tools-gce-cos85/gce-cos-85.eventlog.derived.bin");
  }
  static PcrBank quoted(const char* bank) {
    return bank_from_json(nlohmann::json::parse(
        read_vector_text(std::string("tpm/go-tpm-tools-gce-cos85/gce-cos-85-nonce9009.pcrs_") +
                         bank + ".derived.json")));
  }
  Bytes log_;
};

TEST_F(GceCos85, ReplaysToQuotedPcrs0To9InEveryBank) {
  auto r = replay(log_);
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->num_events, 45u);
  const std::pair<const char*, HashAlg> banks[] = {
      {"sha1", HashAlg::kSha1}, {"sha256", HashAlg::kSha256}, {"sha384", HashAlg::kSha384}};
  for (const auto& [name, alg] : banks) {
    SCOPED_TRACE(name);
    const PcrBank q = quoted(name);
    ASSERT_EQ(q.size(), 24u);
    EXPECT_THAT(indices(r->banks.at(alg)), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    for (std::uint32_t pcr = 0; pcr <= 9; ++pcr) {
      EXPECT_EQ(hex_encode(r->banks.at(alg).at(pcr)), hex_encode(q.at(pcr))) << pcr;
    }
  }
}

TEST_F(GceCos85, VerifiesAgainstEachFullQuotedBank) {
  const std::pair<const char*, HashAlg> banks[] = {
      {"sha1", HashAlg::kSha1}, {"sha256", HashAlg::kSha256}, {"sha384", HashAlg::kSha384}};
  for (const auto& [name, alg] : banks) {
    SCOPED_TRACE(name);
    auto v = verify_against_quote(log_, alg, quoted(name));
    ASSERT_THAT(v, Succeeds());
    EXPECT_THAT(v->pcrs_verified(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    EXPECT_EQ(v->pcrs_not_covered().size(), 14u);  // PCR 10 (IMA) and 11-23
    EXPECT_EQ(v->secure_boot(), true);
    EXPECT_EQ(v->secure_boot_variables()->size(), 5u);
    EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
    EXPECT_FALSE(v->exit_boot_services_unlogged());
    claims::ClaimSet cs;
    add_claims(*v, cs);
    EXPECT_EQ(*cs.get("tpm.eventlog.events")->as_int(), 45);
    EXPECT_EQ(*cs.get("tpm.eventlog.secure_boot")->as_bool(), true);
  }
}

TEST_F(GceCos85, FlippedSecureBootDataIsRejected) {
  // The variable data byte follows the UTF-16LE name "SecureBoot"; the event digest still covers
  // the original byte, so the replay matches but the data no longer does.
  Bytes name;
  for (char c : std::string("SecureBoot")) {
    name.push_back(static_cast<std::uint8_t>(c));
    name.push_back(0);
  }
  const auto at = find(log_, name);
  ASSERT_TRUE(at.has_value());
  log_[*at + name.size()] ^= 1;
  EXPECT_THAT(verify_against_quote(log_, HashAlg::kSha256, quoted("sha256")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kEventData));
}

TEST_F(GceCos85, RetypedPcr7SeparatorIsRejected) {
  // pcrIndex 7, EV_SEPARATOR, three digests: the PCR 7 separator record. Retype it.
  const Bytes record = {7, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0};
  const auto at = find(log_, record);
  ASSERT_TRUE(at.has_value());
  log_[*at + 4] = 0x07;
  log_[*at + 7] = 0x80;  // EV_EFI_ACTION
  EXPECT_THAT(verify_against_quote(log_, HashAlg::kSha256, quoted("sha256")),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kSeparator));
}

TEST_F(GceCos85, FlippedDigestIsAMismatch) {
  // PCR 4, EV_EFI_ACTION, three digests ("Calling EFI Application from Boot Option"); its SHA-256
  // digest follows the SHA-1 one (header order: SHA-1, SHA-256, SHA-384).
  const Bytes record = {4, 0, 0, 0, 7, 0, 0, 0x80, 3, 0, 0, 0};
  auto at = find(log_, record);
  ASSERT_TRUE(at.has_value());
  log_[*at + 12 + 2 + 20 + 2 + 5] ^= 0x01;
  auto v = verify_against_quote(log_, HashAlg::kSha256, quoted("sha256"));
  EXPECT_THAT(v, FailsWith(ErrorKind::kEvidenceRejected, checks::kPcrMismatch));
}

}  // namespace
}  // namespace vouch::tpm::eventlog
