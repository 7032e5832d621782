#include "base/byte_reader.h"

#include <gtest/gtest.h>

#include "base/byte_writer.h"
#include "base/checked.h"

namespace vouch {
namespace {

TEST(ByteReader, ReadsBothEndiannessesAndAdvances) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  ByteReader r(data);
  std::uint16_t be = 0;
  std::uint16_t le = 0;
  std::uint32_t u32 = 0;
  std::uint8_t u8 = 0;
  ASSERT_TRUE(r.u16be(be));
  ASSERT_TRUE(r.u16le(le));
  ASSERT_TRUE(r.u32be(u32));
  ASSERT_TRUE(r.u8(u8));
  EXPECT_EQ(be, 0x0102);
  EXPECT_EQ(le, 0x0403);
  EXPECT_EQ(u32, 0x05060708u);
  EXPECT_EQ(u8, 0x09);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.offset(), 9u);
}

TEST(ByteReader, FailedReadDoesNotAdvanceAndRecordsNeed) {
  const Bytes data = {0xaa, 0xbb, 0xcc};
  ByteReader r(data);
  std::uint32_t v = 0;
  EXPECT_FALSE(r.u32le(v));
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_EQ(r.last_need(), 4u);
  const Error e = r.truncated(CheckId("test.truncated"), "field");
  EXPECT_EQ(e.kind, ErrorKind::kMalformedEvidence);
  EXPECT_EQ(e.check, CheckId("test.truncated"));
}

TEST(ByteReader, PrefixedChildIsBoundedAndKeepsAbsoluteOffsets) {
  const Bytes data = {0x00, 0x02, 0x11, 0x22, 0x33};
  ByteReader r(data);
  ByteReader child;
  ASSERT_TRUE(r.u16be_prefixed(child));
  EXPECT_EQ(child.offset(), 2u);
  EXPECT_EQ(child.remaining(), 2u);
  std::uint8_t a = 0;
  std::uint8_t b = 0;
  std::uint8_t c = 0;
  ASSERT_TRUE(child.u8(a));
  ASSERT_TRUE(child.u8(b));
  EXPECT_FALSE(child.u8(c));  // cannot read past the prefix into the parent
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(ByteReader, PrefixLongerThanInputFailsWithoutAdvancing) {
  const Bytes data = {0x00, 0x05, 0x11};
  ByteReader r(data);
  ByteReader child;
  EXPECT_FALSE(r.u16be_prefixed(child));
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_EQ(r.last_need(), 5u);
}

TEST(ByteReader, ZerosRejectsNonZeroAndReportsWhere) {
  const Bytes data = {0x00, 0x00, 0x01, 0x00};
  ByteReader r(data);
  EXPECT_FALSE(r.zeros(4));
  EXPECT_EQ(r.nonzero_at(), 2u);
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_TRUE(r.zeros(2));
}

TEST(ByteReader, HugeLengthsDoNotOverflow) {
  const Bytes data = {0x01};
  ByteReader r(data);
  ByteSpan out;
  EXPECT_FALSE(r.bytes(static_cast<std::size_t>(-1), out));
  EXPECT_FALSE(r.skip(static_cast<std::size_t>(-1)));
}

TEST(ByteWriter, RoundTripsThroughReader) {
  ByteWriter w;
  w.u16be(0xbeef).u32le(0x01020304).u64be(0x1122334455667788ull);
  const Bytes payload = {1, 2, 3};
  w.u16be_prefixed(payload);
  const Bytes out = std::move(w).take();
  ByteReader r(out);
  std::uint16_t a = 0;
  std::uint32_t b = 0;
  std::uint64_t c = 0;
  ByteReader child;
  ASSERT_TRUE(r.u16be(a) && r.u32le(b) && r.u64be(c) && r.u16be_prefixed(child));
  EXPECT_EQ(a, 0xbeef);
  EXPECT_EQ(b, 0x01020304u);
  EXPECT_EQ(c, 0x1122334455667788ull);
  EXPECT_EQ(to_bytes(child.rest()), payload);
  EXPECT_TRUE(r.empty());
}

TEST(Checked, DetectsOverflow) {
  std::size_t out = 0;
  EXPECT_TRUE(checked_add<std::size_t>(1, 2, out));
  EXPECT_EQ(out, 3u);
  EXPECT_FALSE(checked_add<std::size_t>(static_cast<std::size_t>(-1), 1, out));
  EXPECT_FALSE(checked_mul<std::size_t>(static_cast<std::size_t>(-1), 2, out));
  EXPECT_TRUE(fits_in<std::uint16_t>(std::uint32_t{65535}));
  EXPECT_FALSE(fits_in<std::uint16_t>(std::uint32_t{65536}));
}

TEST(Bytes, ConstantTimeEqualComparesLengthFirst) {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 3};
  const Bytes c = {1, 2};
  const Bytes d = {1, 2, 4};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
}

}  // namespace
}  // namespace vouch
