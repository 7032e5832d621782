// verify_against_quote() and add_claims() over builder-made logs: facts come only from quoted,
// matching PCRs, and every event-log pitfall (retyped separators, unverified event data,
// duplicates, post-separator variables, unlogged ExitBootServices) gets its exact check id.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "claims/claim_set.h"
#include "evidence/tpm/eventlog/check_ids.h"
#include "evidence/tpm/eventlog/constants.h"
#include "evidence/tpm/eventlog/eventlog.h"
#include "testing/eventlog_builder.h"
#include "testing/matchers.h"
#include "tests/evidence/tpm/eventlog/test_util.h"

namespace vouch::tpm::eventlog {
namespace {

using crypto::HashAlg;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::vouch::testing::EventLogBuilder;
using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;
using ::vouch::testing::uefi_variable_data;
using namespace test;  // NOLINT(google-build-using-namespace): test helpers

constexpr ErrorKind kMalformed = ErrorKind::kMalformedEvidence;
constexpr ErrorKind kRejected = ErrorKind::kEvidenceRejected;

const Bytes kPk = to_bytes(as_bytes("PK: EFI_SIGNATURE_LIST with the platform key"));
const Bytes kKek = to_bytes(as_bytes("KEK: EFI_SIGNATURE_LIST"));
const Bytes kDb = to_bytes(as_bytes("db: EFI_SIGNATURE_LIST"));
const Bytes kDbx = to_bytes(as_bytes("dbx: EFI_SIGNATURE_LIST"));

// Firmware events up to (not including) the separators, as UEFI firmware logs them.
void pre_separator(EventLogBuilder& b, std::uint8_t secure_boot = 1) {
  b.event(0, ev::kSCrtmVersion, "GCE Virtual Firmware v1")
      .event(0, ev::kEfiPlatformFirmwareBlob, "firmware volume")
      .secure_boot_variable("SecureBoot", Bytes{secure_boot})
      .secure_boot_variable("PK", kPk)
      .secure_boot_variable("KEK", kKek)
      .secure_boot_variable("db", kDb)
      .secure_boot_variable("dbx", kDbx)
      .event(1, ev::kEfiVariableBoot, "BootOrder")
      .event(4, ev::kEfiAction, "Calling EFI Application from Boot Option");
}

// Events after the separators: boot applications, GPT, authorities, ExitBootServices, OS.
void post_separator(EventLogBuilder& b, bool log_ebs = true) {
  b.event(5, ev::kEfiGptEvent, "EFI PART")
      .event_measuring(4, ev::kEfiBootServicesApplication, as_bytes("load shim"),
                       as_bytes("shim PE image"))
      .event(7, ev::kEfiVariableAuthority, "db certificate used to verify shim")
      .event_measuring(4, ev::kEfiBootServicesApplication, as_bytes("load grub"),
                       as_bytes("grub PE image"))
      .event(8, ev::kIpl, "grub_cmd: linux /vmlinuz root=/dev/sda1")
      .event(9, ev::kIpl, "/vmlinuz");
  if (log_ebs) {
    b.event(5, ev::kEfiAction, kEbsInvocation).event(5, ev::kEfiAction, kEbsReturnedSuccess);
  }
}

EventLogBuilder firmware_log(HashAlg bank = HashAlg::kSha256) {
  // A SHA-1 bank next to the quoted one, as most TPM logs have.
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha1});
  if (bank != HashAlg::kSha1) {
    b.bank(bank);
  }
  pre_separator(b);
  b.separators();
  post_separator(b);
  return b;
}

// The quote a TPM that ran this log would give: PCRs 0-9 from the log, PCR 10 from IMA.
PcrBank quote_of(const EventLogBuilder& b, HashAlg bank) {
  PcrBank q = b.pcrs().at(bank);
  q[10] = Bytes(crypto::digest_size(bank), 0x11);
  return q;
}

Bytes extend(HashAlg bank, ByteSpan old_value, ByteSpan digest) {
  crypto::Hasher h(bank);
  h.update(old_value).update(digest);
  return h.finish();
}

TEST(Verify, FirmwareLogFactsAndClaims) {
  for (HashAlg bank : {HashAlg::kSha1, HashAlg::kSha256, HashAlg::kSha384, HashAlg::kSm3}) {
    SCOPED_TRACE(std::string(crypto::hash_name(bank)));
    const EventLogBuilder b = firmware_log(bank);
    auto v = verify_against_quote(b.build(), bank, quote_of(b, bank));
    ASSERT_THAT(v, Succeeds());
    EXPECT_EQ(v->bank(), bank);
    EXPECT_EQ(v->format(), LogFormat::kCryptoAgile);
    EXPECT_EQ(v->num_events(), b.num_events());
    EXPECT_THAT(v->pcrs_verified(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
    EXPECT_THAT(v->pcrs_not_covered(), ElementsAre(10));
    EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
    EXPECT_THAT(v->error_separators(), IsEmpty());
    EXPECT_EQ(v->secure_boot(), true);
    ASSERT_TRUE(v->secure_boot_variables().has_value());
    const auto& vars = *v->secure_boot_variables();
    EXPECT_EQ(vars.size(), 5u);
    EXPECT_EQ(vars.at("PK"),
              crypto::digest(bank, uefi_variable_data(kEfiGlobalVariableGuid, "PK", kPk)));
    EXPECT_EQ(vars.at("dbx"),
              crypto::digest(bank, uefi_variable_data(kEfiImageSecurityDatabaseGuid, "dbx", kDbx)));
    ASSERT_TRUE(v->boot_applications().has_value());
    EXPECT_THAT(*v->boot_applications(),
                ElementsAre(crypto::digest(bank, as_bytes("shim PE image")),
                            crypto::digest(bank, as_bytes("grub PE image"))));
    EXPECT_FALSE(v->exit_boot_services_unlogged());

    claims::ClaimSet cs;
    add_claims(*v, cs);
    EXPECT_EQ(*cs.get("tpm.eventlog.events")->as_int(), static_cast<std::int64_t>(b.num_events()));
    EXPECT_EQ(cs.get("tpm.eventlog.pcrs_verified")->as_list()->size(), 10u);
    EXPECT_EQ(cs.get("tpm.eventlog.separators")->as_list()->size(), 8u);
    EXPECT_EQ(*cs.get("tpm.eventlog.secure_boot")->as_bool(), true);
    EXPECT_EQ(cs.get("tpm.eventlog.secure_boot_variables")->as_map()->size(), 5u);
    EXPECT_EQ(cs.get("tpm.eventlog.boot_applications")->as_list()->size(), 2u);
    EXPECT_EQ(*cs.get("tpm.eventlog.exit_boot_services_unlogged")->as_bool(), false);
  }
}

TEST(Verify, ClaimsCanonicalJson) {
  const EventLogBuilder b = firmware_log();
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  ASSERT_THAT(v, Succeeds());
  claims::ClaimSet cs;
  add_claims(*v, cs);
  const auto j = cs.to_json();
  EXPECT_EQ(j["tpm.eventlog.pcrs_verified"].dump(), "[0,1,2,3,4,5,6,7,8,9]");
  EXPECT_EQ(j["tpm.eventlog.separators"].dump(), "[0,1,2,3,4,5,6,7]");
  EXPECT_EQ(j["tpm.eventlog.secure_boot_variables"]["SecureBoot"].get<std::string>().size(), 64u);
}

TEST(Verify, LegacyLogAgainstSha1Quote) {
  EventLogBuilder b = EventLogBuilder::legacy_sha1();
  pre_separator(b, 0);
  b.separators();
  post_separator(b);
  auto v = verify_against_quote(b.build(), HashAlg::kSha1, quote_of(b, HashAlg::kSha1));
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->format(), LogFormat::kLegacySha1);
  EXPECT_EQ(v->secure_boot(), false);
  EXPECT_THAT(v->pcrs_verified(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
}

TEST(Verify, MismatchNamesThePcr) {
  const EventLogBuilder b = firmware_log();
  PcrBank q = quote_of(b, HashAlg::kSha256);
  q[8][0] ^= 1;
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, q);
  EXPECT_THAT(v, FailsWith(kRejected, checks::kPcrMismatch));
  EXPECT_NE(v.error().detail.find("PCR 8"), std::string::npos);
}

TEST(Verify, TruncatedLogDoesNotMatchTheQuote) {
  const EventLogBuilder b = firmware_log();
  const Bytes log = b.build();
  const std::size_t last = b.record_offsets().back();
  EXPECT_THAT(verify_against_quote(ByteSpan(log).first(last), HashAlg::kSha256,
                                   quote_of(b, HashAlg::kSha256)),
              FailsWith(kRejected, checks::kPcrMismatch));
}

TEST(Verify, QuotedPcrsTheLogNeverExtendsAreNotCovered) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(0, ev::kSCrtmVersion, "v1");
  PcrBank q = b.pcrs().at(HashAlg::kSha256);
  for (std::uint32_t pcr = 1; pcr < 24; ++pcr) {
    q[pcr] = Bytes(32, pcr >= 17 && pcr <= 22 ? 0xFF : 0x00);
  }
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, q);
  ASSERT_THAT(v, Succeeds());
  EXPECT_THAT(v->pcrs_verified(), ElementsAre(0));
  EXPECT_EQ(v->pcrs_not_covered().size(), 23u);
  EXPECT_FALSE(v->secure_boot().has_value());
}

TEST(Verify, EventsForUnquotedPcrsYieldNoFacts) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  pre_separator(b);
  // A retyped separator and an unverifiable variable in PCR 7: harmless while PCR 7 is unquoted.
  b.event(7, ev::kEfiAction, Bytes(4, 0));
  b.event_measuring(7, ev::kEfiVariableDriverConfig, as_bytes("garbage"), as_bytes("other"));
  b.separators();
  post_separator(b);
  PcrBank q = quote_of(b, HashAlg::kSha256);
  q.erase(7);
  q.erase(4);
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, q);
  ASSERT_THAT(v, Succeeds());
  EXPECT_THAT(v->pcrs_verified(), ElementsAre(0, 1, 2, 3, 5, 6, 8, 9));
  EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 5, 6));
  EXPECT_FALSE(v->secure_boot().has_value());
  EXPECT_FALSE(v->secure_boot_variables().has_value());
  EXPECT_FALSE(v->boot_applications().has_value());
  claims::ClaimSet cs;
  add_claims(*v, cs);
  EXPECT_FALSE(cs.contains("tpm.eventlog.secure_boot"));
  EXPECT_FALSE(cs.contains("tpm.eventlog.secure_boot_variables"));
  EXPECT_FALSE(cs.contains("tpm.eventlog.boot_applications"));
  EXPECT_TRUE(cs.contains("tpm.eventlog.pcrs_verified"));

  // The same log with PCR 7 quoted is rejected for the retyped separator.
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256)),
              FailsWith(kRejected, checks::kSeparator));
}

TEST(Verify, RetypedSeparatorIsRejected) {
  for (std::uint32_t value : {0u, 0xFFFFFFFFu}) {
    for (std::uint32_t type : {ev::kPostCode, ev::kEfiAction, ev::kAction}) {
      EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
      pre_separator(b);
      Bytes data(4, static_cast<std::uint8_t>(value));
      // The event claims to be something else, but measured separator bytes.
      b.event_measuring(2, type, as_bytes("innocent looking"), data);
      b.separators();
      auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
      EXPECT_THAT(v, FailsWith(kRejected, checks::kSeparator)) << type;
    }
  }
}

TEST(Verify, BootGuardScrtmContentsBeforeThePcr0SeparatorIsTolerated) {
  // Intel Boot Guard firmware measures its FIT type 0x2D S-CRTM entry as H(00000000).
  const Bytes zero(4, 0);
  const auto fit = as_bytes("FIT Type 0x2D Measured S-CRTM");
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event_measuring(0, ev::kSCrtmContents, fit, zero);
  pre_separator(b);
  b.separators();
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  ASSERT_THAT(v, Succeeds());
  EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));

  // Not after the separator, and not in another PCR or with another type.
  EventLogBuilder after = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  after.separators().event_measuring(0, ev::kSCrtmContents, fit, zero);
  EXPECT_THAT(
      verify_against_quote(after.build(), HashAlg::kSha256, quote_of(after, HashAlg::kSha256)),
      FailsWith(kRejected, checks::kSeparator));
  EventLogBuilder pcr1 = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  pcr1.event_measuring(1, ev::kSCrtmContents, fit, zero).separators();
  EXPECT_THAT(
      verify_against_quote(pcr1.build(), HashAlg::kSha256, quote_of(pcr1, HashAlg::kSha256)),
      FailsWith(kRejected, checks::kSeparator));
  EventLogBuilder version = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  version.event_measuring(0, ev::kSCrtmVersion, fit, zero).separators();
  EXPECT_THAT(
      verify_against_quote(version.build(), HashAlg::kSha256, quote_of(version, HashAlg::kSha256)),
      FailsWith(kRejected, checks::kSeparator));
}

TEST(Verify, SeparatorWithWrongData) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  pre_separator(b);
  b.event(3, ev::kSeparator, "WBCL");
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  EXPECT_THAT(v, FailsWith(kRejected, checks::kSeparator));
}

TEST(Verify, SeparatorWhoseDigestIsNotItsData) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  pre_separator(b);
  b.event_measuring(3, ev::kSeparator, Bytes(4, 0), as_bytes("something else"));
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  EXPECT_THAT(v, FailsWith(kRejected, checks::kSeparator));
}

TEST(Verify, ErrorSeparatorIsReportedNotCounted) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  pre_separator(b);
  for (std::uint32_t pcr = 0; pcr < 8; ++pcr) {
    b.separator(pcr, pcr == 4 ? 0xFFFFFFFFu : 0u);
  }
  post_separator(b);
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  ASSERT_THAT(v, Succeeds());
  EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 5, 6, 7));
  EXPECT_THAT(v->error_separators(), ElementsAre(4));
}

TEST(Verify, SeparatorsOutsideFirmwarePcrsAreNotChecked) {
  // Windows logs separators with data "WBCL" into PCRs 12-14.
  EventLogBuilder b = firmware_log();
  b.event(12, ev::kSeparator, "WBCL");
  PcrBank q = quote_of(b, HashAlg::kSha256);
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, q);
  ASSERT_THAT(v, Succeeds());
  EXPECT_THAT(v->separators(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7));
  EXPECT_EQ(v->pcrs_verified().back(), 12u);
}

TEST(Verify, OnlyTheFirstSecureBootMeasurementCounts) {
  for (std::uint8_t first : {std::uint8_t{0}, std::uint8_t{1}}) {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
    pre_separator(b, first);
    b.secure_boot_variable("SecureBoot", Bytes{static_cast<std::uint8_t>(first ^ 1)});
    b.separators();
    auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
    ASSERT_THAT(v, Succeeds());
    EXPECT_EQ(v->secure_boot(), first == 1);
    EXPECT_EQ(v->secure_boot_variables()->at("SecureBoot"),
              crypto::digest(HashAlg::kSha256, uefi_variable_data(kEfiGlobalVariableGuid,
                                                                  "SecureBoot", Bytes{first})));
  }
}

TEST(Verify, VariablesAfterThePcr7SeparatorDoNotCount) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.separators();
  b.secure_boot_variable("SecureBoot", Bytes{1});
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  ASSERT_THAT(v, Succeeds());
  EXPECT_FALSE(v->secure_boot().has_value());
  EXPECT_THAT(*v->secure_boot_variables(), IsEmpty());
}

TEST(Verify, SecureBootValueOtherThanOneIsNotEnabled) {
  for (const Bytes& value : {Bytes{}, Bytes{2}, Bytes{1, 0}}) {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
    b.secure_boot_variable("SecureBoot", value).separators();
    auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
    ASSERT_THAT(v, Succeeds());
    EXPECT_EQ(v->secure_boot(), false);
  }
}

TEST(Verify, VariableUnderAnotherGuidIsNotSecureBoot) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event(7, ev::kEfiVariableDriverConfig,
          uefi_variable_data(kEfiImageSecurityDatabaseGuid, "SecureBoot", Bytes{1}));
  b.event(7, ev::kEfiVariableDriverConfig,
          uefi_variable_data(kEfiGlobalVariableGuid, "db", Bytes{1}));
  b.separators();
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256));
  ASSERT_THAT(v, Succeeds());
  EXPECT_FALSE(v->secure_boot().has_value());
  EXPECT_THAT(*v->secure_boot_variables(), IsEmpty());
}

TEST(Verify, VariableDataNotCoveredByItsDigestIsRejected) {
  // Logged data says SecureBoot=1, but the firmware measured SecureBoot=0.
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  b.event_measuring(7, ev::kEfiVariableDriverConfig,
                    uefi_variable_data(kEfiGlobalVariableGuid, "SecureBoot", Bytes{1}),
                    uefi_variable_data(kEfiGlobalVariableGuid, "SecureBoot", Bytes{0}));
  b.separators();
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256)),
              FailsWith(kRejected, checks::kEventData));
}

TEST(Verify, MalformedVariableDataIsRejected) {
  Bytes huge_name = uefi_variable_data(kEfiGlobalVariableGuid, "SecureBoot", Bytes{1});
  for (std::size_t i = 16; i < 24; ++i) {
    huge_name[i] = 0xFF;  // UnicodeNameLength = 2^64 - 1: doubling it overflows
  }
  Bytes huge_data = uefi_variable_data(kEfiGlobalVariableGuid, "SecureBoot", Bytes{1});
  put_u32le(huge_data, 24, 0x7FFFFFFF);
  Bytes trailing = uefi_variable_data(kEfiGlobalVariableGuid, "SecureBoot", Bytes{1});
  trailing.push_back(0);
  const Bytes cases[] = {to_bytes(as_bytes("short")), huge_name, huge_data, trailing};
  for (const Bytes& data : cases) {
    EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
    b.event(7, ev::kEfiVariableDriverConfig, data).separators();
    EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256)),
                FailsWith(kMalformed, checks::kEventData));
  }
}

TEST(Verify, UnloggedExitBootServicesWorkaround) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha256});
  pre_separator(b);
  b.separators();
  post_separator(b, /*log_ebs=*/false);
  PcrBank q = quote_of(b, HashAlg::kSha256);
  const Bytes invocation = crypto::digest(HashAlg::kSha256, as_bytes(kEbsInvocation));
  const Bytes success = crypto::digest(HashAlg::kSha256, as_bytes(kEbsReturnedSuccess));
  const Bytes logged_pcr5 = q.at(5);
  q[5] = extend(HashAlg::kSha256, extend(HashAlg::kSha256, logged_pcr5, invocation), success);
  auto v = verify_against_quote(b.build(), HashAlg::kSha256, q);
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(v->exit_boot_services_unlogged());
  EXPECT_THAT(v->pcrs_verified(), ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
  claims::ClaimSet cs;
  add_claims(*v, cs);
  EXPECT_EQ(*cs.get("tpm.eventlog.exit_boot_services_unlogged")->as_bool(), true);

  // Only the exact pair is accepted.
  q[5] = extend(HashAlg::kSha256, logged_pcr5, invocation);
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, q),
              FailsWith(kRejected, checks::kPcrMismatch));
  // And only for PCR 5.
  q = quote_of(b, HashAlg::kSha256);
  q[4] = extend(HashAlg::kSha256, extend(HashAlg::kSha256, q.at(4), invocation), success);
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, q),
              FailsWith(kRejected, checks::kPcrMismatch));
}

TEST(Verify, QuotedValueOfWrongSize) {
  const EventLogBuilder b = firmware_log();
  PcrBank q = quote_of(b, HashAlg::kSha256);
  q[3].pop_back();
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, q),
              FailsWith(ErrorKind::kInvalidArgument, vouch::checks::kInvalidArgument));
}

TEST(Verify, BankNotInTheLog) {
  const EventLogBuilder b = firmware_log();
  PcrBank q;
  q[0] = Bytes(48, 0);
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha384, q),
              FailsWith(kRejected, checks::kBankMissing));
}

TEST(Verify, DefectInAnotherBankDoesNotHideTheQuotedOne) {
  EventLogBuilder b = EventLogBuilder::crypto_agile({HashAlg::kSha1, HashAlg::kSha256});
  b.add({.pcr = 8,
         .type = ev::kIpl,
         .data = to_bytes(as_bytes("x")),
         .digests = {},
         .omit = {HashAlg::kSha1}});
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256)),
              Succeeds());
  PcrBank q;
  q[8] = Bytes(20, 0);
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha1, q),
              FailsWith(kMalformed, checks::kBankMissing));
}

TEST(Verify, LogIsFramedStrictly) {
  EventLogBuilder b = firmware_log();
  b.tail(Bytes(16, 0xFF));
  EXPECT_THAT(verify_against_quote(b.build(), HashAlg::kSha256, quote_of(b, HashAlg::kSha256)),
              FailsWith(kMalformed, checks::kTrailing));
}

TEST(Verify, ExtensionsReproduceTheQuote) {
  // What the swtpm tests rely on: extending extensions() into zeroed PCRs gives pcrs().
  const EventLogBuilder b = firmware_log(HashAlg::kSha384);
  std::map<HashAlg, PcrBank> pcrs;
  for (const auto& x : b.extensions()) {
    for (const auto& [alg, d] : x.digests) {
      auto [it, fresh] = pcrs[alg].try_emplace(x.pcr, Bytes(crypto::digest_size(alg), 0));
      it->second = extend(alg, it->second, d);
    }
  }
  EXPECT_EQ(pcrs, b.pcrs());
  auto r = replay(b.build());
  ASSERT_THAT(r, Succeeds());
  EXPECT_EQ(r->banks, pcrs);
}

}  // namespace
}  // namespace vouch::tpm::eventlog
