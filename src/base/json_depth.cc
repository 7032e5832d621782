#include "base/json_depth.h"

#include <cstring>

namespace vouch {

std::size_t json_nesting_depth(std::string_view text) noexcept {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    switch (*p++) {
      case '"': {
        // A string ends at the first quote after an even run of backslashes. Evidence strings
        // run to kilobytes of base64, so jump from quote to quote (memchr) instead of stepping.
        const char* const start = p;
        for (;;) {
          const void* q = std::memchr(p, '"', static_cast<std::size_t>(end - p));
          if (q == nullptr) {
            return deepest;  // unterminated: the parser rejects it
          }
          const char* quote = static_cast<const char*>(q);
          std::size_t backslashes = 0;
          for (const char* b = quote; b > start && b[-1] == '\\'; --b) {
            ++backslashes;
          }
          p = quote + 1;
          if (backslashes % 2 == 0) {
            break;
          }
        }
        break;
      }
      case '{':
      case '[':
        ++depth;
        deepest = depth > deepest ? depth : deepest;
        break;
      case '}':
      case ']':
        depth = depth > 0 ? depth - 1 : 0;
        break;
      default:
        break;
    }
  }
  return deepest;
}

JsonRefusal refuse_untrusted_json(std::string_view text) noexcept {
  if (text.find('\0') != std::string_view::npos) {
    return JsonRefusal::kNul;
  }
  return json_nesting_depth(text) > kMaxUntrustedJsonDepth ? JsonRefusal::kTooDeep
                                                           : JsonRefusal::kNone;
}

std::string json_refusal_text(JsonRefusal refusal) {
  switch (refusal) {
    case JsonRefusal::kNone:
      return {};
    case JsonRefusal::kTooDeep:
      return "nests deeper than " + std::to_string(kMaxUntrustedJsonDepth) + " levels";
    case JsonRefusal::kNul:
      return "holds a NUL byte";
  }
  return {};
}

}  // namespace vouch
