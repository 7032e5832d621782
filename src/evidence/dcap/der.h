#pragma once

// A small bounds-checked DER reader and writer (ITU-T X.690) for the Intel SGX PCK certificate
// extension. Only what that extension uses: single-byte tags, definite lengths in minimal form
// (short form below 128, long form of up to 4 bytes otherwise), non-negative INTEGER/ENUMERATED
// values in minimal form and BOOLEAN as 00 or FF.

#include <cstdint>
#include <string_view>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "base/result.h"

namespace vouch::dcap::der {

inline constexpr std::uint8_t kBoolean = 0x01;
inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kOctetString = 0x04;
inline constexpr std::uint8_t kOid = 0x06;
inline constexpr std::uint8_t kEnumerated = 0x0a;
inline constexpr std::uint8_t kSequence = 0x30;

// Reads one TLV whose tag must be `tag` and returns a reader bounded to its contents. Errors
// (kMalformedEvidence, `check`) name `field` and the byte offset.
[[nodiscard]] Status read_tlv(ByteReader& in, std::uint8_t tag, ByteReader& contents,
                              std::string_view field, CheckId check);
// Reads an INTEGER (or ENUMERATED) that must be non-negative and at most `max`.
[[nodiscard]] Result<std::uint64_t> read_uint(ByteReader& in, std::uint8_t tag, std::uint64_t max,
                                              std::string_view field, CheckId check);
// Reads a BOOLEAN (DER: 00 or FF).
[[nodiscard]] Result<bool> read_bool(ByteReader& in, std::string_view field, CheckId check);
// Reads an OCTET STRING of exactly `size` bytes.
[[nodiscard]] Result<ByteSpan> read_octets(ByteReader& in, std::size_t size, std::string_view field,
                                           CheckId check);

// Appends tag, minimal length and contents.
void write_tlv(ByteWriter& out, std::uint8_t tag, ByteSpan contents);
// Appends a non-negative INTEGER (or ENUMERATED) in minimal form.
void write_uint(ByteWriter& out, std::uint8_t tag, std::uint64_t value);
void write_bool(ByteWriter& out, bool value);

}  // namespace vouch::dcap::der
