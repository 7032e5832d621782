// Extended-report certificate table: never crashes; a parsed table re-serializes into a table
// that parses to the same entries.
#include <cstdlib>

#include "evidence/sevsnp/abi.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto t = vouch::sevsnp::parse_cert_table(vouch::ByteSpan(data, size));
  if (t) {
    auto again = vouch::sevsnp::parse_cert_table(vouch::sevsnp::serialize(*t));
    if (!again || again->entries.size() != t->entries.size()) {
      std::abort();
    }
    for (std::size_t i = 0; i < t->entries.size(); ++i) {
      if (again->entries[i].guid != t->entries[i].guid ||
          again->entries[i].data != t->entries[i].data) {
        std::abort();
      }
    }
  }
  return 0;
}
