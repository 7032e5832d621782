#include "jose/compact.h"

#include <array>
#include <set>
#include <vector>

#include "base/encoding.h"
#include "jose/check_ids.h"

namespace vouch::jose {
namespace {

// Splits at every '.', or fails when the count differs from `expected`.
Result<std::vector<std::string_view>> split(std::string_view text, std::size_t expected,
                                            std::string_view what) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(text.substr(start));
      break;
    }
    parts.push_back(text.substr(start, dot - start));
    if (parts.size() > expected) {
      break;
    }
    start = dot + 1;
  }
  if (parts.size() != expected) {
    return malformed(checks::kSegments,
                     std::string(what) + " must have exactly " + std::to_string(expected) +
                         " segments, found " +
                         (parts.size() > expected ? "more" : std::to_string(parts.size())));
  }
  return parts;
}

Result<Bytes> decode_segment(std::string_view segment, std::string_view name) {
  auto out = base64url_decode(segment);
  if (!out) {
    return malformed(checks::kBase64, std::string(name) + ": " + out.error().detail);
  }
  return std::move(*out);
}

Result<nlohmann::json> decode_header(std::string_view segment, const CompactLimits& limits) {
  if (segment.empty()) {
    return malformed(checks::kSegments, "the JOSE header segment is empty");
  }
  // base64url grows 3 bytes to 4 characters; bound the encoded length before decoding.
  if (segment.size() / 4 * 3 > limits.max_header_size) {
    return malformed(checks::kSize, "the JOSE header is larger than " +
                                        std::to_string(limits.max_header_size) + " bytes");
  }
  VOUCH_TRY(const Bytes raw, decode_segment(segment, "JOSE header"));
  const std::string_view text(reinterpret_cast<const char*>(raw.data()),  // NOLINT: byte view
                              raw.size());
  VOUCH_TRY(nlohmann::json header,
            parse_json_strict(text, checks::kHeaderJson, "JOSE header", limits.max_json_depth));
  if (!header.is_object()) {
    return malformed(checks::kHeaderJson, "the JOSE header is not a JSON object");
  }
  return header;
}

Status check_size(std::string_view text, std::size_t max, std::string_view what) {
  if (text.size() > max) {
    return malformed(checks::kSize, std::string(what) + " is " + std::to_string(text.size()) +
                                        " bytes, over the limit of " + std::to_string(max));
  }
  return ok();
}

}  // namespace

Result<nlohmann::json> parse_json_strict(std::string_view text, CheckId check,
                                         std::string_view what, std::size_t max_depth) {
  using Event = nlohmann::json::parse_event_t;
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool too_deep = false;
  const auto callback = [&](int depth, Event event, nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
        open_objects.emplace_back();
        [[fallthrough]];
      case Event::array_start:
        if (static_cast<std::size_t>(depth) >= max_depth) {
          too_deep = true;
        }
        break;
      case Event::object_end:
        if (!open_objects.empty()) {
          open_objects.pop_back();
        }
        break;
      case Event::key:
        if (!open_objects.empty() && parsed.is_string() &&
            !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      case Event::array_end:
      case Event::value:
        break;
    }
    return true;
  };
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), callback,
                                               /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return malformed(check, std::string(what) + " is not valid JSON");
  }
  if (too_deep) {
    return malformed(check, std::string(what) + " nests deeper than " + std::to_string(max_depth));
  }
  if (!duplicate.empty()) {
    return malformed(check, std::string(what) + " has the member \"" + duplicate + "\" twice");
  }
  return value;
}

Result<JwsCompact> parse_jws_compact(std::string_view token, const CompactLimits& limits) {
  VOUCH_RETURN_IF_ERROR(check_size(token, limits.max_jws_size, "the JWS"));
  VOUCH_TRY(const auto parts, split(token, 3, "a compact JWS"));
  JwsCompact out;
  VOUCH_TRY(out.header, decode_header(parts[0], limits));
  VOUCH_TRY(out.payload, decode_segment(parts[1], "JWS payload"));
  VOUCH_TRY(out.signature, decode_segment(parts[2], "JWS signature"));
  out.header_b64 = std::string(parts[0]);
  out.signing_input = std::string(token.substr(0, parts[0].size() + 1 + parts[1].size()));
  return out;
}

Result<JweCompact> parse_jwe_compact(std::string_view jwe, const CompactLimits& limits) {
  VOUCH_RETURN_IF_ERROR(check_size(jwe, limits.max_jwe_size, "the JWE"));
  VOUCH_TRY(const auto parts, split(jwe, 5, "a compact JWE"));
  static constexpr std::array<std::string_view, 5> kNames = {
      "JWE protected header", "JWE encrypted key", "JWE initialization vector", "JWE ciphertext",
      "JWE authentication tag"};
  // Only the ciphertext may be empty (an empty plaintext); the key-management algorithms Vouch
  // supports always carry an encrypted key.
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i != 3 && parts[i].empty()) {
      return malformed(checks::kSegments, std::string(kNames[i]) + " is empty");
    }
  }
  JweCompact out;
  VOUCH_TRY(out.header, decode_header(parts[0], limits));
  VOUCH_TRY(out.encrypted_key, decode_segment(parts[1], kNames[1]));
  VOUCH_TRY(out.iv, decode_segment(parts[2], kNames[2]));
  VOUCH_TRY(out.ciphertext, decode_segment(parts[3], kNames[3]));
  VOUCH_TRY(out.tag, decode_segment(parts[4], kNames[4]));
  out.header_b64 = std::string(parts[0]);
  return out;
}

Result<std::string> canonical_json(const nlohmann::json& value, CheckId check) {
  // nlohmann's default object type is std::map: members are already sorted by name. dump()
  // throws only on invalid UTF-8, which is caught here (errors are values past this adapter).
  try {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorKind::kInvalidArgument, check, std::string("cannot serialize: ") + e.what());
  }
}

}  // namespace vouch::jose
