// `vouch eventlog replay`: replays a TCG event log to per-bank PCR values.

#include "evidence/tpm/eventlog/eventlog.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "base/encoding.h"
#include "base/file.h"
#include "cli/commands.h"
#include "cli/report.h"

namespace vouch::cli {
namespace {

struct EventlogFlags {
  std::string log;
  bool json = false;
  bool allow_padding = false;
};

int replay(const Context& ctx, const EventlogFlags& f) {
  auto data = read_file(f.log);
  if (!data) {
    return print_error(ctx, data.error());
  }
  tpm::eventlog::ReplayOptions options;
  options.allow_trailing_padding = f.allow_padding;
  auto result = tpm::eventlog::replay(*data, options);
  if (!result) {
    return print_error(ctx, result.error());
  }
  if (f.json) {
    nlohmann::json banks = nlohmann::json::object();
    for (const auto& [bank, pcrs] : result->banks) {
      nlohmann::json b = nlohmann::json::object();
      for (const auto& [index, value] : pcrs) {
        b[std::to_string(index)] = hex_encode(value);
      }
      banks[std::string(crypto::hash_name(bank))] = std::move(b);
    }
    nlohmann::json out = {{"banks", std::move(banks)}, {"events", result->num_events}};
    ctx.out << out.dump(2) << "\n";
    return kExitOk;
  }
  ctx.out << "Event log: " << result->num_events << " events, "
          << (result->format == tpm::eventlog::LogFormat::kCryptoAgile ? "crypto-agile"
                                                                       : "legacy SHA-1")
          << " format\n";
  for (const auto& [bank, pcrs] : result->banks) {
    ctx.out << "\n" << crypto::hash_name(bank) << ":\n";
    for (const auto& [index, value] : pcrs) {
      ctx.out << "  PCR " << std::setw(2) << index << "  " << hex_encode(value) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void add_eventlog(CLI::App& app, const Context& ctx, Action& action) {
  auto flags = std::make_shared<EventlogFlags>();
  CLI::App* group = app.add_subcommand("eventlog", "Work with TCG event logs");
  group->require_subcommand(1);
  CLI::App* cmd = group->add_subcommand(
      "replay", "Replay a TCG PC Client event log (crypto-agile or legacy SHA-1) to PCR values");
  cmd->add_option("--log", flags->log, "Event log file (e.g. binary_bios_measurements)")
      ->required();
  cmd->add_flag("--json", flags->json,
                "Print {\"banks\": {\"sha256\": {\"<index>\": \"<hex>\"}}, \"events\": N}");
  cmd->add_flag(
      "--allow-padding", flags->allow_padding,
      "Accept 0x00/0xFF padding after the last event (CCEL and other fixed-size buffers)");
  cmd->callback([&ctx, &action, flags] { action = [&ctx, flags] { return replay(ctx, *flags); }; });
}

}  // namespace vouch::cli
