#include "crypto/x509.h"

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "base/file.h"
#include "crypto/check_ids.h"
#include "testing/matchers.h"
#include "testing/test_pki.h"
#include "testing/vectors.h"

namespace vouch::crypto {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::Succeeds;

const Timestamp kAt = from_unix_seconds(1767225600);  // 2026-01-01

struct Pki {
  testing::TestPki pki = testing::TestPki::create("X509 Test");
  PrivateKey leaf_key = PrivateKey::generate_ec(Curve::kP256).value();
};

TEST(X509, ChainVerifiesAndReturnsLeafToAnchor) {
  Pki p;
  const Certificate leaf = p.pki.issue_leaf(p.leaf_key.public_key());
  auto chain = verify_chain(leaf, p.pki.anchors(), {kAt, {p.pki.intermediate}, {}});
  ASSERT_THAT(chain, Succeeds());
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ(chain->front().der(), leaf.der());
  EXPECT_EQ(chain->back().der(), p.pki.root.der());
  EXPECT_TRUE(leaf.public_key().value().equals(p.leaf_key.public_key()));
  EXPECT_NE(leaf.subject().find("CN=Vouch Test Leaf"), std::string::npos);
  EXPECT_NE(leaf.issuer().find("X509 Test Intermediate CA"), std::string::npos);
  EXPECT_EQ(leaf.serial(), Bytes{100});
}

TEST(X509, ChainFailures) {
  Pki p;
  const Certificate leaf = p.pki.issue_leaf(p.leaf_key.public_key());
  EXPECT_THAT(verify_chain(leaf, p.pki.anchors(), {kAt, {}, {}}),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
  EXPECT_THAT(verify_chain(leaf, p.pki.anchors(),
                           {from_unix_seconds(2600000000), {p.pki.intermediate}, {}}),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
  const testing::TestPki other = testing::TestPki::create("Other");
  EXPECT_THAT(verify_chain(leaf, other.anchors(), {kAt, {p.pki.intermediate}, {}}),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
  auto empty = TrustStore::create({}).value();
  EXPECT_THAT(verify_chain(leaf, empty, {kAt, {p.pki.intermediate}, {}}),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
}

TEST(X509, AnIntermediateCanBeTheAnchor) {
  Pki p;
  const Certificate leaf = p.pki.issue_leaf(p.leaf_key.public_key());
  auto anchors = TrustStore::create({p.pki.intermediate}).value();
  auto chain = verify_chain(leaf, anchors, {kAt, {}, {}});
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(chain->size(), 2u);
}

TEST(X509, CrlsRevokeAndMustCoverEveryLevel) {
  Pki p;
  testing::CertSpec spec;
  spec.serial = 4242;
  const Certificate leaf = p.pki.issue_leaf(p.leaf_key.public_key(), spec);
  const Timestamp from = kAt - std::chrono::hours(24);
  const Timestamp until = kAt + std::chrono::hours(24);
  const Crl root_crl = testing::issue_crl(p.pki.root, p.pki.root_key, {}, from, until);
  const Crl clean =
      testing::issue_crl(p.pki.intermediate, p.pki.intermediate_key, {7}, from, until);
  const Crl revoking =
      testing::issue_crl(p.pki.intermediate, p.pki.intermediate_key, {4242}, from, until);
  EXPECT_THAT(verify_chain(leaf, p.pki.anchors(), {kAt, {p.pki.intermediate}, {root_crl, clean}}),
              Succeeds());
  EXPECT_THAT(
      verify_chain(leaf, p.pki.anchors(), {kAt, {p.pki.intermediate}, {root_crl, revoking}}),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
  // With CRL checking on, a level without a CRL fails rather than passing silently.
  EXPECT_THAT(verify_chain(leaf, p.pki.anchors(), {kAt, {p.pki.intermediate}, {clean}}),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
  // A CRL past its nextUpdate is stale.
  EXPECT_THAT(
      verify_chain(leaf, p.pki.anchors(),
                   {until + std::chrono::hours(1), {p.pki.intermediate}, {root_crl, clean}}),
      FailsWith(ErrorKind::kEvidenceRejected, checks::kChain));
  EXPECT_EQ(clean.next_update(), until);
  EXPECT_EQ(clean.this_update(), from);
}

TEST(X509, ParsingRejectsTrailingAndGarbage) {
  Pki p;
  Bytes der = p.pki.root.der();
  der.push_back(0);
  EXPECT_THAT(Certificate::from_der(der),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCertTrailing));
  EXPECT_THAT(Certificate::from_der(as_bytes("garbage")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCertParse));
  EXPECT_THAT(Certificate::parse_bundle(
                  as_bytes("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCertParse));
  EXPECT_THAT(Crl::parse(as_bytes("nope")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCrlParse));
}

TEST(X509, UndecodableKeyIsAnErrorNotACrash) {
  // Found by fuzz_x509: d2i_X509 accepts a certificate whose public key OpenSSL cannot decode.
  auto data = read_file(testing::source_dir() + "/fuzz/corpus/fuzz_x509/regress_undecodable_key");
  ASSERT_THAT(data, Succeeds());
  auto certs = Certificate::parse_bundle(*data);
  if (certs) {
    for (const auto& c : *certs) {
      EXPECT_THAT(c.public_key(), FailsWith(ErrorKind::kMalformedEvidence, checks::kKeyParse));
    }
  }
}

TEST(X509, PemBundlesParseInOrder) {
  Pki p;
  auto wrap = [](const Certificate& c) {
    const std::string b64 = base64_encode(c.der());
    std::string out = "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64) {
      out += b64.substr(i, 64) + "\n";
    }
    return out + "-----END CERTIFICATE-----\n";
  };
  const std::string bundle = wrap(p.pki.intermediate) + "\n" + wrap(p.pki.root);
  auto certs = Certificate::parse_bundle(as_bytes(bundle));
  ASSERT_THAT(certs, Succeeds());
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0].der(), p.pki.intermediate.der());
  EXPECT_THAT(Certificate::from_pem(bundle),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCertParse));
  EXPECT_THAT(Certificate::parse_bundle(as_bytes("comment\n" + bundle + "trailing text\n")),
              Succeeds());
  EXPECT_THAT(Certificate::parse_bundle(
                  as_bytes(bundle + "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCertParse));
  EXPECT_THAT(Certificate::parse_bundle(as_bytes("no pem here -----BEGIN")),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kCertParse));
}

TEST(X509, GoogleEkAkCaCertificatesParse) {
  VOUCH_REQUIRE_VECTORS();
  for (const char* f :
       {"tpm_ek_root_1.cer", "tpm_ek_intermediate_2.crt", "tpm_ek_intermediate_3.crt",
        "gcp_ek_ak_ca_root.crt", "gcp_ek_ak_ca_intermediate_v3.crt"}) {
    auto c = Certificate::parse_bundle(
        testing::read_vector(std::string("tpm/go-tpm-tools-gce-cos85/") + f));
    ASSERT_THAT(c, Succeeds()) << f;
    EXPECT_THAT(c->front().public_key(), Succeeds()) << f;
  }
}

}  // namespace
}  // namespace vouch::crypto
