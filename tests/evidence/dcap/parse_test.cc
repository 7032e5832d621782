// Parsers of the DCAP module: quotes (every version, round trips, truncation, real captures), the
// PCK certificate's SGX extension, the PCS signed-JSON envelope, TCB Info and QE identity.

#include <gtest/gtest.h>

#include "base/encoding.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/pck.h"
#include "evidence/dcap/qe_identity.h"
#include "evidence/dcap/quote.h"
#include "evidence/dcap/signed_json.h"
#include "evidence/dcap/tcb.h"
#include "evidence/dcap/tcb_info.h"
#include "testing/dcap_builder.h"
#include "testing/matchers.h"
#include "testing/vectors.h"

namespace vouch::dcap {
namespace {

using testing::FailsWith;
using testing::Succeeds;

const testing::DcapFixture& fixture() {
  static const testing::DcapFixture f = testing::DcapFixture::create();
  return f;
}

std::vector<Bytes> every_version() {
  std::vector<Bytes> out;
  for (auto [tee, version, td15] : {std::tuple{TeeKind::kSgx, 3, false},
                                    {TeeKind::kSgx, 4, false},
                                    {TeeKind::kSgx, 5, false},
                                    {TeeKind::kTdx, 4, false},
                                    {TeeKind::kTdx, 5, false},
                                    {TeeKind::kTdx, 5, true}}) {
    testing::QuoteOptions o;
    o.tee = tee;
    o.version = static_cast<std::uint16_t>(version);
    o.td15 = td15;
    out.push_back(testing::make_quote(fixture().platform, o));
  }
  return out;
}

TEST(DcapQuoteParse, EveryVersionRoundTrips) {
  for (const Bytes& q : every_version()) {
    auto p = parse_quote(q);
    ASSERT_THAT(p, Succeeds());
    EXPECT_EQ(serialize(p->quote), q);
    EXPECT_EQ(p->layout.used_len, q.size());
    EXPECT_EQ(serialize(auth_of(p->quote).qe.qe_report),
              Bytes(q.begin() + static_cast<std::ptrdiff_t>(p->layout.qe_report_offset),
                    q.begin() + static_cast<std::ptrdiff_t>(p->layout.qe_report_offset + 384)));
    const auto& qe = auth_of(p->quote).qe;
    EXPECT_EQ(parse_qe_report_certification_data(serialize(qe)).value(), qe);
  }
}

TEST(DcapQuoteParse, EveryTruncationFails) {
  for (const Bytes& q : every_version()) {
    for (std::size_t n = 0; n < q.size(); ++n) {
      auto p = parse_quote(ByteSpan(q).first(n));
      ASSERT_FALSE(p.has_value()) << n;
      EXPECT_EQ(p.error().kind, ErrorKind::kMalformedEvidence);
    }
  }
}

TEST(DcapQuoteParse, SizeFieldsAreChecked) {
  const Bytes v5 = every_version()[5];  // TD 1.5 body
  Bytes b = v5;
  b[50] = static_cast<std::uint8_t>(b[50] - 1);  // body_size 647 for type 3
  EXPECT_THAT(parse_quote(b), FailsWith(ErrorKind::kMalformedEvidence, checks::kQuoteBodyType));
  b = v5;
  b[48] = 4;  // unknown body type
  EXPECT_THAT(parse_quote(b), FailsWith(ErrorKind::kMalformedEvidence, checks::kQuoteBodyType));
  Bytes v4 = every_version()[3];
  v4[4] = 0x80;
  EXPECT_THAT(parse_quote(v4), FailsWith(ErrorKind::kMalformedEvidence, checks::kQuoteTeeType));
  // A v3 quote must be SGX.
  Bytes v3 = every_version()[0];
  v3[4] = 0x81;
  EXPECT_THAT(parse_quote(v3), FailsWith(ErrorKind::kMalformedEvidence, checks::kQuoteTeeType));
  // The QE report's reserved bytes, and the QE report certification data's inner type.
  Bytes qe = every_version()[0];
  qe[564 + 20] = 1;
  EXPECT_THAT(parse_quote(qe), FailsWith(ErrorKind::kMalformedEvidence, checks::kQuoteReserved));
  // Inside the QE report certification data only types 1-5 may appear (offset 1046 in v3:
  // 564 + 384 report + 64 signature + 2 + 32 auth data).
  for (int type : {0, 6, 7}) {
    Bytes cd = every_version()[0];
    cd[1046] = static_cast<std::uint8_t>(type);
    EXPECT_THAT(parse_quote(cd),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kCertificationData));
  }
}

TEST(DcapQuoteParse, RealQuotesParseWithTheirPaddingAndRoundTrip) {
  VOUCH_REQUIRE_VECTORS();
  // MANIFEST appendix A: file bytes and bytes used by the quote.
  const struct {
    const char* file;
    std::size_t used;
  } kQuotes[] = {
      {"sgx/dcap-qvl/sgx_quote", 4600},
      {"sgx/trustee/occlum_quote.dat", 4733},
      {"tokens/azure-sdk-for-cpp-maa/OpenEnclaveQuote.sgx_quote.derived.bin", 4584},
      {"tdx/dcap-qvl/tdx_quote", 4936},
      {"tdx/dcap-qvl/tdx_quote_outdated", 5006},
      {"tdx/go-tdx-guest/tdx_prod_quote_SPR_E4.dat", 4935},
      {"tdx/go-tdx-guest/quote_v5_sample.dat", 5006},
      {"tdx/trustee/tdx_quote_4.dat", 4936},
      {"tdx/trustee/tdx_quote_5.dat", 5006},
      {"tdx/trustee/tdx_quote_6.dat", 4936},
      {"tdx/teekit/tdx-v4-azure.derived.bin", 4940},
      {"tdx/teekit/tdx-v4-gcp.quote.derived.bin", 4935},
      {"azure-cvm/trustee-az-tdx-vtpm/td-quote.bin", 4936},
      {"eventlog/go-tdx-guest-ccel/cos-113-tdx-quote.dat", 4935},
  };
  for (const auto& k : kQuotes) {
    SCOPED_TRACE(k.file);
    const Bytes b = testing::read_vector(k.file);
    auto p = parse_quote(b);
    ASSERT_THAT(p, Succeeds());
    EXPECT_EQ(p->layout.used_len, k.used);
    EXPECT_EQ(serialize(p->quote),
              Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(k.used)));
    // Cutting the used bytes short is truncation, never a shorter valid quote.
    EXPECT_FALSE(parse_quote(ByteSpan(b).first(k.used - 1)).has_value());
  }
}

// --- PCK extension ---

TEST(DcapPckExtensions, RoundTripAndRealCertificates) {
  for (const auto* p : {&fixture().processor, &fixture().platform}) {
    const Bytes der = serialize(p->pck_extensions);
    auto back = parse_pck_extensions(der);
    ASSERT_THAT(back, Succeeds());
    EXPECT_EQ(*back, p->pck_extensions);
    EXPECT_EQ(read_pck_certificate(p->pck_certificate)->extensions, p->pck_extensions);
  }
}

TEST(DcapPckExtensions, RealPckCertificatesDecode) {
  VOUCH_REQUIRE_VECTORS();
  for (const char* file : {"sgx/dcap-qvl/sgx_quote", "tdx/dcap-qvl/tdx_quote"}) {
    SCOPED_TRACE(file);
    const Bytes b = testing::read_vector(file);
    const auto q = parse_quote(b).value();
    auto certs = crypto::Certificate::parse_bundle(auth_of(q.quote).qe.certification_data.data);
    ASSERT_THAT(certs, Succeeds());
    auto pck = read_pck_certificate(certs->front());
    ASSERT_THAT(pck, Succeeds());
    EXPECT_EQ(serialize(pck->extensions), certs->front().extension_value(kSgxExtensionOid).value());
    if (std::string(file).find("sgx") != std::string::npos) {
      EXPECT_EQ(pck->ca, PckCaType::kProcessor);
      EXPECT_EQ(hex_encode(pck->extensions.fmspc), "00a067110000");
      EXPECT_EQ(pck->extensions.tcb.pce_svn, 13);
      EXPECT_FALSE(pck->extensions.configuration);
    } else {
      EXPECT_EQ(pck->ca, PckCaType::kPlatform);
      EXPECT_EQ(hex_encode(pck->extensions.fmspc), "b0c06f000000");
      EXPECT_EQ(pck->extensions.tcb.pce_svn, 11);
      ASSERT_TRUE(pck->extensions.configuration);
      EXPECT_TRUE(pck->extensions.platform_instance_id);
    }
  }
}

TEST(DcapPckExtensions, MalformedDerIsRejected) {
  const Bytes good = serialize(fixture().platform.pck_extensions);
  auto fails = [](const Bytes& b) {
    EXPECT_THAT(parse_pck_extensions(b),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kPckExtensions));
  };
  fails({});
  fails(Bytes(good.begin(), good.end() - 1));  // truncated
  Bytes trailing = good;
  trailing.push_back(0);
  fails(trailing);
  Bytes tag = good;
  tag[0] = 0x31;  // SET instead of SEQUENCE
  fails(tag);
  fails({0x30, 0x80, 0x00, 0x00});              // indefinite length
  fails({0x30, 0x81, 0x03, 0x02, 0x01, 0x01});  // long form for a short length
  // PPID (.1) missing: the first member is the TCB.
  PckExtensions e = fixture().processor.pck_extensions;
  const Bytes der = serialize(e);
  const std::size_t ppid_len = 2 + der[3];  // SEQUENCE { OID .1, OCTET STRING(16) }
  Bytes no_ppid = {0x30, static_cast<std::uint8_t>(der[1] - ppid_len)};
  no_ppid.insert(no_ppid.end(), der.begin() + 2 + static_cast<std::ptrdiff_t>(ppid_len), der.end());
  fails(no_ppid);
  // An SGX type outside 0-2, and a BOOLEAN that is not 00/FF.
  Bytes bad_type = good;
  const Bytes type_member = {0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf8,
                             0x4d, 0x01, 0x0d, 0x01, 0x05, 0x0a, 0x01};
  auto at = std::search(bad_type.begin(), bad_type.end(), type_member.begin(), type_member.end());
  ASSERT_NE(at, bad_type.end());
  *(at + static_cast<std::ptrdiff_t>(type_member.size())) = 3;
  fails(bad_type);
  Bytes bad_bool = good;
  const std::uint8_t kBoolTrue[] = {0x01, 0x01, 0xff};
  auto b =
      std::search(bad_bool.begin(), bad_bool.end(), std::begin(kBoolTrue), std::end(kBoolTrue));
  ASSERT_NE(b, bad_bool.end());
  *(b + 2) = 0x01;
  fails(bad_bool);
}

// --- signed JSON envelope ---

TEST(DcapSignedJson, SplitKeepsTheExactBodyBytes) {
  const std::string sig(128, 'a');
  const std::string body = "{ \"id\" : \"SGX\",\n \"x\": [1, {\"y\": \"}\\\"\"}] }";
  auto sj = split_signed_json(" {\"tcbInfo\": " + body + " , \"signature\":\"" + sig + "\"}\n",
                              "tcbInfo", checks::kTcbInfoFormat);
  ASSERT_THAT(sj, Succeeds());
  EXPECT_EQ(sj->body, body);
  EXPECT_EQ(hex_encode(sj->signature), sig);
  // Either member order.
  EXPECT_THAT(split_signed_json("{\"signature\":\"" + sig + "\",\"tcbInfo\":{}}", "tcbInfo",
                                checks::kTcbInfoFormat),
              Succeeds());
}

TEST(DcapSignedJson, MalformedEnvelopesAreRejected) {
  const std::string sig = "\"" + std::string(128, 'a') + "\"";
  const std::vector<std::string> bads = {
      std::string("[]"),
      "{\"tcbInfo\":{}}",
      "{\"signature\":" + sig + "}",
      "{\"tcbInfo\":{},\"tcbInfo\":{},\"signature\":" + sig + "}",
      "{\"tcbInfo\":{},\"signature\":" + sig + ",\"extra\":1}",
      "{\"tcbInfo\":{},\"signature\":" + sig + "} trailing",
      "{\"tcbInfo\":[],\"signature\":" + sig + "}",
      "{\"tcbInfo\":{},\"signature\":\"abcd\"}",
      "{\"tcbInfo\":{\"a\":},\"signature\":" + sig + "}",
      "{\"tcbInfo\":{\"a\":1"};
  for (const std::string& bad : bads) {
    EXPECT_THAT(split_signed_json(bad, "tcbInfo", checks::kTcbInfoFormat),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kTcbInfoFormat))
        << bad;
  }
}

// --- TCB Info and QE identity ---

TEST(DcapTcbInfo, RoundTripsThroughJson) {
  for (TeeKind tee : {TeeKind::kSgx, TeeKind::kTdx}) {
    const TcbInfo info = testing::default_tcb_info(tee, fixture().processor.pck_extensions);
    auto back = parse_tcb_info(to_json(info));
    ASSERT_THAT(back, Succeeds());
    EXPECT_EQ(*back, info);
    const EnclaveIdentity id = testing::default_qe_identity(tee);
    auto id_back = parse_enclave_identity(to_json(id));
    ASSERT_THAT(id_back, Succeeds());
    EXPECT_EQ(*id_back, id);
  }
}

TEST(DcapTcbInfo, MalformedBodiesAreRejected) {
  const std::string good =
      to_json(testing::default_tcb_info(TeeKind::kTdx, fixture().processor.pck_extensions));
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  for (const std::string& bad :
       {with("\"version\":3", "\"version\":2"), with("\"tcbType\":0", "\"tcbType\":1"),
        with("\"id\":\"TDX\"", "\"id\":\"XYZ\""),
        with("\"fmspc\":\"00906ED50000\"", "\"fmspc\":\"0090\""),
        with("\"pceId\":\"0000\"", "\"pceId\":0"), with("{\"svn\":10}", "{\"svn\":256}"),
        with("{\"svn\":10}", "{\"svn\":-1}"), with("{\"svn\":10}", "{\"svn\":1.5}"),
        with("\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"Fine\""),
        with("\"tcbDate\":\"", "\"tcbDate\":\"x"), with("\"issueDate\"", "\"issued\""),
        with("{\"svn\":10},", ""), with("\"tdxModule\"", "\"tdxModul\""),
        with("\"tcbLevels\":[{\"tcb\":{\"isvsvn\":3}",
             "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":3},\"tcbStatus\":\"SWHardeningNeeded\"}"),
        std::string("[]"), std::string("{")}) {
    EXPECT_THAT(parse_tcb_info(bad),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kTcbInfoFormat))
        << bad.substr(0, 120);
  }
  // An SGX TCB Info must not carry TDX module data.
  std::string sgx =
      to_json(testing::default_tcb_info(TeeKind::kSgx, fixture().processor.pck_extensions));
  sgx.insert(sgx.find("\"tcbLevels\""), "\"tdxModule\":{},");
  EXPECT_THAT(parse_tcb_info(sgx),
              FailsWith(ErrorKind::kMalformedEvidence, checks::kTcbInfoFormat));
}

TEST(DcapQeIdentity, MalformedBodiesAreRejected) {
  const std::string good = to_json(testing::default_qe_identity(TeeKind::kSgx));
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  for (const std::string& bad :
       {with("\"id\":\"QE\"", "\"id\":\"PCE\""), with("\"version\":2", "\"version\":1"),
        with("\"miscselect\":\"00000000\"", "\"miscselect\":\"000000\""),
        with("\"isvprodid\":1", "\"isvprodid\":65536"),
        with("\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"ConfigurationNeeded\""),
        with("\"mrsigner\"", "\"mrSigner\""), std::string("null")}) {
    EXPECT_THAT(parse_enclave_identity(bad),
                FailsWith(ErrorKind::kMalformedEvidence, checks::kQeIdentityFormat))
        << bad.substr(0, 120);
  }
}

TEST(DcapTcbInfo, RealTcbInfosParse) {
  VOUCH_REQUIRE_VECTORS();
  for (const char* file :
       {"tdx/go-tdx-guest/sample_tcbInfo_response", "tdx/go-tdx-guest/sample_tcbinfo_response_v5",
        "tdx/trustee/tcbInfo.json", "tdx/teekit/tcbInfo-tdx-00806f050000.json",
        "tdx/teekit/tcbInfo-tdx-90c06f000000.json"}) {
    SCOPED_TRACE(file);
    auto sj = split_signed_json(testing::read_vector_text(file), "tcbInfo", checks::kTcbInfoFormat);
    ASSERT_THAT(sj, Succeeds());
    auto info = parse_tcb_info(sj->body);
    ASSERT_THAT(info, Succeeds());
    EXPECT_EQ(info->id, TcbInfoId::kTdx);
    EXPECT_EQ(parse_tcb_info(to_json(*info)).value(), *info);
  }
  for (const char* file :
       {"tdx/go-tdx-guest/sample_qeIdentity_response", "tdx/trustee/enclaveIdentity.json"}) {
    SCOPED_TRACE(file);
    auto sj = split_signed_json(testing::read_vector_text(file), "enclaveIdentity",
                                checks::kQeIdentityFormat);
    ASSERT_THAT(sj, Succeeds());
    auto id = parse_enclave_identity(sj->body);
    ASSERT_THAT(id, Succeeds());
    EXPECT_EQ(id->id, EnclaveIdentityId::kTdQe);
  }
}

// --- TCB matching corner cases (pure functions) ---

TEST(DcapTcbMatching, TdxComponentsAreComparedFromByteTwoWithAModuleVersion) {
  TcbInfo info = testing::default_tcb_info(TeeKind::kTdx, fixture().processor.pck_extensions);
  for (TcbLevel& l : info.levels) {
    (*l.tdx_svns)[0] = 9;  // module SVN byte: ignored when TEE_TCB_SVN[1] > 0
  }
  PckTcb pck = fixture().processor.pck_extensions.tcb;
  TdxTcbInput tdx;
  tdx.tee_tcb_svn = {3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_THAT(evaluate_tcb(info, pck, &tdx, nullptr, nullptr), Succeeds());
  tdx.tee_tcb_svn[1] = 0;  // module version 0: every byte counts
  EXPECT_THAT(evaluate_tcb(info, pck, &tdx, nullptr, nullptr),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbLevel));
  tdx.tee_tcb_svn = {9, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // late microcode too old
  EXPECT_THAT(evaluate_tcb(info, pck, &tdx, nullptr, nullptr),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbLevel));
}

TEST(DcapTcbMatching, PceSvnBelowEveryLevelIsNotSupported) {
  const TcbInfo info = testing::default_tcb_info(TeeKind::kSgx, fixture().processor.pck_extensions);
  PckTcb pck = fixture().processor.pck_extensions.tcb;
  pck.pce_svn = 9;
  EXPECT_THAT(evaluate_tcb(info, pck, nullptr, nullptr, nullptr),
              FailsWith(ErrorKind::kEvidenceRejected, checks::kTcbLevel));
}

TEST(DcapTcbMatching, AdvisoriesAreMergedWithoutDuplicates) {
  const TcbInfo info = testing::default_tcb_info(TeeKind::kSgx, fixture().processor.pck_extensions);
  PckTcb pck = fixture().processor.pck_extensions.tcb;
  pck.sgx_svns[0] = testing::kComponentForSwHardeningNeeded;
  const QeIdentityEvaluation qe{TcbStatus::kOutOfDate, {}, {"INTEL-SA-00615", "INTEL-SA-00477"}};
  auto e = evaluate_tcb(info, pck, nullptr, nullptr, &qe);
  ASSERT_THAT(e, Succeeds());
  EXPECT_EQ(e->status, TcbStatus::kOutOfDate);
  EXPECT_EQ(e->level_status, TcbStatus::kSwHardeningNeeded);
  EXPECT_EQ(e->advisory_ids, (std::vector<std::string>{"INTEL-SA-00615", "INTEL-SA-00477"}));
}

}  // namespace
}  // namespace vouch::dcap
