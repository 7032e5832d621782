#include "evidence/dcap/der.h"

#include <string>

namespace vouch::dcap::der {
namespace {

std::string at(std::string_view field, std::size_t offset) {
  return std::string(field) + " at offset " + std::to_string(offset);
}

std::string hex_byte(std::uint8_t b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[b >> 4] + kDigits[b & 0x0f];
}

}  // namespace

Status read_tlv(ByteReader& in, std::uint8_t tag, ByteReader& contents, std::string_view field,
                CheckId check) {
  ByteReader r = in;
  const std::size_t start = r.offset();
  std::uint8_t t = 0;
  std::uint8_t first = 0;
  if (!r.u8(t) || !r.u8(first)) {
    return malformed(check, at(field, start) + ": truncated tag or length");
  }
  if (t != tag) {
    return malformed(check,
                     at(field, start) + ": tag " + hex_byte(t) + ", expected " + hex_byte(tag));
  }
  std::size_t len = first;
  if (first == 0x80) {
    return malformed(check, at(field, start) + ": indefinite length is not DER");
  }
  if (first > 0x80) {
    const std::size_t num = first & 0x7fu;
    if (num > 4) {
      return malformed(
          check, at(field, start) + ": length of " + std::to_string(num) + " bytes is too long");
    }
    len = 0;
    for (std::size_t i = 0; i < num; ++i) {
      std::uint8_t b = 0;
      if (!r.u8(b)) {
        return malformed(check, at(field, start) + ": truncated length");
      }
      if (i == 0 && b == 0) {
        return malformed(check, at(field, start) + ": length has a leading zero (not DER)");
      }
      len = (len << 8) | b;
    }
    if (len < 0x80) {
      return malformed(check, at(field, start) + ": long-form length below 128 (not DER)");
    }
  }
  if (!r.child(len, contents)) {
    return malformed(check, at(field, start) + ": contents of " + std::to_string(len) +
                                " bytes, only " + std::to_string(r.remaining()) + " remain");
  }
  in = r;
  return ok();
}

Result<std::uint64_t> read_uint(ByteReader& in, std::uint8_t tag, std::uint64_t max,
                                std::string_view field, CheckId check) {
  ByteReader c;
  const std::size_t start = in.offset();
  VOUCH_RETURN_IF_ERROR(read_tlv(in, tag, c, field, check));
  const ByteSpan v = c.rest();
  if (v.empty()) {
    return malformed(check, at(field, start) + ": empty integer");
  }
  if ((v[0] & 0x80) != 0) {
    return malformed(check, at(field, start) + ": negative integer");
  }
  if (v.size() > 1 && v[0] == 0 && (v[1] & 0x80) == 0) {
    return malformed(check, at(field, start) + ": integer has a redundant leading zero");
  }
  if (v.size() > 9 || (v.size() == 9 && v[0] != 0)) {
    return malformed(check, at(field, start) + ": integer too large");
  }
  std::uint64_t value = 0;
  for (std::uint8_t b : v) {
    value = (value << 8) | b;
  }
  if (value > max) {
    return malformed(
        check, at(field, start) + ": " + std::to_string(value) + " exceeds " + std::to_string(max));
  }
  return value;
}

Result<bool> read_bool(ByteReader& in, std::string_view field, CheckId check) {
  ByteReader c;
  const std::size_t start = in.offset();
  VOUCH_RETURN_IF_ERROR(read_tlv(in, kBoolean, c, field, check));
  const ByteSpan v = c.rest();
  if (v.size() != 1 || (v[0] != 0x00 && v[0] != 0xff)) {
    return malformed(check, at(field, start) + ": BOOLEAN must be one byte, 00 or FF");
  }
  return v[0] == 0xff;
}

Result<ByteSpan> read_octets(ByteReader& in, std::size_t size, std::string_view field,
                             CheckId check) {
  ByteReader c;
  const std::size_t start = in.offset();
  VOUCH_RETURN_IF_ERROR(read_tlv(in, kOctetString, c, field, check));
  if (c.remaining() != size) {
    return malformed(check, at(field, start) + ": " + std::to_string(c.remaining()) +
                                " bytes, expected " + std::to_string(size));
  }
  return c.rest();
}

void write_tlv(ByteWriter& out, std::uint8_t tag, ByteSpan contents) {
  out.u8(tag);
  const std::size_t n = contents.size();
  if (n < 0x80) {
    out.u8(static_cast<std::uint8_t>(n));
  } else {
    std::size_t num = 0;
    for (std::size_t v = n; v != 0; v >>= 8) {
      ++num;
    }
    out.u8(static_cast<std::uint8_t>(0x80 | num));
    for (std::size_t i = num; i > 0; --i) {
      out.u8(static_cast<std::uint8_t>(n >> (8 * (i - 1))));
    }
  }
  out.bytes(contents);
}

void write_uint(ByteWriter& out, std::uint8_t tag, std::uint64_t value) {
  Bytes v;
  for (std::uint64_t x = value; x != 0; x >>= 8) {
    v.insert(v.begin(), static_cast<std::uint8_t>(x));
  }
  if (v.empty() || (v[0] & 0x80) != 0) {
    v.insert(v.begin(), 0);
  }
  write_tlv(out, tag, v);
}

void write_bool(ByteWriter& out, bool value) {
  const std::uint8_t b = value ? 0xff : 0x00;
  write_tlv(out, kBoolean, ByteSpan(&b, 1));
}

}  // namespace vouch::dcap::der
