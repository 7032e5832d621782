#include "evidence/dcap/signed_json.h"

#include <optional>
#include <vector>

#include "base/encoding.h"

namespace vouch::dcap {
namespace {

constexpr std::size_t kMaxDepth = 64;

// A minimal JSON tokenizer that locates values as byte ranges. It checks the structure (balanced
// containers, strings, separators); the body itself is validated later by a full JSON parser.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::size_t pos() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ >= s_.size(); }

  void ws() noexcept {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool eat(char c) noexcept {
    ws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // Reads a string token; `out` receives its content with simple escapes decoded (\uXXXX is
  // kept verbatim: keys we compare are plain ASCII).
  bool string(std::string* out) {
    ws();
    if (pos_ >= s_.size() || s_[pos_] != '"') {
      return false;
    }
    ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') {
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
      if (c == '\\') {
        if (pos_ >= s_.size()) {
          return false;
        }
        const char e = s_[pos_++];
        if (e == 'u') {
          if (s_.size() - pos_ < 4) {
            return false;
          }
          if (out != nullptr) {
            *out += "\\u";
            out->append(s_.substr(pos_, 4));
          }
          pos_ += 4;
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
            e != 't') {
          return false;
        }
        if (out != nullptr) {
          *out += e;
        }
        continue;
      }
      if (out != nullptr) {
        *out += c;
      }
    }
    return false;
  }

  // Skips one value (iteratively, depth-limited).
  bool value() {
    std::vector<char> stack;
    for (;;) {
      ws();
      if (pos_ >= s_.size()) {
        return false;
      }
      const char c = s_[pos_];
      if (c == '{' || c == '[') {
        if (stack.size() >= kMaxDepth) {
          return false;
        }
        ++pos_;
        stack.push_back(c == '{' ? '}' : ']');
        if (eat(stack.back())) {
          stack.pop_back();
        } else {
          if (stack.back() == '}' && (!string(nullptr) || !eat(':'))) {
            return false;
          }
          continue;
        }
      } else if (c == '"') {
        if (!string(nullptr)) {
          return false;
        }
      } else if (!scalar()) {
        return false;
      }
      // After a complete value: close containers or move to the next element.
      for (;;) {
        if (stack.empty()) {
          return true;
        }
        if (eat(',')) {
          if (stack.back() == '}' && (!string(nullptr) || !eat(':'))) {
            return false;
          }
          break;
        }
        if (!eat(stack.back())) {
          return false;
        }
        stack.pop_back();
      }
    }
  }

 private:
  bool scalar() noexcept {
    const std::size_t start = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' ||
                      c == '.' || c == 'E';
      if (!ok) {
        break;
      }
      ++pos_;
    }
    return pos_ > start;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<SignedJson> split_signed_json(std::string_view envelope, std::string_view body_key,
                                     CheckId check) {
  Scanner sc(envelope);
  if (!sc.eat('{')) {
    return malformed(check,
                     "expected a JSON object with '" + std::string(body_key) + "' and 'signature'");
  }
  std::optional<std::string_view> body;
  std::optional<std::string> signature;
  for (bool first = true;; first = false) {
    if (first && sc.eat('}')) {
      break;
    }
    std::string key;
    if (!sc.string(&key) || !sc.eat(':')) {
      return malformed(check, "malformed member name at byte " + std::to_string(sc.pos()));
    }
    if (key == body_key) {
      if (body) {
        return malformed(check, "duplicate '" + key + "' member");
      }
      sc.ws();
      const std::size_t start = sc.pos();
      if (envelope.substr(start, 1) != "{" || !sc.value()) {
        return malformed(check, "'" + key + "' is not a well-formed JSON object");
      }
      body = envelope.substr(start, sc.pos() - start);
    } else if (key == "signature") {
      if (signature) {
        return malformed(check, "duplicate 'signature' member");
      }
      std::string sig;
      if (!sc.string(&sig)) {
        return malformed(check, "'signature' is not a string");
      }
      signature = std::move(sig);
    } else {
      return malformed(check, "unexpected member '" + key + "'");
    }
    if (sc.eat('}')) {
      break;
    }
    if (!sc.eat(',')) {
      return malformed(check, "expected ',' or '}' at byte " + std::to_string(sc.pos()));
    }
  }
  sc.ws();
  if (!sc.at_end()) {
    return malformed(check,
                     "trailing content after the JSON object at byte " + std::to_string(sc.pos()));
  }
  if (!body || !signature) {
    return malformed(check,
                     "the object needs both '" + std::string(body_key) + "' and 'signature'");
  }
  auto sig = hex_decode(*signature);
  if (!sig || sig->size() != 64) {
    return malformed(check, "'signature' must be 128 hex digits (raw r || s)");
  }
  SignedJson out;
  out.body = std::string(*body);
  std::copy(sig->begin(), sig->end(), out.signature.begin());
  return out;
}

std::string join_signed_json(std::string_view body_key, const SignedJson& signed_json) {
  std::string out = "{\"";
  out += body_key;
  out += "\":";
  out += signed_json.body;
  out += ",\"signature\":\"";
  out += hex_encode(signed_json.signature);
  out += "\"}";
  return out;
}

}  // namespace vouch::dcap
