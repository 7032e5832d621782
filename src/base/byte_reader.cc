#include "base/byte_reader.h"

#include <string>

namespace vouch {

bool ByteReader::take(std::size_t n, ByteSpan& out) noexcept {
  if (n > in_.size()) {  // compare against what is left; never `offset + n > size`
    last_need_ = n;
    return false;
  }
  out = in_.first(n);
  in_ = in_.subspan(n);
  offset_ += n;
  last_need_ = 0;
  return true;
}

bool ByteReader::u8(std::uint8_t& out) noexcept {
  ByteSpan s;
  if (!take(1, s)) {
    return false;
  }
  out = s[0];
  return true;
}

namespace {
template <typename T, std::size_t N>
T load_le(ByteSpan s) noexcept {
  T v = 0;
  for (std::size_t i = 0; i < N; ++i) {
    v = static_cast<T>(v | (static_cast<T>(s[i]) << (8 * i)));
  }
  return v;
}
template <typename T, std::size_t N>
T load_be(ByteSpan s) noexcept {
  T v = 0;
  for (std::size_t i = 0; i < N; ++i) {
    v = static_cast<T>((v << 8) | static_cast<T>(s[i]));
  }
  return v;
}
}  // namespace

template <typename T, bool kBigEndian>
bool ByteReader::read_int(T& out) noexcept {
  ByteSpan s;
  if (!take(sizeof(T), s)) {
    return false;
  }
  out = kBigEndian ? load_be<T, sizeof(T)>(s) : load_le<T, sizeof(T)>(s);
  return true;
}

bool ByteReader::u16le(std::uint16_t& out) noexcept {
  return read_int<std::uint16_t, false>(out);
}
bool ByteReader::u32le(std::uint32_t& out) noexcept {
  return read_int<std::uint32_t, false>(out);
}
bool ByteReader::u64le(std::uint64_t& out) noexcept {
  return read_int<std::uint64_t, false>(out);
}
bool ByteReader::u16be(std::uint16_t& out) noexcept {
  return read_int<std::uint16_t, true>(out);
}
bool ByteReader::u32be(std::uint32_t& out) noexcept {
  return read_int<std::uint32_t, true>(out);
}
bool ByteReader::u64be(std::uint64_t& out) noexcept {
  return read_int<std::uint64_t, true>(out);
}

bool ByteReader::bytes(std::size_t n, ByteSpan& out) noexcept {
  return take(n, out);
}

bool ByteReader::copy(std::size_t n, Bytes& out) {
  ByteSpan s;
  if (!take(n, s)) {
    return false;
  }
  out.assign(s.begin(), s.end());
  return true;
}

bool ByteReader::child(std::size_t n, ByteReader& out) noexcept {
  const std::size_t start = offset_;
  ByteSpan s;
  if (!take(n, s)) {
    return false;
  }
  out = ByteReader(s, start);
  return true;
}

bool ByteReader::u16be_prefixed(ByteReader& out) noexcept {
  ByteReader saved = *this;
  std::uint16_t len = 0;
  if (!u16be(len)) {
    return false;
  }
  if (!child(len, out)) {
    const std::size_t need = last_need_;
    *this = saved;
    last_need_ = need;
    return false;
  }
  return true;
}

bool ByteReader::u32le_prefixed(ByteReader& out) noexcept {
  ByteReader saved = *this;
  std::uint32_t len = 0;
  if (!u32le(len)) {
    return false;
  }
  if (!child(len, out)) {
    const std::size_t need = last_need_;
    *this = saved;
    last_need_ = need;
    return false;
  }
  return true;
}

bool ByteReader::skip(std::size_t n) noexcept {
  ByteSpan s;
  return take(n, s);
}

bool ByteReader::zeros(std::size_t n) noexcept {
  if (n > in_.size()) {
    last_need_ = n;
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (in_[i] != 0) {
      nonzero_at_ = offset_ + i;
      last_need_ = 0;
      return false;
    }
  }
  ByteSpan s;
  return take(n, s);
}

Error ByteReader::truncated(CheckId check, std::string_view field) const {
  std::string d(field);
  d += " at offset " + std::to_string(offset_) + ": needs " + std::to_string(last_need_) +
       " bytes, " + std::to_string(in_.size()) + " remain";
  return Error{ErrorKind::kMalformedEvidence, check, std::move(d)};
}

Error ByteReader::trailing(CheckId check, std::string_view what) const {
  std::string d(std::to_string(in_.size()));
  d += " trailing bytes after ";
  d += what;
  d += " at offset " + std::to_string(offset_);
  return Error{ErrorKind::kMalformedEvidence, check, std::move(d)};
}

}  // namespace vouch
