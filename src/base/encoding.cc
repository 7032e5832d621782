#include "base/encoding.h"

#include <array>
#include <cstdint>

namespace vouch {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string b64_encode(ByteSpan in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = in.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) {
      out.append("==");
    }
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) {
      out.push_back('=');
    }
  }
  return out;
}

enum class Alphabet { kStd, kUrl, kEither };
enum class Padding { kRequired, kForbidden, kOptional };

Result<Bytes> b64_decode(std::string_view in, Alphabet alphabet, Padding padding) {
  auto bad = [](std::string why) {
    return fail(ErrorKind::kInvalidArgument, checks::kBase64Decode, std::move(why));
  };
  std::size_t len = in.size();
  std::size_t num_pad = 0;
  while (len > 0 && in[len - 1] == '=' && num_pad < 2) {
    --len;
    ++num_pad;
  }
  if (num_pad > 0 && padding == Padding::kForbidden) {
    return bad("padding is not allowed");
  }
  if (len % 4 == 1) {
    return bad("length " + std::to_string(len) + " is not a valid base64 length");
  }
  const std::size_t expected_pad = (4 - len % 4) % 4;
  if (padding == Padding::kRequired && num_pad != expected_pad) {
    return bad("missing or wrong padding");
  }
  if (num_pad != 0 && num_pad != expected_pad) {
    return bad("wrong padding");
  }
  bool seen_std = false;
  bool seen_url = false;
  Bytes out;
  out.reserve(len / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    const char c = in[i];
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '/') {
      seen_std = true;
      v = c == '+' ? 62 : 63;
    } else if (c == '-' || c == '_') {
      seen_url = true;
      v = c == '-' ? 62 : 63;
    }
    if (v < 0) {
      return bad("invalid character at position " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  if ((alphabet == Alphabet::kStd && seen_url) || (alphabet == Alphabet::kUrl && seen_std) ||
      (seen_std && seen_url)) {
    return bad("mixed or wrong base64 alphabet");
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return bad("non-zero trailing bits");
  }
  return out;
}

}  // namespace

std::string hex_encode(ByteSpan in) {
  std::string out;
  out.reserve(in.size() * 2);
  for (std::uint8_t b : in) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 15]);
  }
  return out;
}

Result<Bytes> hex_decode(std::string_view in) {
  if (in.size() % 2 != 0) {
    return fail(ErrorKind::kInvalidArgument, checks::kHexDecode,
                "odd number of hex digits (" + std::to_string(in.size()) + ")");
  }
  Bytes out(in.size() / 2);
  for (std::size_t i = 0; i < in.size(); i += 2) {
    const int hi = hex_value(in[i]);
    const int lo = hex_value(in[i + 1]);
    if (hi < 0 || lo < 0) {
      const std::size_t at = hi < 0 ? i : i + 1;
      return fail(ErrorKind::kInvalidArgument, checks::kHexDecode,
                  "non-hex character at position " + std::to_string(at));
    }
    out[i / 2] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string base64_encode(ByteSpan in) {
  return b64_encode(in, kStdAlphabet, true);
}
std::string base64url_encode(ByteSpan in) {
  return b64_encode(in, kUrlAlphabet, false);
}
Result<Bytes> base64_decode(std::string_view in) {
  return b64_decode(in, Alphabet::kStd, Padding::kRequired);
}
Result<Bytes> base64url_decode(std::string_view in) {
  return b64_decode(in, Alphabet::kUrl, Padding::kForbidden);
}
Result<Bytes> base64_decode_any(std::string_view in) {
  return b64_decode(in, Alphabet::kEither, Padding::kOptional);
}

}  // namespace vouch
