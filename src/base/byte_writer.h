#pragma once

#include <cstdint>
#include <limits>

#include "base/bytes.h"

namespace vouch {

// ByteWriter appends integers and byte strings to a growing buffer; the inverse of ByteReader,
// used by serializers so that parse(serialize(x)) == x can be tested.
class ByteWriter {
 public:
  ByteWriter& u8(std::uint8_t v) {
    out_.push_back(v);
    return *this;
  }
  ByteWriter& u16be(std::uint16_t v) { return be(v, 2); }
  ByteWriter& u32be(std::uint32_t v) { return be(v, 4); }
  ByteWriter& u64be(std::uint64_t v) { return be(v, 8); }
  ByteWriter& u16le(std::uint16_t v) { return le(v, 2); }
  ByteWriter& u32le(std::uint32_t v) { return le(v, 4); }
  ByteWriter& u64le(std::uint64_t v) { return le(v, 8); }
  ByteWriter& bytes(ByteSpan b) {
    append(out_, b);
    return *this;
  }
  ByteWriter& zeros(std::size_t n) {
    out_.insert(out_.end(), n, 0);
    return *this;
  }
  // Writes a big-endian u16 length then the bytes (TPM2B_*). The caller guarantees the size fits;
  // sizes above 65535 are a programming error and abort.
  ByteWriter& u16be_prefixed(ByteSpan b);

  const Bytes& data() const& noexcept { return out_; }
  Bytes take() && noexcept { return std::move(out_); }

 private:
  ByteWriter& be(std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    return *this;
  }
  ByteWriter& le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    return *this;
  }
  Bytes out_;
};

}  // namespace vouch
