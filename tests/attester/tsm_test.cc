// configfs-tsm against a fake tree (a pre-populated entry, since a plain directory does not grow
// attribute files on mkdir) and /dev/sev-guest without the device.

#include "attester/tsm.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "attester/check_ids.h"
#include "base/file.h"
#include "testing/matchers.h"
#include "testing/temp_dir.h"

namespace vouch::attester {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::FailsWithCheck;

class TsmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() + "/report";
    entry_ = root_ + "/e1";
    std::filesystem::create_directories(entry_);
    put("inblob", "");
    put("outblob", "REPORT");
    put("auxblob", "CERTS");
    put("provider", "sev_guest\n");
    put("generation", "7\n");
    put("privlevel", "");
    options_.root = root_;
    options_.entry = "e1";
    for (std::size_t i = 0; i < data_.size(); ++i) {
      data_[i] = static_cast<std::uint8_t>(i);
    }
  }
  void put(const std::string& name, const std::string& text) {
    std::ofstream(entry_ + "/" + name, std::ios::binary | std::ios::trunc) << text;
  }
  std::string get(const std::string& name) {
    const Bytes b = read_file(entry_ + "/" + name).value();
    return std::string(b.begin(), b.end());
  }

  vouch::testing::TempDir dir_;
  std::string root_;
  std::string entry_;
  TsmOptions options_;
  std::array<std::uint8_t, 64> data_{};
};

TEST_F(TsmTest, WritesInblobAndReadsTheReport) {
  options_.privlevel = 2;
  auto r = tsm_report(data_, options_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(std::string(r->outblob.begin(), r->outblob.end()), "REPORT");
  EXPECT_EQ(std::string(r->auxblob.begin(), r->auxblob.end()), "CERTS");
  EXPECT_EQ(r->provider, "sev_guest");
  EXPECT_EQ(r->generation, 7U);
  const std::string in = get("inblob");
  EXPECT_EQ(Bytes(in.begin(), in.end()), Bytes(data_.begin(), data_.end()));
  EXPECT_EQ(get("privlevel"), "2");
  // A caller-supplied entry belongs to the caller: it is left in place.
  EXPECT_TRUE(std::filesystem::exists(entry_));
}

TEST_F(TsmTest, AuxblobIsOptional) {
  std::filesystem::remove(entry_ + "/auxblob");
  auto r = tsm_report(data_, options_);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->auxblob.empty());
}

TEST_F(TsmTest, AnotherWriterBetweenWriteAndReadIsDetected) {
  options_.after_write = [this](const std::string& dir) {
    EXPECT_EQ(dir, entry_);
    put("generation", "8\n");
  };
  EXPECT_THAT(tsm_report(data_, options_),
              FailsWith(ErrorKind::kUnavailable, checks::kTsmGeneration));
}

TEST_F(TsmTest, MissingRootIsNotPresent) {
  options_.root = dir_.path() + "/nope";
  EXPECT_THAT(tsm_report(data_, options_),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kTsmNotPresent));
}

TEST_F(TsmTest, BadInputsAreRefused) {
  options_.privlevel = 4;
  EXPECT_THAT(tsm_report(data_, options_), FailsWithCheck(checks::kTsmInput));
  options_.privlevel.reset();
  options_.entry = "../x";
  EXPECT_THAT(tsm_report(data_, options_), FailsWithCheck(checks::kTsmInput));
}

TEST_F(TsmTest, AFreshEntryIsCreatedAndRemovedEvenOnFailure) {
  // A plain directory has no attribute files: the read of "generation" fails, and the entry
  // made for this call is gone afterwards.
  options_.entry.clear();
  EXPECT_THAT(tsm_report(data_, options_), FailsWithCheck(checks::kTsmIo));
  std::size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1U);  // only the pre-populated e1
}

TEST_F(TsmTest, EmptyOutblobIsAnError) {
  put("outblob", "");
  EXPECT_THAT(tsm_report(data_, options_), FailsWithCheck(checks::kTsmIo));
}

TEST(SevGuestTest, MissingDeviceIsNotPresent) {
  std::array<std::uint8_t, 64> data{};
  EXPECT_THAT(sev_guest_report(data, 0, "/nonexistent/sev-guest"),
              FailsWith(ErrorKind::kFailedPrecondition, checks::kSevGuestNotPresent));
}

TEST(SevGuestTest, IoctlNumberMatchesTheUapi) {
  // _IOWR('S', 0, 32 bytes): dir 3 << 30 | size 32 << 16 | 'S' << 8 | 0.
  EXPECT_EQ(snp_get_report_request(), (3UL << 30) | (32UL << 16) | (0x53UL << 8));
}

TEST(SevGuestTest, ParsesTheReportResponse) {
  Bytes msg(4000, 0);
  msg[4] = 0xA0;  // report_size 1184 = 0x4A0, little-endian
  msg[5] = 0x04;
  msg[32] = 0x02;  // report version
  auto r = parse_snp_report_response(msg);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->size(), kSnpReportSize);
  EXPECT_EQ((*r)[0], 0x02);
  msg[0] = 0x16;  // status: invalid parameters
  EXPECT_THAT(parse_snp_report_response(msg), FailsWithCheck(checks::kSevGuestResponse));
  msg[0] = 0;
  msg[4] = 0x10;
  EXPECT_THAT(parse_snp_report_response(msg), FailsWithCheck(checks::kSevGuestResponse));
  EXPECT_THAT(parse_snp_report_response(Bytes(8, 0)), FailsWithCheck(checks::kSevGuestResponse));
}

}  // namespace
}  // namespace vouch::attester
