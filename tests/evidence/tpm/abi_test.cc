// TPM structure parsers: round trips, cross-checks against tss2-mu, and bad input.

#include "evidence/tpm/abi.h"

#include <gtest/gtest.h>
#include <tss2/tss2_mu.h>

#include <cstring>

#include "base/encoding.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/constants.h"
#include "testing/matchers.h"
#include "testing/tpm_quote_builder.h"
#include "testing/vectors.h"

namespace vouch::tpm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

constexpr const char* kGce = "tpm/go-tpm-tools-gce-cos85/";

TEST(TpmAbi, GceQuoteParsesAndMatchesTss2Mu) {
  VOUCH_REQUIRE_VECTORS();
  for (const char* bank : {"sha1", "sha256", "sha384"}) {
    const Bytes raw = testing::read_vector(std::string(kGce) + "gce-cos-85-nonce9009.quote_" +
                                           bank + ".derived.bin");
    auto attest = parse_attest(raw);
    ASSERT_THAT(attest, Succeeds()) << bank;
    EXPECT_EQ(attest->magic, kTpmGeneratedValue);
    EXPECT_EQ(attest->type, kStAttestQuote);
    EXPECT_EQ(hex_encode(attest->extra_data), "9009");
    EXPECT_EQ(serialize(*attest), raw) << "serialize(parse(x)) == x";

    TPMS_ATTEST mu{};
    std::size_t offset = 0;
    ASSERT_EQ(Tss2_MU_TPMS_ATTEST_Unmarshal(raw.data(), raw.size(), &offset, &mu), TSS2_RC_SUCCESS);
    EXPECT_EQ(offset, raw.size());
    EXPECT_EQ(mu.magic, attest->magic);
    EXPECT_EQ(mu.clockInfo.clock, attest->clock_info.clock);
    EXPECT_EQ(mu.clockInfo.resetCount, attest->clock_info.reset_count);
    EXPECT_EQ(mu.clockInfo.restartCount, attest->clock_info.restart_count);
    EXPECT_EQ(mu.firmwareVersion, attest->firmware_version);
    ASSERT_EQ(mu.attested.quote.pcrSelect.count, attest->pcr_select.size());
    EXPECT_EQ(tpm_alg_id(attest->pcr_select[0].bank),
              mu.attested.quote.pcrSelect.pcrSelections[0].hash);
    EXPECT_EQ(Bytes(mu.attested.quote.pcrDigest.buffer,
                    mu.attested.quote.pcrDigest.buffer + mu.attested.quote.pcrDigest.size),
              attest->pcr_digest);
  }
}

TEST(TpmAbi, GceSignatureAndAkParseAndMatchTss2Mu) {
  VOUCH_REQUIRE_VECTORS();
  const Bytes sig_raw =
      testing::read_vector(std::string(kGce) + "gce-cos-85-nonce9009.quote_sha256_sig.derived.bin");
  auto sig = parse_signature(sig_raw);
  ASSERT_THAT(sig, Succeeds());
  EXPECT_EQ(scheme_name(*sig), "rsassa-sha256");
  EXPECT_EQ(serialize(*sig), sig_raw);
  TPMT_SIGNATURE mu_sig{};
  std::size_t offset = 0;
  ASSERT_EQ(Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig_raw.data(), sig_raw.size(), &offset, &mu_sig),
            TSS2_RC_SUCCESS);
  EXPECT_EQ(mu_sig.sigAlg, sig->sig_alg);
  EXPECT_EQ(mu_sig.signature.rsassa.sig.size, sig->rsa.size());

  const Bytes ak_raw = testing::read_vector(std::string(kGce) + "gce-cos-85.ak_pub.derived.bin");
  auto pub = parse_public(ak_raw);
  ASSERT_THAT(pub, Succeeds());
  EXPECT_EQ(serialize(*pub), ak_raw);
  TPMT_PUBLIC mu_pub{};
  offset = 0;
  ASSERT_EQ(Tss2_MU_TPMT_PUBLIC_Unmarshal(ak_raw.data(), ak_raw.size(), &offset, &mu_pub),
            TSS2_RC_SUCCESS);
  EXPECT_EQ(mu_pub.objectAttributes, pub->object_attributes);
  EXPECT_EQ(mu_pub.unique.rsa.size, pub->rsa_modulus.size());
  // The MANIFEST gives the AK's Name prefix: 000bf175bdb5...
  auto name = object_name(*pub);
  ASSERT_THAT(name, Succeeds());
  EXPECT_EQ(hex_encode(*name).substr(0, 12), "000bf175bdb5");
  auto ak = load_ak(ak_raw);
  ASSERT_THAT(ak, Succeeds());
  EXPECT_EQ(ak->key.bits(), 2048);
}

TEST(TpmAbi, BuilderStructuresRoundTripThroughTss2Mu) {
  for (bool ecc : {false, true}) {
    const testing::SoftwareAk ak = testing::make_software_ak(ecc);
    const Bytes ours = serialize(ak.pub);
    TPMT_PUBLIC mu{};
    std::size_t offset = 0;
    ASSERT_EQ(Tss2_MU_TPMT_PUBLIC_Unmarshal(ours.data(), ours.size(), &offset, &mu),
              TSS2_RC_SUCCESS);
    Bytes theirs(ours.size() + 16);
    std::size_t out_len = 0;
    ASSERT_EQ(Tss2_MU_TPMT_PUBLIC_Marshal(&mu, theirs.data(), theirs.size(), &out_len),
              TSS2_RC_SUCCESS);
    theirs.resize(out_len);
    EXPECT_EQ(theirs, ours) << (ecc ? "ecc" : "rsa");
    EXPECT_EQ(parse_public(ours).value(), ak.pub);

    testing::QuoteFixture q =
        testing::make_quote(ak, as_bytes("nonce"),
                            {{crypto::HashAlg::kSha256, {{0, Bytes(32, 1)}, {7, Bytes(32, 2)}}}});
    TPMT_SIGNATURE mu_sig{};
    offset = 0;
    ASSERT_EQ(
        Tss2_MU_TPMT_SIGNATURE_Unmarshal(q.signature.data(), q.signature.size(), &offset, &mu_sig),
        TSS2_RC_SUCCESS);
    EXPECT_EQ(offset, q.signature.size());
    TPMS_ATTEST mu_attest{};
    offset = 0;
    ASSERT_EQ(Tss2_MU_TPMS_ATTEST_Unmarshal(q.quote.data(), q.quote.size(), &offset, &mu_attest),
              TSS2_RC_SUCCESS);
    EXPECT_EQ(mu_attest.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[0], 0x81);
    EXPECT_EQ(parse_attest(q.quote).value(), q.attest);
  }
}

TEST(TpmAbi, EveryTruncationOfAQuoteFailsCleanly) {
  const testing::SoftwareAk ak = testing::make_software_ak(false);
  const testing::QuoteFixture q =
      testing::make_quote(ak, as_bytes("n"), {{crypto::HashAlg::kSha256, {{0, Bytes(32, 1)}}}});
  for (std::size_t len = 0; len < q.quote.size(); ++len) {
    const ByteSpan cut(q.quote.data(), len);
    auto r = parse_attest(cut);
    ASSERT_FALSE(r.has_value()) << len;
    EXPECT_EQ(r.error().kind, ErrorKind::kMalformedEvidence);
    EXPECT_TRUE(r.error().check == checks::kAttestTruncated) << len << ": " << r.error().detail;
  }
  for (std::size_t len = 0; len < q.signature.size(); ++len) {
    EXPECT_THAT(parse_signature(ByteSpan(q.signature.data(), len)),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kSignatureParse))
        << len;
  }
  const Bytes pub = serialize(ak.pub);
  for (std::size_t len = 0; len < pub.size(); ++len) {
    EXPECT_THAT(parse_public(ByteSpan(pub.data(), len)),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kPublicParse))
        << len;
  }
}

TEST(TpmAbi, RejectsTrailingBytesWrongTypeAndBadFields) {
  const testing::SoftwareAk ak = testing::make_software_ak(false);
  testing::QuoteFixture q =
      testing::make_quote(ak, as_bytes("n"), {{crypto::HashAlg::kSha256, {{0, Bytes(32, 1)}}}});

  Bytes trailing = q.quote;
  trailing.push_back(0);
  EXPECT_THAT(parse_attest(trailing),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestTrailing));

  Bytes certify = q.quote;
  certify[4] = 0x80;
  certify[5] = 0x17;  // TPM_ST_ATTEST_CERTIFY
  EXPECT_THAT(parse_attest(certify), FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestType));

  Bytes big_signer = q.quote;
  big_signer[6] = 0x00;
  big_signer[7] = 0x43;  // qualifiedSigner size 67 > sizeof(TPMU_NAME)
  EXPECT_THAT(parse_attest(big_signer),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestSize));

  // clockInfo.safe sits after magic(4) type(2) signer(2+34) extraData(2+1) clock(8) counts(8).
  Bytes bad_safe = q.quote;
  bad_safe[4 + 2 + 36 + 3 + 16] = 2;
  EXPECT_THAT(parse_attest(bad_safe),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestClockSafe));

  testing::QuoteFixture unknown_bank =
      testing::make_quote(ak, as_bytes("n"), {{crypto::HashAlg::kSha256, {{0, Bytes(32, 1)}}}});
  Bytes ub = unknown_bank.quote;
  const std::size_t sel_at = 4 + 2 + 36 + 3 + 17 + 8 + 4;  // first pcrSelections[0].hash
  ub[sel_at] = 0x00;
  ub[sel_at + 1] = 0x27;  // TPM_ALG_SHA3_256: not a bank Vouch supports
  EXPECT_THAT(parse_attest(ub),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestPcrSelection));

  Bytes sig_trailing = q.signature;
  sig_trailing.push_back(0);
  EXPECT_THAT(parse_signature(sig_trailing),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSignatureParse));
  Bytes hmac_sig = q.signature;
  hmac_sig[0] = 0x00;
  hmac_sig[1] = 0x05;  // TPM_ALG_HMAC
  EXPECT_THAT(parse_signature(hmac_sig),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kSignatureAlgorithm));

  Bytes pub = serialize(ak.pub);
  Bytes reserved = pub;
  reserved[4] |= 0x80;  // bit 31 of objectAttributes
  EXPECT_THAT(parse_public(reserved),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kPublicAttributes));
  Bytes keyedhash = pub;
  keyedhash[1] = 0x08;
  EXPECT_THAT(parse_public(keyedhash),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kPublicUnsupported));
  Bytes pub_trailing = pub;
  pub_trailing.push_back(1);
  EXPECT_THAT(parse_public(pub_trailing),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kPublicParse));
}

TEST(TpmAbi, Tpm2bAttestAndTpm2bPublicAreAccepted) {
  const testing::SoftwareAk ak = testing::make_software_ak(true);
  const testing::QuoteFixture q =
      testing::make_quote(ak, as_bytes("n"), {{crypto::HashAlg::kSha256, {{0, Bytes(32, 1)}}}});
  Bytes wrapped = {static_cast<std::uint8_t>(q.quote.size() >> 8),
                   static_cast<std::uint8_t>(q.quote.size())};
  append(wrapped, q.quote);
  auto any = parse_attest_any(wrapped);
  ASSERT_THAT(any, Succeeds());
  EXPECT_EQ(any->second, q.quote);
  wrapped.push_back(0);  // no longer a TPM2B: read as a TPMS_ATTEST, it is malformed
  auto bad = parse_attest_any(wrapped);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kMalformedEvidence);

  const Bytes pub = serialize(ak.pub);
  Bytes pub2b = {static_cast<std::uint8_t>(pub.size() >> 8), static_cast<std::uint8_t>(pub.size())};
  append(pub2b, pub);
  auto loaded = load_ak(pub2b);
  ASSERT_THAT(loaded, Succeeds());
  EXPECT_TRUE(loaded->tpm_public.has_value());
  EXPECT_TRUE(loaded->key.equals(ak.ak.key));
  auto from_pem = load_ak(as_bytes(ak.ak.key.pem()));
  ASSERT_THAT(from_pem, Succeeds());
  EXPECT_FALSE(from_pem->tpm_public.has_value());
  auto from_der = load_ak(ak.ak.key.spki_der());
  ASSERT_THAT(from_der, Succeeds());
  EXPECT_THAT(load_ak(as_bytes("garbage!")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAkParse));
  EXPECT_THAT(load_ak(Bytes{}), FailsWith(ErrorKind::kMalformedEvidence, checks::kAkParse));
}

}  // namespace
}  // namespace vouch::tpm
