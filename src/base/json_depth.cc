#include "base/json_depth.h"

namespace vouch {

std::size_t json_nesting_depth(std::string_view text) noexcept {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
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
