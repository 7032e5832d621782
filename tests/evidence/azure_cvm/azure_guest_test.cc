// Azure guest attestation (/attest/AzureGuest AttestationInfo): the request parser (round trip and
// one bad input per member), its verification against the fake AMD PKI and a software vTPM AK
// (every azure.guest.* check), and Azure TDX CVMs against the fake Intel PKI: the TD quote
// verified through DCAP, compared with the HCL's TDREPORT and bound to the runtime claims.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "evidence/azure_cvm/check_ids.h"
#include "evidence/azure_cvm/guest_request.h"
#include "evidence/azure_cvm/guest_verify.h"
#include "evidence/azure_cvm/td_report.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/sevsnp/check_ids.h"
#include "evidence/tpm/check_ids.h"
#include "testing/dcap_builder.h"
#include "testing/matchers.h"
#include "testing/snp_azure_builder.h"

namespace vouch::azure_cvm {
namespace {

using collateral::AmdProduct;
using nlohmann::json;
using ::vouch::testing::FailsWith;
using ::vouch::testing::FailsWithCheck;
using ::vouch::testing::FakeAmdPki;
using ::vouch::testing::Succeeds;

const Timestamp kAt = from_unix_seconds(1735689600);  // 2025-01-01
const Bytes kNonce = {'c', 'h', 'a', 'l', 'l', 'e', 'n', 'g', 'e'};

GuestAttestationInfo guest_of(const ::vouch::testing::AzureCvmFixture& f) {
  return ::vouch::testing::make_azure_guest(
      f, ::vouch::testing::vcek_chain_pem(f, AmdProduct::kGenoa));
}

Result<GuestAttestationInfo> parse_text(const std::string& text) {
  return parse_guest_attestation_info(as_bytes(text));
}

// --- the request parser ---

TEST(GuestRequest, RoundTripsAndAcceptsAzuresEncodings) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kGenoa, kNonce);
  const GuestAttestationInfo g = guest_of(f);
  const std::string text = to_json_text(g);
  auto parsed = parse_text(text);
  ASSERT_THAT(parsed, Succeeds());
  EXPECT_EQ(*parsed, g);
  EXPECT_EQ(to_json_text(*parsed), text);

  // Member names in any case; VcekCertChain as base64 of the PEM; SnpReport as base64.
  json j = json::parse(text);
  j["tpminfo"] = j["TpmInfo"];
  j.erase("TpmInfo");
  const Bytes proof_bytes =
      base64_decode(j["IsolationInfo"]["Evidence"]["Proof"].get<std::string>()).value();
  json proof = json::parse(proof_bytes.begin(), proof_bytes.end());
  proof["VcekCertChain"] = base64_encode(as_bytes(g.isolation.vcek_cert_chain));
  proof["SnpReport"] = base64_encode(g.isolation.snp_report);
  j["IsolationInfo"]["Evidence"]["Proof"] = base64_encode(as_bytes(proof.dump()));
  auto tolerant = parse_text(j.dump());
  ASSERT_THAT(tolerant, Succeeds());
  EXPECT_EQ(*tolerant, g);

  // TrustedLaunch has no Evidence; it parses (verification rejects it).
  json tl = json::parse(text);
  tl["IsolationInfo"] = {{"Type", "TrustedLaunch"}};
  auto trusted = parse_text(tl.dump());
  ASSERT_THAT(trusted, Succeeds());
  EXPECT_EQ(trusted->isolation.type, IsolationType::kTrustedLaunch);
  // Tdx carries the TD quote as the proof.
  json tdx = json::parse(text);
  tdx["IsolationInfo"]["Type"] = "Tdx";
  tdx["IsolationInfo"]["Evidence"]["Proof"] = base64_encode(Bytes{4, 0, 2, 0});
  auto td = parse_text(tdx.dump());
  ASSERT_THAT(td, Succeeds());
  EXPECT_EQ(td->isolation.td_quote, (Bytes{4, 0, 2, 0}));
  EXPECT_EQ(td->isolation.runtime_data, g.isolation.runtime_data);
}

TEST(GuestRequest, EveryBadMemberFailsNamingIt) {
  const auto f = ::vouch::testing::make_azure_cvm(AmdProduct::kGenoa, kNonce);
  const json good = json::parse(to_json_text(guest_of(f)));
  const auto proof_with = [&](const std::function<void(json&)>& edit) {
    const Bytes b =
        base64_decode(good["IsolationInfo"]["Evidence"]["Proof"].get<std::string>()).value();
    json p = json::parse(b.begin(), b.end());
    edit(p);
    return base64_encode(as_bytes(p.dump()));
  };
  const std::vector<std::pair<const char*, std::function<void(json&)>>> cases = {
      {"AttestationProtocolVersion missing",
       [](json& j) { j.erase("AttestationProtocolVersion"); }},
      {"AttestationProtocolVersion number", [](json& j) { j["AttestationProtocolVersion"] = 2; }},
      {"OSType not base64", [](json& j) { j["OSType"] = "!!"; }},
      {"OSVersionMajor string", [](json& j) { j["OSVersionMajor"] = "22"; }},
      {"OSVersionMinor fraction", [](json& j) { j["OSVersionMinor"] = 4.5; }},
      {"TcgLogs number", [](json& j) { j["TcgLogs"] = 5; }},
      {"ClientPayload array", [](json& j) { j["ClientPayload"] = json::array(); }},
      {"ClientPayload value", [](json& j) { j["ClientPayload"]["n"] = 1; }},
      {"TpmInfo missing", [](json& j) { j.erase("TpmInfo"); }},
      {"TpmInfo string", [](json& j) { j["TpmInfo"] = "x"; }},
      {"TpmInfo twice", [](json& j) { j["TPMINFO"] = j["TpmInfo"]; }},
      {"AikPub missing", [](json& j) { j["TpmInfo"].erase("AikPub"); }},
      {"PcrQuote not base64", [](json& j) { j["TpmInfo"]["PcrQuote"] = "a$b"; }},
      {"PcrSignature empty", [](json& j) { j["TpmInfo"]["PcrSignature"] = ""; }},
      // Longer than any TPM signature (and than a 16-bit TPM size: once aborted the process).
      {"PcrSignature huge",
       [](json& j) { j["TpmInfo"]["PcrSignature"] = base64_encode(Bytes(70000, 1)); }},
      {"OSDistro not ASCII",
       [](json& j) {
         j["OSDistro"] = base64_encode(Bytes{0x55, 0xff, 0x62});
       }},
      {"AikCert number", [](json& j) { j["TpmInfo"]["AikCert"] = 7; }},
      {"PcrSet repeated",
       [](json& j) {
         j["TpmInfo"]["PcrSet"] = {1, 1};
       }},
      {"PcrSet negative", [](json& j) { j["TpmInfo"]["PcrSet"] = {-1}; }},
      {"PCRs object", [](json& j) { j["TpmInfo"]["PCRs"] = json::object(); }},
      {"PCRs index 24", [](json& j) { j["TpmInfo"]["PCRs"][0]["Index"] = 24; }},
      {"PCRs index repeated", [](json& j) { j["TpmInfo"]["PCRs"][1]["Index"] = 0; }},
      {"PCRs digest missing", [](json& j) { j["TpmInfo"]["PCRs"][0].erase("Digest"); }},
      {"PCRs entry string", [](json& j) { j["TpmInfo"]["PCRs"][0] = "x"; }},
      {"IsolationInfo missing", [](json& j) { j.erase("IsolationInfo"); }},
      {"Type number", [](json& j) { j["IsolationInfo"]["Type"] = 3; }},
      {"Evidence missing", [](json& j) { j["IsolationInfo"].erase("Evidence"); }},
      {"RunTimeData missing", [](json& j) { j["IsolationInfo"]["Evidence"].erase("RunTimeData"); }},
      {"Proof not base64", [](json& j) { j["IsolationInfo"]["Evidence"]["Proof"] = "%%"; }},
      {"Proof not JSON",
       [](json& j) { j["IsolationInfo"]["Evidence"]["Proof"] = base64_encode(as_bytes("nope")); }},
      {"SnpReport missing",
       [&](json& j) {
         j["IsolationInfo"]["Evidence"]["Proof"] =
             proof_with([](json& p) { p.erase("SnpReport"); });
       }},
      {"VcekCertChain not PEM",
       [&](json& j) {
         j["IsolationInfo"]["Evidence"]["Proof"] =
             proof_with([](json& p) { p["VcekCertChain"] = base64_encode(as_bytes("junk")); });
       }},
      {"VcekCertChain number",
       [&](json& j) {
         j["IsolationInfo"]["Evidence"]["Proof"] =
             proof_with([](json& p) { p["VcekCertChain"] = 1; });
       }},
  };
  for (const auto& [name, edit] : cases) {
    json j = good;
    edit(j);
    EXPECT_THAT(parse_text(j.dump()),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kGuestRequest))
        << name;
  }
  EXPECT_THAT(parse_text("not json"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kGuestRequest));
  EXPECT_THAT(parse_text("[]"), FailsWith(ErrorKind::kMalformedEvidence, checks::kGuestRequest));
  // A NUL would end nlohmann's input early: the text after it must not pass unseen.
  EXPECT_THAT(parse_text(good.dump() + std::string(1, '\0') + "junk"),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kGuestRequest));
  EXPECT_THAT(parse_text(std::string(200, '[') + std::string(200, ']')),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kGuestRequest));
  json sgx = good;
  sgx["IsolationInfo"]["Type"] = "Sgx";
  EXPECT_THAT(parse_text(sgx.dump()),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kGuestIsolationType));
}

// --- verification (SevSnp) with the fake PKI ---

class AzureGuestVerify : public ::testing::Test {
 protected:
  Result<VerifiedAzureGuest> run(const GuestAttestationInfo& g,
                                 std::optional<Bytes> nonce = std::nullopt) {
    HardwareRoots roots;
    roots.snp = &verifier_;
    std::optional<collateral::SuppliedAmdKds> kds;
    if (!g.isolation.vcek_cert_chain.empty()) {
      auto made = collateral::SuppliedAmdKds::from_pem_chain(as_bytes(g.isolation.vcek_cert_chain),
                                                             nullptr);
      EXPECT_TRUE(made.has_value());
      kds.emplace(std::move(*made));
      roots.amd_kds = &*kds;
    }
    log_ = evidence::CheckLog();
    return verify_guest(roots, g, GuestVerifyOptions{kAt, nonce, sevsnp::RevocationMode::kSkip},
                        log_);
  }
  sevsnp::Verifier verifier_{FakeAmdPki::anchors({AmdProduct::kMilan, AmdProduct::kGenoa})};
  evidence::CheckLog log_;
  ::vouch::testing::AzureCvmFixture f_ =
      ::vouch::testing::make_azure_cvm(AmdProduct::kGenoa, kNonce);
};

TEST_F(AzureGuestVerify, VerifiesAndClaimsLikeAzureGuestAttestation) {
  const GuestAttestationInfo g = guest_of(f_);
  auto v = run(g);
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(log_.has(checks::kGuestAikPub));
  const claims::ClaimSet c = to_claims(*v);
  const auto& tee = *c.get("x-ms-isolation-tee")->as_map();
  EXPECT_EQ(*tee.at("x-ms-attestation-type").as_string(), "sevsnpvm");
  EXPECT_TRUE(tee.at("x-ms-runtime").as_map()->contains("keys"));
  EXPECT_EQ(*c.get("x-ms-azurevm-ostype")->as_string(), "Linux");
  EXPECT_EQ(*c.get("x-ms-azurevm-osdistro")->as_string(), "Ubuntu");
  EXPECT_EQ(*c.get("x-ms-azurevm-osbuild")->as_string(), "NotApplication");
  EXPECT_EQ(*c.get("x-ms-azurevm-osversion-major")->as_int(), 22);
  EXPECT_EQ(*c.get("x-ms-azurevm-osversion-minor")->as_int(), 4);
  EXPECT_EQ(*c.get("x-ms-azurevm-attestation-protocol-ver")->as_string(), "2.0");
  EXPECT_EQ(*c.get("x-ms-azurevm-vmid")->as_string(), "911B0EF8-9DBA-48B0-B275-4E4DF2D39252");
  EXPECT_EQ(c.get("x-ms-azurevm-attested-pcrs")->as_list()->size(), 24u);
  EXPECT_EQ(*c.get("snp.report_data.binding")->as_string(), "exact");
  // No nonce in the protocol: extraData is reported, not compared.
  EXPECT_FALSE(*c.get("azure.vtpm.nonce_checked")->as_bool());
  EXPECT_EQ(*c.get("tpm.quote.nonce")->as_bytes(), kNonce);
  EXPECT_FALSE(c.contains("secureboot"));  // no TCG log was sent
  // ClientPayload is not bound to the evidence: kept apart, under a name that says so.
  EXPECT_EQ(c.get("azure.guest.client_payload_unverified")->as_map()->size(), 1u);
}

TEST_F(AzureGuestVerify, ANonceWhenGivenIsComparedExactly) {
  const GuestAttestationInfo g = guest_of(f_);
  auto v = run(g, kNonce);
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(*to_claims(*v).get("azure.vtpm.nonce_checked")->as_bool());
  EXPECT_THAT(run(g, Bytes{'x'}),
              FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuoteNonce));
}

TEST_F(AzureGuestVerify, TpmSignatureFormIsAcceptedToo) {
  GuestAttestationInfo g = guest_of(f_);
  g.tpm.pcr_signature = raw_rsassa_signature(g.tpm.pcr_signature);
  EXPECT_THAT(run(g), Succeeds());
}

TEST_F(AzureGuestVerify, TrustedLaunchHasNoHardwareEvidence) {
  GuestAttestationInfo g = guest_of(f_);
  g.isolation = GuestIsolation{};
  EXPECT_THAT(run(g), FailsWith(ErrorKind::kEvidenceRejected, checks::kGuestTrustedLaunch));
}

TEST_F(AzureGuestVerify, AikPubMustBeTheHclAk) {
  GuestAttestationInfo g = guest_of(f_);
  const auto other = ::vouch::testing::make_software_ak(false);
  g.tpm.aik_pub = tpm::serialize(other.pub);
  EXPECT_THAT(run(g), FailsWith(ErrorKind::kEvidenceRejected, checks::kGuestAikPub));
  g.tpm.aik_pub = Bytes{1, 2, 3};
  EXPECT_THAT(run(g), FailsWithCheck(tpm::checks::kAkParse));
}

TEST_F(AzureGuestVerify, EachBindingFailsWithItsCheck) {
  const GuestAttestationInfo good = guest_of(f_);
  GuestAttestationInfo g = good;
  g.isolation.runtime_data.push_back(' ');  // not what REPORT_DATA binds
  EXPECT_THAT(run(g), FailsWith(ErrorKind::kEvidenceRejected, sevsnp::checks::kReportData));
  g = good;
  g.isolation.snp_report[0x90] ^= 1;  // measurement
  EXPECT_THAT(run(g), FailsWith(ErrorKind::kEvidenceRejected, sevsnp::checks::kReportSignature));
  g = good;
  g.tpm.pcr_signature[5] ^= 1;
  EXPECT_THAT(run(g), FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuoteSignature));
  g = good;
  g.tpm.pcrs[3].digest[0] ^= 1;
  EXPECT_THAT(run(g), FailsWith(ErrorKind::kEvidenceRejected, tpm::checks::kQuotePcrDigest));
  g = good;
  g.tpm.pcrs.erase(g.tpm.pcrs.begin() + 5);
  EXPECT_THAT(run(g), FailsWithCheck(tpm::checks::kPcrsMissing));
  g = good;
  g.tcg_logs = Bytes{1, 2, 3};  // not a TCG log
  EXPECT_FALSE(run(g).has_value());
}

TEST_F(AzureGuestVerify, TdxWithoutDcapIsUnavailable) {
  GuestAttestationInfo g = guest_of(f_);
  g.isolation.type = IsolationType::kTdx;
  g.isolation.td_quote = Bytes{4, 0};
  evidence::CheckLog log;
  EXPECT_THAT(
      verify_guest(HardwareRoots{}, g,
                   GuestVerifyOptions{kAt, std::nullopt, sevsnp::RevocationMode::kSkip}, log),
      FailsWith(ErrorKind::kCollateralUnavailable, checks::kTdxNoVerifier));
}

// --- Azure TDX CVMs with the fake Intel PKI ---

// A TDREPORT carrying the fields of a TD 1.0 quote body (offsets in
// evidence/azure_cvm/td_report.h).
Bytes tdreport_of(const dcap::Td10Report& r) {
  Bytes out(kTdReportSize, 0);
  out[0] = kTdReportTypeTdx;
  const auto put = [&](std::size_t offset, const auto& field) {
    std::copy(field.begin(), field.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
  };
  put(128, r.report_data);
  put(264, r.tee_tcb_svn);
  put(280, r.mr_seam);
  put(328, r.mr_signer_seam);
  put(376, r.seam_attributes);
  put(512, r.td_attributes);
  put(520, r.xfam);
  put(528, r.mr_td);
  put(576, r.mr_config_id);
  put(624, r.mr_owner);
  put(672, r.mr_owner_config);
  for (std::size_t i = 0; i < 4; ++i) {
    put(720 + 48 * i, r.rtmr[i]);
  }
  return out;
}

class AzureTdx : public ::testing::Test {
 protected:
  void SetUp() override {
    f_ = ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
    f_.hcl.report_type = HwReportType::kTdx;
    td_quote_ = quote_binding(expected_report_data(f_.hcl));
    body_ = *dcap::td_body(dcap::parse_quote(td_quote_).value().quote);
    set_tdreport(body_);
  }

  // A TDX v4 quote whose REPORT_DATA is `report_data`.
  Bytes quote_binding(const Bytes& report_data) const {
    ::vouch::testing::QuoteOptions o;
    o.tee = dcap::TeeKind::kTdx;
    o.version = 4;
    o.tweak = [&](dcap::Quote& q) {
      auto& body = std::get<dcap::Td10Report>(std::get<dcap::QuoteV4>(q).body);
      std::copy(report_data.begin(), report_data.end(), body.report_data.begin());
    };
    return ::vouch::testing::make_quote(dcap_.processor, o);
  }

  void set_tdreport(const dcap::Td10Report& body) {
    f_.hcl.hw_report = tdreport_of(body);
    f_.hcl_bytes = serialize(f_.hcl);
  }

  Result<VerifiedAzureCvm> run() {
    HardwareRoots roots;
    roots.dcap = &verifier_;
    roots.tdx_collateral = &collateral_;
    log_ = evidence::CheckLog();
    return verify(
        roots, AzureCvmEvidence{f_.hcl_bytes, f_.quote, std::nullopt, ByteSpan(td_quote_)},
        VerifyOptions{::vouch::testing::kDcapTestNow, kNonce, sevsnp::RevocationMode::kSkip}, log_);
  }

  ::vouch::testing::DcapFixture dcap_ = ::vouch::testing::DcapFixture::create();
  dcap::Verifier verifier_ = dcap_.verifier();
  dcap::QuoteCollateral collateral_ =
      dcap_.collateral(dcap::TeeKind::kTdx, dcap::PckCaType::kProcessor);
  ::vouch::testing::AzureCvmFixture f_ =
      ::vouch::testing::make_azure_cvm(AmdProduct::kMilan, kNonce);
  Bytes td_quote_;
  dcap::Td10Report body_;
  evidence::CheckLog log_;
};

TEST_F(AzureTdx, TdQuoteTdReportAndVtpmQuoteVerify) {
  auto v = run();
  ASSERT_THAT(v, Succeeds());
  EXPECT_TRUE(v->is_tdx());
  EXPECT_EQ(v->td_quote().report().mr_td, body_.mr_td);
  const claims::ClaimSet c = to_claims(*v);
  const auto& tee = *c.get("x-ms-isolation-tee")->as_map();
  EXPECT_EQ(*tee.at("x-ms-attestation-type").as_string(), "tdxvm");
  EXPECT_TRUE(tee.contains("tdx_mrtd"));
  EXPECT_TRUE(tee.at("x-ms-runtime").as_map()->contains("keys"));
  EXPECT_EQ(*c.get("azure.hcl.report_type")->as_string(), "tdx");
  EXPECT_TRUE(c.contains("dcap.tcb_status"));
  EXPECT_TRUE(*c.get("azure.vtpm.nonce_checked")->as_bool());
  EXPECT_EQ(*c.get("tpm.quote.nonce")->as_bytes(), kNonce);
}

TEST_F(AzureTdx, TdReportMustEqualTheQuotesBody) {
  dcap::Td10Report other = body_;
  other.rtmr[2][0] ^= 1;
  set_tdreport(other);
  EXPECT_THAT(run(), FailsWith(ErrorKind::kEvidenceRejected, checks::kTdReportMismatch));
  other = body_;
  other.mr_td[47] ^= 1;
  set_tdreport(other);
  EXPECT_THAT(run(), FailsWith(ErrorKind::kEvidenceRejected, checks::kTdReportMismatch));
  // Not a TDX TDREPORT at all.
  f_.hcl.hw_report = tdreport_of(body_);
  f_.hcl.hw_report[0] = 0;
  f_.hcl_bytes = serialize(f_.hcl);
  EXPECT_THAT(run(), FailsWith(ErrorKind::kMalformedEvidence, checks::kTdReport));
}

TEST_F(AzureTdx, ReportDataMustBindTheRuntimeClaims) {
  // A quote (and TDREPORT) binding something else.
  td_quote_ = quote_binding(Bytes(64, 0x11));
  body_ = *dcap::td_body(dcap::parse_quote(td_quote_).value().quote);
  set_tdreport(body_);
  EXPECT_THAT(run(), FailsWith(ErrorKind::kEvidenceRejected, checks::kTdxReportData));
  // Runtime claims changed after the TD reported them.
  SetUp();
  f_.hcl_bytes[0x4D4 + 3] ^= 1;
  EXPECT_THAT(run(), FailsWith(ErrorKind::kEvidenceRejected, checks::kTdxReportData));
}

TEST_F(AzureTdx, TheTdQuoteIsVerifiedThroughDcap) {
  td_quote_[48 + 136] ^= 1;  // MRTD in the signed body: DCAP refuses it before any comparison
  EXPECT_THAT(run(), FailsWith(ErrorKind::kEvidenceRejected, dcap::checks::kQuoteSignature));
  SetUp();
  collateral_.tcb_info.reset();
  EXPECT_THAT(run(), FailsWith(ErrorKind::kEvidenceRejected, dcap::checks::kCollateralMissing));
  SetUp();
  evidence::CheckLog log;
  EXPECT_THAT(
      verify(HardwareRoots{},
             AzureCvmEvidence{f_.hcl_bytes, f_.quote, std::nullopt, ByteSpan(td_quote_)},
             VerifyOptions{::vouch::testing::kDcapTestNow, kNonce, sevsnp::RevocationMode::kSkip},
             log),
      FailsWith(ErrorKind::kCollateralUnavailable, checks::kTdxNoVerifier));
}

TEST_F(AzureTdx, AzureGuestTdxRequestVerifiesWithTheTdQuoteAlone) {
  GuestAttestationInfo g = guest_of(f_);
  g.isolation.type = IsolationType::kTdx;
  g.isolation.snp_report.clear();
  g.isolation.vcek_cert_chain.clear();
  g.isolation.td_quote = td_quote_;
  HardwareRoots roots;
  roots.dcap = &verifier_;
  roots.tdx_collateral = &collateral_;
  evidence::CheckLog log;
  auto v = verify_guest(roots, g,
                        GuestVerifyOptions{::vouch::testing::kDcapTestNow, std::nullopt,
                                           sevsnp::RevocationMode::kSkip},
                        log);
  ASSERT_THAT(v, Succeeds());
  EXPECT_EQ(*to_claims(*v).get("azure.hcl.report_type")->as_string(), "tdx");
  // RunTimeData the TD did not report.
  g.isolation.runtime_data.push_back(' ');
  EXPECT_THAT(verify_guest(roots, g,
                           GuestVerifyOptions{::vouch::testing::kDcapTestNow, std::nullopt,
                                              sevsnp::RevocationMode::kSkip},
                           log),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTdxReportData));
}

}  // namespace
}  // namespace vouch::azure_cvm
