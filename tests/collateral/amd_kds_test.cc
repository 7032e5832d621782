// AMD KDS collateral: URL builders and their inverse parsers, the KDS cert_chain and PEM helpers,
// and the supplied, online, caching and offline sources (against the local fake KDS).

#include "collateral/amd_kds.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/encoding.h"
#include "collateral/amd_kds_sources.h"
#include "collateral/fetcher.h"
#include "testing/fake_amd_kds.h"
#include "testing/fake_amd_pki.h"
#include "testing/matchers.h"
#include "testing/temp_dir.h"

namespace vouch::collateral {
namespace {

using ::vouch::testing::FailsWith;
using ::vouch::testing::FailsWithCheck;
using ::vouch::testing::FakeAmdPki;
using ::vouch::testing::Succeeds;

constexpr std::string_view kBase = kAmdKdsBaseUrl;

ChipId chip() {
  ChipId c{};
  for (std::size_t i = 0; i < c.size(); ++i) {
    c[i] = static_cast<std::uint8_t>(i);
  }
  return c;
}

TEST(RetryAfter, DeltaSecondsClampedToADay) {
  EXPECT_EQ(parse_retry_after(" 120 "), std::chrono::seconds(120));
  // A long pause stays a long pause (retrying at our own backoff would hammer the source).
  EXPECT_EQ(parse_retry_after("999999"), std::chrono::seconds(86400));
  EXPECT_EQ(parse_retry_after("99999999999999999999999"), std::chrono::seconds(86400));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(parse_retry_after(""), std::nullopt);
}

TEST(AmdTypes, TcbLayoutsPerProduct) {
  const std::uint64_t milan = 0x7308000000000003;  // bl 3, snp 8, ucode 115
  const TcbParts m = decompose_tcb(AmdProduct::kMilan, milan);
  EXPECT_EQ(m.bootloader, 3);
  EXPECT_EQ(m.tee, 0);
  EXPECT_EQ(m.snp, 8);
  EXPECT_EQ(m.microcode, 0x73);
  EXPECT_FALSE(m.fmc.has_value());
  EXPECT_EQ(compose_tcb(AmdProduct::kMilan, m), milan);
  const TcbParts t{1, 2, 3, 4, 5};
  const std::uint64_t turin = compose_tcb(AmdProduct::kTurin, t);
  EXPECT_EQ(turin, 0x0500000004030201u);
  EXPECT_EQ(decompose_tcb(AmdProduct::kTurin, turin), t);
}

TEST(AmdTypes, ProductNames) {
  EXPECT_EQ(amd_product_from_cpuid(0x19, 0x01), AmdProduct::kMilan);
  EXPECT_EQ(amd_product_from_cpuid(0x19, 0x11), AmdProduct::kGenoa);
  EXPECT_EQ(amd_product_from_cpuid(0x19, 0xa0), AmdProduct::kGenoa);
  EXPECT_EQ(amd_product_from_cpuid(0x1a, 0x02), AmdProduct::kTurin);
  EXPECT_EQ(amd_product_from_cpuid(0x17, 0x31), std::nullopt);
  EXPECT_EQ(amd_product_from_product_name("Milan-B0"), AmdProduct::kMilan);
  EXPECT_EQ(amd_product_from_product_name("Genoa"), AmdProduct::kGenoa);
  EXPECT_EQ(amd_product_from_product_name("Rome-B0"), std::nullopt);
  EXPECT_EQ(amd_hwid_size(AmdProduct::kTurin), 8u);
}

TEST(KdsUrls, BuildersAndParsersAreInverse) {
  const std::uint64_t milan_tcb = 0x7308000000000003;
  const std::string vcek = kds_vcek_url(kBase, AmdProduct::kMilan, chip(), milan_tcb);
  EXPECT_EQ(vcek, "https://kdsintf.amd.com/vcek/v1/Milan/" + hex_encode(chip()) +
                      "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115");
  auto parsed = parse_kds_url(kBase, vcek);
  ASSERT_THAT(parsed, Succeeds());
  const auto& v = std::get<KdsVcekRequest>(*parsed);
  EXPECT_EQ(v.product, AmdProduct::kMilan);
  const ChipId c = chip();
  EXPECT_EQ(v.hwid, Bytes(c.begin(), c.end()));
  EXPECT_EQ(v.reported_tcb, milan_tcb);

  const std::uint64_t turin_tcb = compose_tcb(AmdProduct::kTurin, TcbParts{1, 2, 3, 4, 5});
  const std::string tv = kds_vcek_url(kBase, AmdProduct::kTurin, chip(), turin_tcb);
  EXPECT_EQ(tv,
            "https://kdsintf.amd.com/vcek/v1/Turin/0001020304050607"
            "?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=5");
  auto tp = parse_kds_url(kBase, tv);
  ASSERT_THAT(tp, Succeeds());
  EXPECT_EQ(std::get<KdsVcekRequest>(*tp).reported_tcb, turin_tcb);

  const std::string vlek = kds_vlek_url(kBase, AmdProduct::kGenoa, milan_tcb);
  EXPECT_EQ(vlek,
            "https://kdsintf.amd.com/vlek/v1/Genoa/cert?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115");
  EXPECT_EQ(std::get<KdsVlekRequest>(parse_kds_url(kBase, vlek).value()).reported_tcb, milan_tcb);

  const auto chain =
      parse_kds_url(kBase, kds_product_chain_url(kBase, AmdProduct::kTurin, AmdKeyKind::kVlek));
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(std::get<KdsProductChainRequest>(*chain).kind, AmdKeyKind::kVlek);
  EXPECT_EQ(kds_crl_url(kBase, AmdProduct::kMilan, AmdKeyKind::kVcek),
            "https://kdsintf.amd.com/vcek/v1/Milan/crl");
  EXPECT_EQ(
      std::get<KdsCrlRequest>(
          parse_kds_url(kBase, kds_crl_url(kBase, AmdProduct::kMilan, AmdKeyKind::kVcek)).value())
          .product,
      AmdProduct::kMilan);
}

TEST(KdsUrls, ParserRejectsWhatItDoesNotBuild) {
  const std::string h = hex_encode(chip());
  const std::string bad[] = {
      "https://example.com/vcek/v1/Milan/cert_chain",
      "https://kdsintf.amd.com/sev/v1/Milan/cert_chain",
      "https://kdsintf.amd.com/vcek/v1/Rome/cert_chain",
      "https://kdsintf.amd.com/vcek/v1/Milan/cert_chain?x=1",
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h,
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h + "?blSPL=3&teeSPL=0&snpSPL=8",
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h + "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=256",
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h + "?blSPL=3&blSPL=3&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h + "?blSPL=03&teeSPL=0&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h +
          "?fmcSPL=1&blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vcek/v1/Turin/0001020304050607?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vcek/v1/Milan/abcd?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vcek/v1/Milan/" + h.substr(0, 126) + "ZZ" +
          "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vlek/v1/Milan/vlek?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1",
      "https://kdsintf.amd.com/vcek/v1/Milan/a/b",
  };
  for (const std::string& url : bad) {
    EXPECT_THAT(parse_kds_url(kBase, url),
                FailsWith(ErrorKind::kInvalidArgument, checks::kAmdKdsUrl))
        << url;
  }
}

TEST(KdsPem, CertChainAndPemHelpers) {
  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kMilan);
  const std::string pem = pki.chain_pem(AmdKeyKind::kVcek);
  auto chain = parse_kds_cert_chain(as_bytes(pem));
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(chain->intermediate_der, pki.ask().der());
  EXPECT_EQ(chain->ark_der, pki.ark().der());
  EXPECT_THAT(parse_kds_cert_chain(as_bytes(pem + pem)),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAmdKds));
  EXPECT_THAT(pem_certificates_to_der(as_bytes(std::string("-----BEGIN PRIVATE KEY-----\nAA==\n"))),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAmdKds));
  EXPECT_THAT(pem_certificates_to_der(as_bytes(
                  std::string("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"))),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAmdKds));
  auto none = pem_certificates_to_der(as_bytes(std::string("no pem here")));
  ASSERT_THAT(none, Succeeds());
  EXPECT_TRUE(none->empty());
}

TEST(SuppliedAmdKdsTest, ServesEvidenceThenFallsBack) {
  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kGenoa);
  auto vek = pki.issue_vek({});
  // MAA's VcekCertChain order: the first PEM certificate fills the VEK slot.
  auto s = SuppliedAmdKds::from_pem_chain(as_bytes(pki.chain_pem(AmdKeyKind::kVcek)), nullptr);
  ASSERT_THAT(s, Succeeds());
  EXPECT_EQ(s->vcek(AmdProduct::kGenoa, chip(), 0).value().der, pki.ask().der());
  EXPECT_EQ(s->vlek(AmdProduct::kGenoa, 0).value().der, pki.ask().der());
  ::vouch::testing::FakeKdsFetcher fetcher;
  fetcher.set_crl(AmdProduct::kGenoa, AmdKeyKind::kVcek, Bytes{1, 2, 3});
  OnlineAmdKds online(fetcher);
  SuppliedAmdKds with_fallback({vek.cert.der(), std::nullopt, std::nullopt, std::nullopt}, &online);
  auto v = with_fallback.vcek(AmdProduct::kGenoa, chip(), 0);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->source, AmdSource::kEvidence);
  EXPECT_EQ(v->der, vek.cert.der());
  EXPECT_EQ(fetcher.requests(), 0u);
  auto chain = with_fallback.product_chain(AmdProduct::kGenoa, AmdKeyKind::kVcek);
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(chain->source, AmdSource::kKds);
  EXPECT_THAT(with_fallback.vlek(AmdProduct::kGenoa, 0),
              FailsWith(ErrorKind::kNotFound, checks::kAmdKdsNotFound));
  ASSERT_THAT(with_fallback.crl(AmdProduct::kGenoa, AmdKeyKind::kVcek), Succeeds());
  SuppliedAmdKds alone({}, nullptr);
  EXPECT_THAT(alone.vcek(AmdProduct::kGenoa, chip(), 0),
              FailsWith(ErrorKind::kNotFound, checks::kAmdKdsNotFound));
  EXPECT_THAT(alone.crl(AmdProduct::kGenoa, AmdKeyKind::kVcek),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kAmdKdsNotFound));
  EXPECT_THAT(SuppliedAmdKds::from_pem_chain(as_bytes(std::string("nothing")), nullptr),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kAmdKds));
}

TEST(OnlineAmdKdsTest, MapsHttpStatuses) {
  ::vouch::testing::FakeKdsFetcher fetcher;
  OnlineAmdKds kds(fetcher);
  EXPECT_THAT(kds.vcek(AmdProduct::kMilan, chip(), 1),
              FailsWith(ErrorKind::kNotFound, checks::kAmdKdsNotFound));
  fetcher.force_status(429);
  EXPECT_THAT(kds.vcek(AmdProduct::kMilan, chip(), 1),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kAmdKds));
  fetcher.force_status(200);  // an empty body is not a cert_chain
  EXPECT_THAT(kds.product_chain(AmdProduct::kMilan, AmdKeyKind::kVcek),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kAmdKds));
  fetcher.force_status(0);
  fetcher.set_unreachable(true);
  EXPECT_THAT(kds.crl(AmdProduct::kMilan, AmdKeyKind::kVcek),
              FailsWith(ErrorKind::kCollateralUnavailable, checks::kFetch));
}

TEST(CachingAmdKdsTest, CachesAnswersNotFailures) {
  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kMilan);
  auto vek = pki.issue_vek({});
  ::vouch::testing::FakeKdsFetcher fetcher;
  OnlineAmdKds online(fetcher);
  FixedClock clock(from_unix_seconds(1735689600));
  CachingAmdKds cache(online, clock);
  EXPECT_FALSE(cache.vcek(AmdProduct::kMilan, chip(), 7).has_value());
  fetcher.add_vcek(AmdProduct::kMilan, chip(), 7, vek.cert);
  ASSERT_THAT(cache.vcek(AmdProduct::kMilan, chip(), 7), Succeeds());
  ASSERT_THAT(cache.vcek(AmdProduct::kMilan, chip(), 7), Succeeds());
  EXPECT_EQ(fetcher.requests(), 2u);  // the failure was not cached; the answer was
  EXPECT_FALSE(cache.vcek(AmdProduct::kMilan, chip(), 8).has_value());  // another TCB
  EXPECT_EQ(fetcher.requests(), 3u);
  ASSERT_THAT(cache.product_chain(AmdProduct::kMilan, AmdKeyKind::kVcek), Succeeds());
  ASSERT_THAT(cache.product_chain(AmdProduct::kMilan, AmdKeyKind::kVcek), Succeeds());
  EXPECT_EQ(fetcher.requests(), 4u);
  // CRLs until nextUpdate.
  const auto crl =
      pki.issue_crl({}, from_unix_seconds(1735689600 - 10), from_unix_seconds(1735689600 + 100));
  fetcher.set_crl(AmdProduct::kMilan, AmdKeyKind::kVcek, FakeAmdPki::crl_der(crl));
  ASSERT_THAT(cache.crl(AmdProduct::kMilan, AmdKeyKind::kVcek), Succeeds());
  ASSERT_THAT(cache.crl(AmdProduct::kMilan, AmdKeyKind::kVcek), Succeeds());
  EXPECT_EQ(fetcher.requests(), 5u);
  clock.set(from_unix_seconds(1735689600 + 100));
  ASSERT_THAT(cache.crl(AmdProduct::kMilan, AmdKeyKind::kVcek), Succeeds());
  EXPECT_EQ(fetcher.requests(), 6u);
  // VLEKs by (product, TCB).
  ::vouch::testing::VekSpec vspec;
  vspec.kind = AmdKeyKind::kVlek;
  auto vlek = pki.issue_vek(vspec);
  fetcher.add_vlek(AmdProduct::kMilan, 9, vlek.cert);
  ASSERT_THAT(cache.vlek(AmdProduct::kMilan, 9), Succeeds());
  ASSERT_THAT(cache.vlek(AmdProduct::kMilan, 9), Succeeds());
  EXPECT_EQ(fetcher.requests(), 7u);
}

TEST(OfflineAmdKdsTest, ReadsTheKdsShapedDirectory) {
  const FakeAmdPki& pki = FakeAmdPki::get(AmdProduct::kTurin);
  auto vek = pki.issue_vek({});
  ::vouch::testing::TempDir dir;
  const auto put = [&](const std::string& rel, ByteSpan data) {
    const std::filesystem::path p = std::filesystem::path(dir.path()) / rel;
    std::filesystem::create_directories(p.parent_path());
    ::vouch::testing::write_file(p.string(), std::string(data.begin(), data.end()));
  };
  put(OfflineAmdKds::product_chain_path(AmdProduct::kTurin, AmdKeyKind::kVcek),
      as_bytes(pki.chain_pem(AmdKeyKind::kVcek)));
  put(OfflineAmdKds::vcek_path(AmdProduct::kTurin, chip(), 0x1234), vek.cert.der());
  put(OfflineAmdKds::vlek_path(AmdProduct::kTurin, 0x1234), vek.cert.der());
  const Bytes crl =
      FakeAmdPki::crl_der(pki.issue_crl({}, from_unix_seconds(0), from_unix_seconds(1)));
  put(OfflineAmdKds::crl_path(AmdProduct::kTurin, AmdKeyKind::kVcek), crl);
  EXPECT_EQ(OfflineAmdKds::vcek_path(AmdProduct::kTurin, chip(), 0x1234),
            "vcek/v1/Turin/0001020304050607/0000000000001234.der");
  OfflineAmdKds kds(dir.path());
  auto v = kds.vcek(AmdProduct::kTurin, chip(), 0x1234);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(v->source, AmdSource::kOffline);
  EXPECT_EQ(v->der, vek.cert.der());
  ASSERT_THAT(kds.vlek(AmdProduct::kTurin, 0x1234), Succeeds());
  auto chain = kds.product_chain(AmdProduct::kTurin, AmdKeyKind::kVcek);
  ASSERT_THAT(chain, Succeeds());
  EXPECT_EQ(chain->source, AmdSource::kOffline);
  EXPECT_EQ(kds.crl(AmdProduct::kTurin, AmdKeyKind::kVcek).value().der, crl);
  EXPECT_THAT(kds.vcek(AmdProduct::kTurin, chip(), 0x1235),
              FailsWith(ErrorKind::kNotFound, checks::kAmdKdsNotFound));
  EXPECT_THAT(kds.product_chain(AmdProduct::kMilan, AmdKeyKind::kVcek),
              FailsWithCheck(checks::kAmdKdsNotFound));
}

}  // namespace
}  // namespace vouch::collateral
