// Hex, base64 (all variants) and time parsing: decode(encode(x)) == x for whatever decodes.
#include <cstdlib>
#include <string_view>

#include "base/encoding.h"
#include "base/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto b = vouch::hex_decode(text)) {
    if (vouch::hex_decode(vouch::hex_encode(*b)).value() != *b) {
      std::abort();
    }
  }
  if (auto b = vouch::base64_decode(text)) {
    if (vouch::base64_encode(*b) != text) {
      std::abort();
    }
  }
  if (auto b = vouch::base64url_decode(text)) {
    if (vouch::base64url_encode(*b) != text) {
      std::abort();
    }
  }
  if (auto b = vouch::base64_decode_any(text)) {
    if (vouch::base64_decode_any(vouch::base64url_encode(*b)).value() != *b) {
      std::abort();
    }
  }
  (void)vouch::parse_time_arg(text);
  return 0;
}
