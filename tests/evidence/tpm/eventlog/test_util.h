#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"

namespace vouch::tpm::eventlog::test {

// Overwrites a little-endian u32 at `at` (for one-field defects in builder-made logs).
inline void put_u32le(Bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) {
    b.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

inline void put_u16le(Bytes& b, std::size_t at, std::uint16_t v) {
  b.at(at) = static_cast<std::uint8_t>(v);
  b.at(at + 1) = static_cast<std::uint8_t>(v >> 8);
}

inline Bytes bytes_of(std::initializer_list<std::uint8_t> l) {
  return Bytes(l);
}

// Offsets inside a crypto-agile log's first record (TCG_PCR_EVENT + TCG_EfiSpecIDEvent).
inline constexpr std::size_t kHeaderDigestAt = 8;
inline constexpr std::size_t kHeaderEventSizeAt = 28;
inline constexpr std::size_t kSpecSignatureAt = 32;
inline constexpr std::size_t kSpecVersionMinorAt = 52;
inline constexpr std::size_t kSpecVersionMajorAt = 53;
inline constexpr std::size_t kSpecUintnSizeAt = 55;
inline constexpr std::size_t kSpecNumAlgorithmsAt = 56;
inline constexpr std::size_t kSpecAlgorithmsAt = 60;  // {algorithmId u16, digestSize u16}[]

// Offsets inside a TCG_PCR_EVENT2 record, relative to its start.
inline constexpr std::size_t kEvent2PcrAt = 0;
inline constexpr std::size_t kEvent2TypeAt = 4;
inline constexpr std::size_t kEvent2CountAt = 8;
inline constexpr std::size_t kEvent2FirstAlgAt = 12;

}  // namespace vouch::tpm::eventlog::test
