#include "base/json_parse.h"

#include <simdjson.h>

#include <cstdint>
#include <memory>

namespace vouch {
namespace {

constexpr std::size_t kMaxDepth = 256;
// Documents up to this size reuse the thread's parser; larger ones get a parser of their own,
// so that a thread does not keep a big one's buffers.
constexpr std::size_t kReusedCapacity = 256 * 1024;

// Whether the text has the integer -0 outside strings: nlohmann reads it as a signed 0, which
// simdjson's value (0) cannot tell from an unsigned 0.
bool has_negative_zero_integer(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        i += text[i] == '\\' ? 1 : 0;
      }
    } else if (text[i] == '-' && i + 1 < text.size() && text[i + 1] == '0' &&
               (i + 2 == text.size() ||
                (text[i + 2] != '.' && text[i + 2] != 'e' && text[i + 2] != 'E'))) {
      return true;
    }
  }
  return false;
}

struct Conversion {
  std::string_view text;
  int negative_zero = -1;  // unknown until a zero integer is met
};

// Builds the nlohmann value; false when a string or name is not valid UTF-8 (simdjson validated
// the text as a whole, so this only guards escapes that decode to something nlohmann refuses).
bool convert(simdjson::dom::element e, nlohmann::json& out, Conversion& c) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      out = nlohmann::json::object();
      for (const auto field : simdjson::dom::object(e)) {
        if (!simdjson::validate_utf8(field.key.data(), field.key.size())) {
          return false;
        }
        nlohmann::json& slot = out[std::string(field.key)];  // a repeated name: the last wins
        if (!convert(field.value, slot, c)) {
          return false;
        }
      }
      return true;
    }
    case element_type::ARRAY: {
      out = nlohmann::json::array();
      for (const auto item : simdjson::dom::array(e)) {
        out.push_back(nullptr);
        if (!convert(item, out.back(), c)) {
          return false;
        }
      }
      return true;
    }
    case element_type::STRING: {
      const std::string_view s = e.get_string().value_unsafe();
      if (!simdjson::validate_utf8(s.data(), s.size())) {
        return false;
      }
      out = std::string(s);
      return true;
    }
    case element_type::INT64: {
      const std::int64_t v = e.get_int64().value_unsafe();
      if (v == 0 && c.negative_zero < 0) {
        c.negative_zero = has_negative_zero_integer(c.text) ? 1 : 0;
      }
      if (v == 0 && c.negative_zero == 1) {
        return false;  // nlohmann's parse tells -0 from 0
      }
      if (v >= 0) {
        out = static_cast<std::uint64_t>(v);  // nlohmann: non-negative integers are unsigned
      } else {
        out = v;
      }
      return true;
    }
    case element_type::UINT64:
      out = e.get_uint64().value_unsafe();
      return true;
    case element_type::DOUBLE:
      out = e.get_double().value_unsafe();
      return true;
    case element_type::BOOL:
      out = e.get_bool().value_unsafe();
      return true;
    case element_type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

bool parse_fast(std::string_view text, nlohmann::json& out) {
  if (text.empty()) {
    return false;  // not JSON; and simdjson would copy from a null pointer (UBSan, fuzz_sevsnp_maa)
  }
  Conversion c{text};
  if (text.size() > kReusedCapacity) {
    simdjson::dom::parser own(text.size());
    if (own.allocate(text.size(), kMaxDepth) != simdjson::SUCCESS) {
      return false;
    }
    auto doc = own.parse(text.data(), text.size(), /*realloc_if_needed=*/true);
    return doc.error() == simdjson::SUCCESS && convert(doc.value_unsafe(), out, c);
  }
  thread_local std::unique_ptr<simdjson::dom::parser> reused;
  if (reused == nullptr) {
    reused = std::make_unique<simdjson::dom::parser>(kReusedCapacity);
    if (reused->allocate(kReusedCapacity, kMaxDepth) != simdjson::SUCCESS) {
      reused.reset();
      return false;
    }
  }
  auto doc = reused->parse(text.data(), text.size(), /*realloc_if_needed=*/true);
  return doc.error() == simdjson::SUCCESS && convert(doc.value_unsafe(), out, c);
}

}  // namespace

nlohmann::json parse_json(std::string_view text) {
  nlohmann::json out;
  if (parse_fast(text, out)) {
    return out;
  }
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace vouch
