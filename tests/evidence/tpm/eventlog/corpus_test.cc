// The fuzz_eventlog seed corpus (fuzz/corpus/fuzz_eventlog/) is made here from the builder, so
// it contains only self-made logs and stays in step with the format. Set
// VOUCH_REGENERATE_FUZZ_CORPUS=1 to rewrite the files; otherwise the test checks they are current.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "base/file.h"
#include "evidence/tpm/eventlog/constants.h"
#include "evidence/tpm/eventlog/eventlog.h"
#include "testing/eventlog_builder.h"
#include "testing/temp_dir.h"
#include "testing/vectors.h"

namespace vouch::tpm::eventlog {
namespace {

using crypto::HashAlg;
using ::vouch::testing::EventLogBuilder;

void firmware_events(EventLogBuilder& b) {
  b.event(0, ev::kSCrtmVersion, "v1")
      .secure_boot_variable("SecureBoot", Bytes{1})
      .secure_boot_variable("PK", Bytes{0xA1})
      .secure_boot_variable("db", Bytes{0xDB})
      .event(4, ev::kEfiAction, "Calling EFI Application from Boot Option")
      .separators()
      .event_measuring(4, ev::kEfiBootServicesApplication, as_bytes("shim"), as_bytes("PE"))
      .event(5, ev::kEfiAction, kEbsInvocation)
      .event(8, ev::kIpl, "grub_cmd");
}

std::vector<std::pair<std::string, Bytes>> seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  {
    EventLogBuilder b =
        EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384});
    b.startup_locality(3);
    firmware_events(b);
    out.emplace_back("agile_three_banks.bin", b.build());
  }
  {
    EventLogBuilder b = EventLogBuilder::legacy_sha1();
    firmware_events(b);
    out.emplace_back("legacy_sha1.bin", b.build());
  }
  {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
    b.unknown_algorithm(alg::kSha3_256, 32).bank(HashAlg::kSm3).vendor_info(Bytes{1, 2});
    firmware_events(b);
    out.emplace_back("agile_unknown_alg_sm3.bin", b.build());
  }
  {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha384});
    b.header_pcr(1)
        .event(1, ev::kEfiPlatformFirmwareBlob2, "TDVF")
        .separator(1)
        .event(2, ev::kEfiBootServicesApplication, "shim")
        .event(3, ev::kIpl, "grub_cmd")
        .tail(Bytes(64, 0xFF));
    out.emplace_back("ccel_padded.bin", b.build());
  }
  {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
    b.event(7, ev::kEfiAction, Bytes(4, 0))
        .separator(3, 0xFFFFFFFF)
        .event(12, ev::kSeparator, "WBCL");
    out.emplace_back("agile_separators.bin", b.build());
  }
  out.emplace_back("header_only.bin", EventLogBuilder::crypto_agile({HashAlg::kSha256}).build());
  return out;
}

TEST(EventLogFuzzCorpus, SeedsAreCurrent) {
  const std::string dir = ::vouch::testing::source_dir() + "/fuzz/corpus/fuzz_eventlog/";
  const char* regen = std::getenv("VOUCH_REGENERATE_FUZZ_CORPUS");
  for (const auto& [name, log] : seeds()) {
    SCOPED_TRACE(name);
    // Every seed parses (the padded one only with padding allowed).
    EXPECT_TRUE(replay(log, {.allow_trailing_padding = true}).has_value());
    if (regen != nullptr && std::string(regen) == "1") {
      ::vouch::testing::write_file(dir + name, std::string(log.begin(), log.end()));
      continue;
    }
    auto on_disk = read_file(dir + name);
    ASSERT_TRUE(on_disk.has_value())
        << "missing seed; run eventlog_test with VOUCH_REGENERATE_FUZZ_CORPUS=1";
    EXPECT_EQ(*on_disk, log) << "stale seed; run eventlog_test with VOUCH_REGENERATE_FUZZ_CORPUS=1";
  }
}

}  // namespace
}  // namespace vouch::tpm::eventlog
