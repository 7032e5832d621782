#include <utility>

#include "evidence/tpm/eventlog/eventlog.h"
#include "evidence/tpm/eventlog/log_reader.h"

namespace vouch::tpm::eventlog {

Result<Replay> replay(ByteSpan log, const ReplayOptions& options) {
  VOUCH_TRY(internal::LogReader reader, internal::LogReader::open(log, options));
  internal::Replayer replayer(reader.banks());
  internal::RawEvent e;
  for (;;) {
    VOUCH_TRY(const bool more, reader.next(e));
    if (!more) {
      break;
    }
    VOUCH_RETURN_IF_ERROR(replayer.apply(e));
  }
  Replay out;
  out.format = reader.format();
  out.num_events = reader.num_events();
  out.banks = std::move(replayer).take_banks();
  return out;
}

}  // namespace vouch::tpm::eventlog
