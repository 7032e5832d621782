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

// Decoding table: 0..63 for the shared characters; '+' '/' carry kB64StdOnly and '-' '_'
// kB64UrlOnly on top of their value (62, 63), so one pass also tells which alphabet was used.
constexpr std::uint8_t kB64Invalid = 0xFF;
constexpr std::uint8_t kB64StdOnly = 0x40;
constexpr std::uint8_t kB64UrlOnly = 0x80;
constexpr std::array<std::uint8_t, 256> kB64Table = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(kB64Invalid);
  for (int i = 0; i < 26; ++i) {
    t[static_cast<std::size_t>('A' + i)] = static_cast<std::uint8_t>(i);
    t[static_cast<std::size_t>('a' + i)] = static_cast<std::uint8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) {
    t[static_cast<std::size_t>('0' + i)] = static_cast<std::uint8_t>(52 + i);
  }
  t['+'] = 62 | kB64StdOnly;
  t['/'] = 63 | kB64StdOnly;
  t['-'] = 62 | kB64UrlOnly;
  t['_'] = 63 | kB64UrlOnly;
  return t;
}();

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
  // Full quads through the table, then the 2- or 3-character tail.
  const std::size_t full = len / 4 * 4;
  const std::size_t tail = len - full;
  Bytes out(full / 4 * 3 + (tail == 0 ? 0 : tail - 1));
  std::uint8_t* o = out.data();
  std::uint8_t flags = 0;
  auto invalid_at = [&](std::size_t from) {
    std::size_t i = from;
    while (i < len && kB64Table[static_cast<unsigned char>(in[i])] != kB64Invalid) {
      ++i;
    }
    return bad("invalid character at position " + std::to_string(i));
  };
  for (std::size_t i = 0; i < full; i += 4) {
    const std::uint8_t e0 = kB64Table[static_cast<unsigned char>(in[i])];
    const std::uint8_t e1 = kB64Table[static_cast<unsigned char>(in[i + 1])];
    const std::uint8_t e2 = kB64Table[static_cast<unsigned char>(in[i + 2])];
    const std::uint8_t e3 = kB64Table[static_cast<unsigned char>(in[i + 3])];
    if (e0 == kB64Invalid || e1 == kB64Invalid || e2 == kB64Invalid || e3 == kB64Invalid) {
      return invalid_at(i);
    }
    flags |= static_cast<std::uint8_t>(e0 | e1 | e2 | e3);
    const std::uint32_t v = (std::uint32_t{e0 & 63u} << 18) | (std::uint32_t{e1 & 63u} << 12) |
                            (std::uint32_t{e2 & 63u} << 6) | std::uint32_t{e3 & 63u};
    *o++ = static_cast<std::uint8_t>(v >> 16);
    *o++ = static_cast<std::uint8_t>(v >> 8);
    *o++ = static_cast<std::uint8_t>(v);
  }
  if (tail != 0) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < tail; ++k) {
      const std::uint8_t e = kB64Table[static_cast<unsigned char>(in[full + k])];
      if (e == kB64Invalid) {
        return invalid_at(full);
      }
      flags |= e;
      v |= std::uint32_t{e & 63u} << (18 - 6 * k);
    }
    *o++ = static_cast<std::uint8_t>(v >> 16);
    if (tail == 3) {
      *o++ = static_cast<std::uint8_t>(v >> 8);
    }
    // The bits below the last whole byte must be zero (canonical encoding).
    const std::uint32_t rest = tail == 2 ? (v & 0xFFFFu) : (v & 0xFFu);
    if (rest != 0) {
      return bad("non-zero trailing bits");
    }
  }
  const bool seen_std = (flags & kB64StdOnly) != 0;
  const bool seen_url = (flags & kB64UrlOnly) != 0;
  if ((alphabet == Alphabet::kStd && seen_url) || (alphabet == Alphabet::kUrl && seen_std) ||
      (seen_std && seen_url)) {
    return bad("mixed or wrong base64 alphabet");
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
