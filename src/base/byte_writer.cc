#include "base/byte_writer.h"

#include <cstdlib>

namespace vouch {

ByteWriter& ByteWriter::u16be_prefixed(ByteSpan b) {
  if (b.size() > std::numeric_limits<std::uint16_t>::max()) {
    std::abort();  // invariant: callers only serialize structures we parsed or built
  }
  u16be(static_cast<std::uint16_t>(b.size()));
  return bytes(b);
}

}  // namespace vouch
