// Builder-made logs through replay(): both formats, every parser branch, each failure asserting
// its exact (kind, check id).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/constants.h"
#include "evidence/tpm/eventlog/eventlog.h"
#include "testing/eventlog_builder.h"
#include "testing/matchers.h"
#include "tests/evidence/tpm/eventlog/test_util.h"

namespace vouch::tpm::eventlog {
namespace {

using crypto::HashAlg;
using ::vouch::testing::EventLogBuilder;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;
using namespace test;  // NOLINT(google-build-using-namespace): test helpers

constexpr ErrorKind kMalformed = ErrorKind::kMalformedEvidence;

// A small firmware-like log: every record starts with a non-zero PCR byte except where noted, so
// the truncation test below sees both outcomes (truncated record, padding-like remainder).
EventLogBuilder sample(EventLogBuilder b) {
  b.startup_locality(3)
      .event(0, ev::kSCrtmVersion, "GCE Virtual Firmware v1")
      .event(1, ev::kEfiVariableBoot, "BootOrder")
      .event(2, ev::kEfiBootServicesDriver, "driver")
      .event(4, ev::kEfiAction, "Calling EFI Application from Boot Option")
      .secure_boot_variable("SecureBoot", bytes_of({1}))
      .separators()
      .event(8, ev::kIpl, "grub_cmd: linux /vmlinuz")
      .event(5, ev::kNoAction, "not extended");
  return b;
}

std::map<HashAlg, PcrBank> builder_pcrs(const EventLogBuilder& b) {
  return b.pcrs();
}

TEST(Replay, CryptoAgileThreeBanksMatchesBuilder) {
  const EventLogBuilder b =
      sample(EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384}));
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->format, LogFormat::kCryptoAgile);
  EXPECT_EQ(r->num_events, b.num_events());
  EXPECT_EQ(r->banks.size(), 3u);
  EXPECT_EQ(r->banks, builder_pcrs(b));
  // PCRs the log never extends are absent.
  EXPECT_TRUE(r->banks.at(HashAlg::kSha256).contains(3));
  EXPECT_FALSE(r->banks.at(HashAlg::kSha256).contains(9));
}

TEST(Replay, LegacySha1MatchesBuilder) {
  const EventLogBuilder b = sample(EventLogBuilder::legacy_sha1());
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->format, LogFormat::kLegacySha1);
  EXPECT_EQ(r->num_events, b.num_events());
  ASSERT_EQ(r->banks.size(), 1u);
  EXPECT_EQ(r->banks, builder_pcrs(b));
}

TEST(Replay, Sm3Bank) {
  const EventLogBuilder b = sample(EventLogBuilder::crypto_agile({HashAlg::kSm3}));
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  ASSERT_TRUE(r->banks.contains(HashAlg::kSm3));
  EXPECT_EQ(r->banks, builder_pcrs(b));
  EXPECT_EQ(r->banks.at(HashAlg::kSm3).at(7).size(), 32u);
}

TEST(Replay, Sha512Bank) {
  const EventLogBuilder b = sample(EventLogBuilder::crypto_agile({HashAlg::kSha512}));
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->banks, builder_pcrs(b));
}

TEST(Replay, UnknownAlgorithmsAreSkippedByDeclaredSize) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.unknown_algorithm(alg::kSha3_256, 32).unknown_algorithm(0x7777, 7).bank(HashAlg::kSha384);
  const EventLogBuilder full = sample(b);
  auto r = replay(full.build());
  ASSERT_THAT(r, Succeeds());
  ASSERT_EQ(r->banks.size(), 2u);  // the two Vouch can compute
  EXPECT_EQ(r->banks, builder_pcrs(full));
}

TEST(Replay, StartupLocalitySetsPcr0InitialValue) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.startup_locality(3).event(0, ev::kSCrtmVersion, "v1");
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  Bytes start(32, 0);
  start.back() = 3;
  crypto::Hasher h(HashAlg::kSha256);
  h.update(start).update(crypto::digest(HashAlg::kSha256, as_bytes("v1")));
  EXPECT_EQ(r->banks.at(HashAlg::kSha256).at(0), h.finish());

  // Without the event PCR 0 starts at zero.
  EventLogBuilder plain = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  plain.event(0, ev::kSCrtmVersion, "v1");
  EXPECT_NE(replay(plain.build())->banks.at(HashAlg::kSha256).at(0),
            r->banks.at(HashAlg::kSha256).at(0));
}

TEST(Replay, StartupLocalityInAnotherPcrIsIgnored) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  Bytes data(kStartupLocalitySignature.begin(), kStartupLocalitySignature.end());
  data.push_back(3);
  b.event(1, ev::kNoAction, data).event(0, ev::kSCrtmVersion, "v1");
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->banks, builder_pcrs(b));  // the builder started PCR 0 at zero
}

TEST(Replay, StartupLocalityDefects) {
  Bytes sig(kStartupLocalitySignature.begin(), kStartupLocalitySignature.end());
  Bytes long_data = sig;
  long_data.insert(long_data.end(), {3, 0});
  EventLogBuilder wrong_size = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  wrong_size.event(0, ev::kNoAction, long_data);
  EXPECT_THAT(replay(wrong_size.build()), FailsWith(kMalformed, checks::kEventData));

  EventLogBuilder late = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  late.event(0, ev::kSCrtmVersion, "v1").startup_locality(3);
  EXPECT_THAT(replay(late.build()), FailsWith(kMalformed, checks::kEventData));

  EventLogBuilder twice = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  twice.startup_locality(3).startup_locality(0);
  EXPECT_THAT(replay(twice.build()), FailsWith(kMalformed, checks::kEventData));
}

TEST(Replay, NoActionEventsAreNeverExtended) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(9, ev::kNoAction, "SP800-155 Event3").event(0xFFFFFFFF, ev::kNoAction, "any pcr");
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_TRUE(r->banks.at(HashAlg::kSha256).empty());
  EXPECT_EQ(r->num_events, 3u);
}

TEST(Replay, EmptyLogIsTruncated) {
  EXPECT_THAT(replay(Bytes{}), FailsWith(kMalformed, checks::kTruncated));
  EXPECT_THAT(replay(Bytes(64, 0xFF), {.allow_trailing_padding = true}),
              FailsWith(kMalformed, checks::kTruncated));
}

TEST(Replay, HeaderOnlyLogHasEmptyBanks) {
  auto r = replay(EventLogBuilder::crypto_agile({HashAlg::kSha256}).build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->num_events, 1u);
  ASSERT_TRUE(r->banks.contains(HashAlg::kSha256));
  EXPECT_TRUE(r->banks.at(HashAlg::kSha256).empty());
}

// Cuts the log after every byte. A cut at a record boundary is a valid shorter log; any other cut
// leaves a partial record: truncated, or trailing when the partial record looks like padding.
void expect_every_prefix_fails_or_is_shorter(const EventLogBuilder& b) {
  const Bytes log = b.build();
  const std::vector<std::size_t> offsets = b.record_offsets();
  for (std::size_t n = 0; n < log.size(); ++n) {
    SCOPED_TRACE("prefix length " + std::to_string(n));
    const ByteSpan prefix = ByteSpan(log).first(n);
    auto r = replay(prefix);
    const auto at_boundary = std::find(offsets.begin(), offsets.end(), n);
    if (n > offsets.front() && at_boundary != offsets.end()) {
      ASSERT_THAT(r, Succeeds());
      EXPECT_EQ(r->num_events, static_cast<std::size_t>(at_boundary - offsets.begin()));
      continue;
    }
    std::size_t last = 0;
    for (std::size_t o : offsets) {
      if (o <= n) {
        last = o;
      }
    }
    const ByteSpan partial = prefix.subspan(last);
    const bool padding_like =
        last > 0 && !partial.empty() &&
        (std::all_of(partial.begin(), partial.end(), [](std::uint8_t c) { return c == 0; }) ||
         std::all_of(partial.begin(), partial.end(), [](std::uint8_t c) { return c == 0xFF; }));
    EXPECT_THAT(r, FailsWith(kMalformed, padding_like ? checks::kTrailing : checks::kTruncated));
  }
  EXPECT_THAT(replay(log), Succeeds());
}

TEST(Replay, TruncationAtEveryFieldCryptoAgile) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256});
  b.unknown_algorithm(alg::kSha3_256, 32).vendor_info(bytes_of({1, 2, 3}));
  expect_every_prefix_fails_or_is_shorter(sample(b));
}

TEST(Replay, TruncationAtEveryFieldLegacy) {
  expect_every_prefix_fails_or_is_shorter(sample(EventLogBuilder::legacy_sha1()));
}

TEST(Replay, TrailingPaddingRejectedByDefaultAndAcceptedWithOption) {
  for (std::uint8_t pad : {std::uint8_t{0x00}, std::uint8_t{0xFF}}) {
    SCOPED_TRACE(static_cast<int>(pad));
    EventLogBuilder b = sample(EventLogBuilder::crypto_agile({HashAlg::kSha384}));
    const auto clean = replay(b.build());
    ASSERT_THAT(clean, Succeeds());
    b.tail(Bytes(4096, pad));
    EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kTrailing));
    auto padded = replay(b.build(), {.allow_trailing_padding = true});
    ASSERT_THAT(padded, Succeeds());
    EXPECT_EQ(padded->banks, clean->banks);
    EXPECT_EQ(padded->num_events, clean->num_events);
  }
  // A single padding byte, and legacy logs, too.
  EventLogBuilder legacy = sample(EventLogBuilder::legacy_sha1());
  legacy.tail(bytes_of({0xFF}));
  EXPECT_THAT(replay(legacy.build()), FailsWith(kMalformed, checks::kTrailing));
  EXPECT_THAT(replay(legacy.build(), {.allow_trailing_padding = true}), Succeeds());
}

TEST(Replay, TrailingGarbageIsNotPadding) {
  EventLogBuilder b = sample(EventLogBuilder::crypto_agile({HashAlg::kSha256}));
  b.tail(bytes_of({0xde, 0xad}));
  EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kTruncated));
  EXPECT_THAT(replay(b.build(), {.allow_trailing_padding = true}),
              FailsWith(kMalformed, checks::kTruncated));
  // Padding followed by something else is a (bogus) record, not padding.
  EventLogBuilder c = sample(EventLogBuilder::crypto_agile({HashAlg::kSha256}));
  Bytes tail(16, 0xFF);
  tail.push_back(0x01);
  c.tail(tail);
  EXPECT_THAT(replay(c.build(), {.allow_trailing_padding = true}),
              FailsWith(kMalformed, checks::kDigest));
}

TEST(Replay, OversizedEventSizeHitsTheBound) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(1, ev::kPostCode, "x");
  const std::size_t rec = b.record_offsets()[1];
  const std::size_t size_at = rec + kEvent2FirstAlgAt + 2 + 32;
  for (std::uint32_t v : {static_cast<std::uint32_t>(kMaxEventDataSize + 1), 0xFFFFFFFFu}) {
    Bytes log = b.build();
    put_u32le(log, size_at, v);
    EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kLimit));
  }
  // Within the bound but past the end of the log: truncated.
  Bytes log = b.build();
  put_u32le(log, size_at, 2);
  EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kTruncated));

  EventLogBuilder legacy = EventLogBuilder::legacy_sha1();
  legacy.event(1, ev::kPostCode, "x");
  Bytes llog = legacy.build();
  put_u32le(llog, 28, 0xFFFFFFFFu);
  EXPECT_THAT(replay(llog), FailsWith(kMalformed, checks::kLimit));
}

TEST(Replay, LargeEventWithinTheBoundIsAccepted) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(1, ev::kEfiGptEvent, Bytes(kMaxEventDataSize, 0x5A));
  EXPECT_THAT(replay(b.build()), Succeeds());
}

TEST(Replay, TooManyEventsHitsTheBound) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  // Smallest records: EV_NO_ACTION with no digests and no data (16 bytes each).
  for (std::size_t i = 0; i + 1 < kMaxEvents; ++i) {
    b.add({.pcr = 1, .type = ev::kNoAction, .data = {}, .digests = {}, .omit = {HashAlg::kSha256}});
  }
  auto at_limit = replay(b.build());
  ASSERT_THAT(at_limit, Succeeds());
  EXPECT_EQ(at_limit->num_events, kMaxEvents);
  b.add({.pcr = 1, .type = ev::kNoAction, .data = {}, .digests = {}, .omit = {HashAlg::kSha256}});
  EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kLimit));
}

TEST(Replay, DigestCountBeyondDeclaredAlgorithms) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256});
  b.event(1, ev::kPostCode, "x");
  for (std::uint32_t v : {3u, 0xFFFFFFFFu}) {
    Bytes log = b.build();
    put_u32le(log, b.record_offsets()[1] + kEvent2CountAt, v);
    EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kDigest));
  }
}

TEST(Replay, DigestOfUndeclaredAlgorithm) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(1, ev::kPostCode, "x");
  Bytes log = b.build();
  put_u16le(log, b.record_offsets()[1] + kEvent2FirstAlgAt, alg::kSha3_256);
  EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kDigest));
}

TEST(Replay, SameAlgorithmTwiceInOneEvent) {
  // SHA-256 and SM3 digests have the same size, so relabelling the second one keeps the framing.
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256, HashAlg::kSm3});
  b.event(1, ev::kPostCode, "x");
  Bytes log = b.build();
  put_u16le(log, b.record_offsets()[1] + kEvent2FirstAlgAt + 2 + 32, alg::kSha256);
  EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kDigest));
}

TEST(Replay, MeasuringEventWithoutADeclaredBank) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256});
  b.add({.pcr = 1,
         .type = ev::kPostCode,
         .data = to_bytes(as_bytes("x")),
         .digests = {},
         .omit = {HashAlg::kSha1}});
  EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kBankMissing));
  // An EV_NO_ACTION event may carry fewer digests: it is never extended.
  EventLogBuilder c = EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256});
  c.add({.pcr = 1, .type = ev::kNoAction, .data = {}, .digests = {}, .omit = {HashAlg::kSha1}});
  EXPECT_THAT(replay(c.build()), Succeeds());
}

TEST(Replay, PcrIndexOutOfRange) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(23, ev::kPostCode, "last pcr");
  EXPECT_THAT(replay(b.build()), Succeeds());
  b.event(24, ev::kPostCode, "no such pcr");
  EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kPcrIndex));
  EventLogBuilder legacy = EventLogBuilder::legacy_sha1();
  legacy.event(0xFFFFFFFF, ev::kPostCode, "x");
  EXPECT_THAT(replay(legacy.build()), FailsWith(kMalformed, checks::kPcrIndex));
}

class SpecIdDefect : public ::testing::Test {
 protected:
  SpecIdDefect() : b_(EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256})) {
    b_.event(1, ev::kPostCode, "x");
    log_ = b_.build();
  }
  EventLogBuilder b_;
  Bytes log_;
};

TEST_F(SpecIdDefect, UnsupportedSignature) {
  log_.at(kSpecSignatureAt + 14) = '4';  // "Spec ID Event04"
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, Version) {
  Bytes major = log_;
  major.at(kSpecVersionMajorAt) = 1;
  EXPECT_THAT(replay(major), FailsWith(kMalformed, checks::kSpecId));
  log_.at(kSpecVersionMinorAt) = 1;
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, UintnSize) {
  log_.at(kSpecUintnSizeAt) = 3;
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, NumberOfAlgorithms) {
  for (std::uint32_t v : {0u, 3u, 17u, 1000u, 0xFFFFFFFFu}) {
    Bytes log = log_;
    put_u32le(log, kSpecNumAlgorithmsAt, v);
    EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kSpecId)) << v;
  }
}

TEST_F(SpecIdDefect, KnownAlgorithmWithWrongSize) {
  put_u16le(log_, kSpecAlgorithmsAt + 2, 32);  // SHA-1 declared with 32 bytes
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, AlgorithmListedTwice) {
  put_u16le(log_, kSpecAlgorithmsAt + 4, alg::kSha1);
  put_u16le(log_, kSpecAlgorithmsAt + 6, 20);
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, NullAlgorithm) {
  put_u16le(log_, kSpecAlgorithmsAt, alg::kNull);
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, VendorInfoSize) {
  const std::size_t vendor_size_at = kSpecAlgorithmsAt + 8;
  Bytes longer = log_;
  longer.at(vendor_size_at) = 1;  // claims a byte that the header does not have
  EXPECT_THAT(replay(longer), FailsWith(kMalformed, checks::kSpecId));
  // Header data longer than its fields: trailing bytes inside the Spec ID event.
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.vendor_info(bytes_of({7, 7}));
  Bytes log = b.build();
  log.at(kSpecAlgorithmsAt + 4) = 1;
  EXPECT_THAT(replay(log), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, HeaderTooShortForItsFields) {
  put_u32le(log_, kHeaderEventSizeAt, 20);  // ends inside the fixed part
  // The record now frames 20 bytes of header; the rest no longer parses as the next record, but
  // the Spec ID content is checked first.
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, NonZeroDigestField) {
  log_.at(kHeaderDigestAt + 5) = 1;
  EXPECT_THAT(replay(log_), FailsWith(kMalformed, checks::kSpecId));
}

TEST_F(SpecIdDefect, UnknownAlgorithmSizeOutOfRange) {
  for (std::uint16_t size : {std::uint16_t{0}, std::uint16_t{129}}) {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
    b.unknown_algorithm(0x7777, size);
    EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kSpecId)) << size;
  }
}

TEST(Replay, SpecIdEvent00StartsALegacyLog) {
  // TCG 1.2 firmware may put a "Spec ID Event00" EV_NO_ACTION first and keep the SHA-1 format.
  EventLogBuilder b = EventLogBuilder::legacy_sha1();
  Bytes spec00(kSpecIdSignature03.begin(), kSpecIdSignature03.end());
  spec00[14] = '0';
  spec00.resize(40, 0);
  b.event(0, ev::kNoAction, spec00).event(1, ev::kPostCode, "x");
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->format, LogFormat::kLegacySha1);
  EXPECT_EQ(r->banks, builder_pcrs(b));
}

TEST(Replay, CcelLikeLogWithMeasurementRegisters) {
  // TDX CCEL: SHA-384 only, header record in MR index 1, events in MR 1..3, buffer padded.
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha384});
  b.header_pcr(1)
      .event(1, ev::kEfiPlatformFirmwareBlob2, "TDVF")
      .separator(1)
      .event(2, ev::kEfiBootServicesApplication, "shim")
      .event(3, ev::kIpl, "grub_cmd");
  b.tail(Bytes(8192, 0xFF));
  EXPECT_THAT(replay(b.build()), FailsWith(kMalformed, checks::kTrailing));
  auto r = replay(b.build(), {.allow_trailing_padding = true});
  ASSERT_THAT(r, Succeeds());
  const PcrBank& mrs = r->banks.at(HashAlg::kSha384);
  EXPECT_EQ(mrs.size(), 3u);
  EXPECT_FALSE(mrs.contains(4));  // RTMR3: no events
  EXPECT_EQ(r->banks, builder_pcrs(b));
}

}  // namespace
}  // namespace vouch::tpm::eventlog
