// EsysTpm against a real software TPM (testing/swtpm.h): the EK and its certificate from NV,
// ActivateCredential answering the project's own MakeCredential, and quotes whose extraData
// binding verifies with the project's TPM verifier (evidence/tpm/verify.h).

#include "testing/swtpm.h"

#include <gtest/gtest.h>

#include "attester/binding.h"
#include "attester/check_ids.h"
#include "attester/esys.h"
#include "attester/flows.h"
#include "base/file.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/check_log.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/bundle.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/credential.h"
#include "evidence/tpm/verify.h"

namespace vouch::attester {
namespace {

class EsysSwtpmTest : public ::testing::TestWithParam<AkAlgorithm> {
 protected:
  void SetUp() override {
    std::string why;
    swtpm_ = vouch::testing::Swtpm::start(&why);
    if (!swtpm_) {
      GTEST_SKIP() << "swtpm unavailable, TPM tests skipped: " << why;
    }
    auto tpm = EsysTpm::open(swtpm_->tcti(), GetParam());
    ASSERT_TRUE(tpm.has_value()) << tpm.error().to_string();
    tpm_ = std::move(*tpm);
  }

  // Verifies a bundle with the project's verifier, pinning the AK it carries.
  Result<tpm::VerifiedQuote> verify(const tpm::TpmBundle& b, const Bytes& expected_nonce) {
    VOUCH_TRY(tpm::Ak ak, tpm::load_ak(*b.ak_public));
    tpm::QuoteEvidence ev;
    ev.quote = b.quote;
    ev.signature = b.signature;
    ev.pcrs = b.pcrs;
    tpm::QuoteVerifyOptions opt;
    opt.at = SystemClock().now();
    opt.expected_nonce = expected_nonce;
    evidence::CheckLog log;
    return tpm::verify_quote(ak, ev, opt, log);
  }

  std::unique_ptr<vouch::testing::Swtpm> swtpm_;
  std::unique_ptr<EsysTpm> tpm_;
};

TEST_P(EsysSwtpmTest, EkCertificateCertifiesTheEk) {
  auto ek = tpm_->endorsement_key();
  ASSERT_TRUE(ek.has_value()) << ek.error().to_string();
  ASSERT_TRUE(ek->certificate.has_value());
  auto cert = crypto::Certificate::from_der(*ek->certificate);
  ASSERT_TRUE(cert.has_value()) << cert.error().to_string();
  auto pub = tpm::parse_public_2b(ek->ek_public);
  ASSERT_TRUE(pub.has_value()) << pub.error().to_string();
  auto key = tpm::to_public_key(*pub);
  ASSERT_TRUE(key.has_value());
  const auto root = crypto::Certificate::from_pem(read_text_file(swtpm_->ca_root_pem()).value());
  const auto issuer =
      crypto::Certificate::from_pem(read_text_file(swtpm_->ca_issuer_pem()).value());
  auto anchors = crypto::TrustStore::create({*root});
  ASSERT_TRUE(anchors.has_value());
  auto chain = tpm::verify_ek_certificate(*cert, *key, *anchors, {*issuer}, SystemClock().now());
  EXPECT_TRUE(chain.has_value()) << chain.error().to_string();
}

TEST_P(EsysSwtpmTest, ActivateCredentialRecoversTheProjectsMakeCredentialSecret) {
  auto ek = tpm_->endorsement_key().value();
  const tpm::Public ek_pub = tpm::parse_public_2b(ek.ek_public).value();
  auto ak = tpm::load_ak(tpm_->ak_public().value());
  ASSERT_TRUE(ak.has_value()) << ak.error().to_string();
  ASSERT_TRUE(ak->tpm_public.has_value());
  const Bytes name = tpm::object_name(*ak->tpm_public).value();
  const Bytes secret(32, 0x3c);
  crypto::SystemRandom random;
  auto cred = tpm::make_credential(ek_pub, name, secret, random);
  ASSERT_TRUE(cred.has_value()) << cred.error().to_string();
  auto got = tpm_->activate_credential(cred->id_object, cred->encrypted_secret);
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  EXPECT_EQ(*got, secret);
  // A credential for another name does not activate.
  Bytes other = name;
  other.back() ^= 1;
  auto cred2 = tpm::make_credential(ek_pub, other, secret, random).value();
  auto bad = tpm_->activate_credential(cred2.id_object, cred2.encrypted_secret);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().check, checks::kTpmActivate);
  EXPECT_NE(bad.error().detail.find("0x"), std::string::npos);
}

TEST_P(EsysSwtpmTest, QuoteBindsTheRuntimeDataAndVerifies) {
  const auto binding = Binding::generate().value();
  const Bytes nonce(32, 0x17);
  const Bytes digest = binding.digest(nonce).value();
  auto selection = parse_pcr_selection("sha256:0-7+sha1:0,1").value();
  auto bundle = collect_bundle(*tpm_, selection, digest, "");
  ASSERT_TRUE(bundle.has_value()) << bundle.error().to_string();
  EXPECT_FALSE(bundle->event_log.has_value());
  ASSERT_TRUE(bundle->pcrs.has_value());
  EXPECT_EQ(bundle->pcrs->at(crypto::HashAlg::kSha256).size(), 8U);
  EXPECT_EQ(bundle->pcrs->at(crypto::HashAlg::kSha1).size(), 2U);
  // The values match what tpm2-tools reads.
  EXPECT_EQ(bundle->pcrs->at(crypto::HashAlg::kSha256),
            swtpm_->read_pcrs("sha256", "0,1,2,3,4,5,6,7"));

  auto verified = verify(*bundle, digest);
  ASSERT_TRUE(verified.has_value()) << verified.error().to_string();
  EXPECT_EQ(verified->attest().extra_data, digest);
  EXPECT_EQ(verified->pcrs().at(crypto::HashAlg::kSha256).size(), 8U);

  // Another nonce, or another key's runtime data, does not verify.
  const Bytes other = Binding::generate().value().digest(nonce).value();
  auto wrong = verify(*bundle, other);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().check, tpm::checks::kQuoteNonce) << wrong.error().to_string();

  // The serialized bundle round-trips through the verifier's parser.
  auto parsed = tpm::parse_bundle(tpm::serialize_bundle(*bundle));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_TRUE(verify(*parsed, digest).has_value());
}

TEST_P(EsysSwtpmTest, EventLogIsAttachedWhenPresent) {
  const std::string path = swtpm_->path("fake_log.bin");
  ASSERT_TRUE(write_private_file(path, "not really a log").has_value());
  auto bundle = collect_bundle(*tpm_, default_pcr_selection(), Bytes(32, 1), path);
  ASSERT_TRUE(bundle.has_value()) << bundle.error().to_string();
  ASSERT_TRUE(bundle->event_log.has_value());
  EXPECT_EQ(bundle->event_log->size(), 16U);
  bundle = collect_bundle(*tpm_, default_pcr_selection(), Bytes(32, 1), path + ".missing");
  ASSERT_TRUE(bundle.has_value());
  EXPECT_FALSE(bundle->event_log.has_value());
}

TEST_P(EsysSwtpmTest, UnknownBankIsAClearError) {
  // swtpm runs with sha1, sha256 and sha384 banks; sha512 is not active.
  auto bundle = collect_bundle(*tpm_, parse_pcr_selection("sha512:0").value(), Bytes(32, 1), "");
  ASSERT_FALSE(bundle.has_value());
  EXPECT_TRUE(bundle.error().check == checks::kTpmQuote ||
              bundle.error().check == checks::kTpmPcrRead)
      << bundle.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(AkTypes, EsysSwtpmTest,
                         ::testing::Values(AkAlgorithm::kRsa2048, AkAlgorithm::kEccP256),
                         [](const auto& param_info) {
                           return param_info.param == AkAlgorithm::kRsa2048 ? std::string("Rsa")
                                                                            : std::string("Ecc");
                         });

TEST(EsysOpenTest, ClosedPortFailsToOpen) {
  auto tpm = EsysTpm::open("swtpm:host=127.0.0.1,port=1");
  ASSERT_FALSE(tpm.has_value());
  EXPECT_EQ(tpm.error().check, checks::kTpmOpen);
}

}  // namespace
}  // namespace vouch::attester
