// The TPM evidence bundle (JSON): whatever parses serializes and parses back to the same bundle.
#include <cstdlib>
#include <string_view>

#include "evidence/tpm/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto b = vouch::tpm::parse_bundle(text)) {
    auto again = vouch::tpm::parse_bundle(vouch::tpm::serialize_bundle(*b));
    if (!again || again->quote != b->quote || again->signature != b->signature ||
        again->pcrs != b->pcrs || again->event_log != b->event_log) {
      std::abort();
    }
  }
  return 0;
}
