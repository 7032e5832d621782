// Event log replay and verification over a realistic firmware log: 45 records (like the GCE COS 85
// capture), three banks (SHA-1, SHA-256, SHA-384), secure boot variables, separators, boot
// applications and GRUB/kernel measurements.
#include <benchmark/benchmark.h>

#include <string>

#include "evidence/tpm/eventlog/constants.h"
#include "evidence/tpm/eventlog/eventlog.h"
#include "testing/eventlog_builder.h"

namespace {

namespace el = ::vouch::tpm::eventlog;
using vouch::Bytes;
using vouch::crypto::HashAlg;
using vouch::testing::EventLogBuilder;

EventLogBuilder firmware_log() {
  EventLogBuilder b =
      EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384});
  b.event(0, el::ev::kSCrtmVersion, "GCE Virtual Firmware v1")
      .event(0, el::ev::kNonhostInfo, Bytes(32, 0x4E))
      .secure_boot_variable("SecureBoot", Bytes{1})
      .secure_boot_variable("PK", Bytes(1100, 0xA1))
      .secure_boot_variable("KEK", Bytes(1100, 0xA2))
      .secure_boot_variable("db", Bytes(1100, 0xA3))
      .secure_boot_variable("dbx", Bytes(4400, 0xA4));
  for (int i = 0; i < 6; ++i) {
    b.event(1, el::ev::kEfiVariableBoot, "Boot000" + std::to_string(i));
  }
  b.event(1, el::ev::kEfiHandoffTables, Bytes(24, 0x48))
      .event(2, el::ev::kEfiBootServicesDriver, Bytes(90, 0x44));
  b.event(4, el::ev::kEfiAction, "Calling EFI Application from Boot Option").separators();
  b.event(5, el::ev::kEfiGptEvent, Bytes(600, 0x47));
  b.event_measuring(4, el::ev::kEfiBootServicesApplication, Bytes(120, 0x01), Bytes(4096, 0x02));
  b.event(7, el::ev::kEfiVariableAuthority, Bytes(1500, 0x03));
  b.event_measuring(4, el::ev::kEfiBootServicesApplication, Bytes(120, 0x04), Bytes(4096, 0x05));
  b.event(5, el::ev::kEfiAction, el::kEbsInvocation)
      .event(5, el::ev::kEfiAction, el::kEbsReturnedSuccess);
  for (int i = 0; i < 12; ++i) {
    b.event(8, el::ev::kIpl, "grub_cmd: command number " + std::to_string(i));
  }
  b.event(9, el::ev::kIpl, "/vmlinuz-5.4").event(9, el::ev::kIpl, "/initrd.img-5.4");
  return b;
}

void BM_EventLogReplay(benchmark::State& state) {
  const Bytes log = firmware_log().build();
  for (auto _ : state) {
    auto r = el::replay(log);
    if (!r) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["events"] = static_cast<double>(firmware_log().num_events());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(log.size()));
}
BENCHMARK(BM_EventLogReplay);

void BM_EventLogVerifyAgainstQuote(benchmark::State& state) {
  const EventLogBuilder b = firmware_log();
  const Bytes log = b.build();
  const el::PcrBank quoted = b.pcrs().at(HashAlg::kSha256);
  for (auto _ : state) {
    auto v = el::verify_against_quote(log, HashAlg::kSha256, quoted);
    if (!v) {
      state.SkipWithError(v.error().to_string().c_str());
      break;
    }
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_EventLogVerifyAgainstQuote);

}  // namespace
