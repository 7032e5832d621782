// Integration tests against a real software TPM (swtpm on 127.0.0.1, driven by tpm2-tools):
// quotes from RSA and ECC AKs verified by the production verifier, each failure mode asserting
// its check id, MakeCredential proven by ActivateCredential, and EK certificates.

#include "testing/swtpm.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/claims.h"
#include "evidence/tpm/credential.h"
#include "evidence/tpm/verify.h"
#include "testing/matchers.h"

namespace vouch::tpm {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const Timestamp kNow = from_unix_seconds(1767225600);  // 2026-01-01

class SwtpmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    tpm_ = testing::Swtpm::start(&why);
    if (!tpm_) {
      GTEST_SKIP() << "swtpm unavailable: " << why;
    }
    tpm_->tpm2_ok("tpm2_createek -c ek.ctx -G rsa -u ek.pub");
    tpm_->tpm2_ok("tpm2_flushcontext -t");
  }

  // Creates an AK under the EK ("rsa" or "ecc") and writes <name>.ctx, <name>.pub (TPM2B_PUBLIC),
  // <name>.pem and <name>.name.
  void create_ak(const std::string& name, bool ecc) {
    tpm_->tpm2_ok("tpm2_createak -C ek.ctx -c " + name + ".ctx -G " + (ecc ? "ecc" : "rsa") +
                  " -g sha256 -s " + (ecc ? "ecdsa" : "rsassa") + " -u " + name +
                  ".pub -f tss -n " + name + ".name");
    tpm_->tpm2_ok("tpm2_flushcontext -t");
    tpm_->tpm2_ok("tpm2_flushcontext -s");
  }

  Ak load(const std::string& name) {
    auto ak = load_ak(read_file(tpm_->path(name + ".pub")).value());
    EXPECT_THAT(ak, Succeeds());
    return *ak;
  }

  // Quotes PCRs 0,1,2,3,7 of the sha256 bank with the AK; nonce_hex empty means no qualifying data.
  void quote(const std::string& ak, const std::string& nonce_hex) {
    tpm_->tpm2_ok("tpm2_quote -c " + ak +
                  ".ctx -l sha256:0,1,2,3,7 -m quote.msg -s quote.sig -g sha256" +
                  (nonce_hex.empty() ? "" : " -q " + nonce_hex));
    tpm_->tpm2_ok("tpm2_flushcontext -t");
  }

  Result<VerifiedQuote> verify(const Ak& ak, const std::string& nonce_hex, PcrValues pcrs,
                               ByteSpan quote_override = {}) {
    quote_ = read_file(tpm_->path("quote.msg")).value();
    sig_ = read_file(tpm_->path("quote.sig")).value();
    QuoteEvidence ev{quote_override.empty() ? ByteSpan(quote_) : quote_override, sig_,
                     std::move(pcrs), std::nullopt};
    evidence::CheckLog log;
    return verify_quote(ak, ev, {kNow, hex_decode(nonce_hex).value(), std::nullopt}, log);
  }

  PcrValues current_pcrs() {
    return {{crypto::HashAlg::kSha256, tpm_->read_pcrs("sha256", "0,1,2,3,7")}};
  }

  std::unique_ptr<testing::Swtpm> tpm_;
  Bytes quote_, sig_;
};

TEST_F(SwtpmTest, RsaAndEccQuotesVerifyWithAndWithoutNonce) {
  tpm_->tpm2_ok("tpm2_pcrextend 7:sha256=" + std::string(64, 'a'));
  for (bool ecc : {false, true}) {
    const std::string name = ecc ? "akecc" : "akrsa";
    create_ak(name, ecc);
    const Ak ak = load(name);
    quote(name, "c0ffee0123456789");
    auto with_nonce = verify(ak, "c0ffee0123456789", current_pcrs());
    ASSERT_THAT(with_nonce, Succeeds()) << name;
    const claims::ClaimSet claims = to_claims(*with_nonce);
    EXPECT_EQ(hex_encode(*claims.get("tpm.quote.nonce")->as_bytes()), "c0ffee0123456789");
    EXPECT_EQ(*claims.get("tpm.ak.name")->as_bytes(),
              read_file(tpm_->path(name + ".name")).value());

    quote(name, "");
    EXPECT_THAT(verify(ak, "", current_pcrs()), Succeeds()) << name;
  }
}

TEST_F(SwtpmTest, FailuresCarryTheirCheckIds) {
  create_ak("ak", false);
  create_ak("other", false);
  const Ak ak = load("ak");
  quote("ak", "0102030405060708");
  const PcrValues good = current_pcrs();
  ASSERT_THAT(verify(ak, "0102030405060708", good), Succeeds());

  PcrValues tampered = good;
  tampered[crypto::HashAlg::kSha256][2][5] ^= 0x40;
  EXPECT_THAT(verify(ak, "0102030405060708", tampered),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuotePcrDigest));
  EXPECT_THAT(verify(ak, "0102030405060709", good),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteNonce));
  EXPECT_THAT(verify(load("other"), "0102030405060708", good),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kQuoteSignature));
  const Bytes full = read_file(tpm_->path("quote.msg")).value();
  const Bytes truncated(full.begin(), full.end() - 3);
  EXPECT_THAT(verify(ak, "0102030405060708", good, truncated),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAttestTruncated));
}

TEST_F(SwtpmTest, EkCertificateChainsToTheLocalCa) {
  tpm_->tpm2_ok("tpm2_nvread 0x1c00002 -o ekcert.der");
  auto cert = crypto::Certificate::from_der(read_file(tpm_->path("ekcert.der")).value());
  ASSERT_THAT(cert, Succeeds());
  auto root = crypto::Certificate::from_pem(read_text_file(tpm_->ca_root_pem()).value());
  auto issuer = crypto::Certificate::from_pem(read_text_file(tpm_->ca_issuer_pem()).value());
  ASSERT_TRUE(root && issuer);
  auto anchors = crypto::TrustStore::create({*root}).value();
  const Public ek = parse_public_2b(read_file(tpm_->path("ek.pub")).value()).value();
  const crypto::PublicKey ek_key = to_public_key(ek).value();
  // The local CA is made when the test starts; verify an hour after that.
  const Timestamp at = cert->not_before() + std::chrono::hours(1);
  EXPECT_THAT(verify_ek_certificate(*cert, ek_key, anchors, {*issuer}, at), Succeeds());
  EXPECT_THAT(verify_ek_certificate(*cert, ek_key, anchors, {}, at),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kEkCertificateChain));
  EXPECT_THAT(verify_ek_certificate(*cert, ek_key, anchors, {*issuer},
                                    cert->not_before() - std::chrono::hours(48)),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kEkCertificateChain));
  create_ak("ak", false);
  EXPECT_THAT(verify_ek_certificate(*cert, load("ak").key, anchors, {*issuer}, at),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kEkCertificateKey));
}

class ActivateCredentialTest : public SwtpmTest, public ::testing::WithParamInterface<bool> {};

TEST_P(ActivateCredentialTest, TpmRecoversTheSecret) {
  const bool ecc_ek = GetParam();
  if (ecc_ek) {
    tpm_->tpm2_ok("tpm2_createek -c ek.ctx -G ecc -u ek.pub");
    tpm_->tpm2_ok("tpm2_flushcontext -t");
  }
  create_ak("ak", false);
  const Public ek = parse_public_2b(read_file(tpm_->path("ek.pub")).value()).value();
  const Bytes name = read_file(tpm_->path("ak.name")).value();
  const Bytes secret = hex_decode("5ec2e75ec2e75ec2e75ec2e75ec2e75e").value();
  crypto::SystemRandom random;
  auto challenge = make_credential(ek, name, secret, random);
  ASSERT_THAT(challenge, Succeeds());
  {
    std::ofstream out(tpm_->path("cred.blob"), std::ios::binary);
    const Bytes blob = challenge->tpm2_tools_blob();
    out.write(reinterpret_cast<const char*>(blob.data()),
              static_cast<std::streamsize>(blob.size()));
  }
  tpm_->tpm2_ok("tpm2_startauthsession --policy-session -S session.ctx");
  tpm_->tpm2_ok("tpm2_policysecret -S session.ctx -c e");
  tpm_->tpm2_ok(
      "tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.blob -o secret.out "
      "-P session:session.ctx");
  tpm_->tpm2_ok("tpm2_flushcontext session.ctx");
  EXPECT_EQ(read_file(tpm_->path("secret.out")).value(), secret);

  // The credential is bound to the AK's Name: made for another name, the TPM refuses it.
  Bytes wrong_name = name;
  wrong_name.back() ^= 1;
  auto wrong = make_credential(ek, wrong_name, secret, random);
  ASSERT_THAT(wrong, Succeeds());
  {
    std::ofstream out(tpm_->path("wrong.blob"), std::ios::binary);
    const Bytes blob = wrong->tpm2_tools_blob();
    out.write(reinterpret_cast<const char*>(blob.data()),
              static_cast<std::streamsize>(blob.size()));
  }
  tpm_->tpm2_ok("tpm2_startauthsession --policy-session -S session2.ctx");
  tpm_->tpm2_ok("tpm2_policysecret -S session2.ctx -c e");
  EXPECT_NE(tpm_->tpm2("tpm2_activatecredential -c ak.ctx -C ek.ctx -i wrong.blob -o wrong.out "
                       "-P session:session2.ctx")
                .status,
            0);
}

INSTANTIATE_TEST_SUITE_P(RsaAndEccEk, ActivateCredentialTest, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "EccEk" : "RsaEk"; });

}  // namespace
}  // namespace vouch::tpm
