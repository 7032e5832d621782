#include "testing/dcap_builder.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/dcap/overloaded.h"
#include "evidence/dcap/signed_json.h"

namespace vouch::testing {
namespace {

template <typename T>
T must(Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "dcap builder: %s\n", r.error().to_string().c_str());
    std::abort();
  }
  return std::move(*r);
}

// Signs `msg` with ECDSA P-256 / SHA-256 and returns raw r || s.
std::array<std::uint8_t, 64> sign_raw(const crypto::PrivateKey& key, ByteSpan msg) {
  const Bytes der = must(key.sign(crypto::SigScheme::kEcdsa, crypto::HashAlg::kSha256, msg));
  const Bytes raw = must(crypto::ecdsa_der_to_raw(der, 32));
  std::array<std::uint8_t, 64> out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

constexpr std::array<std::uint8_t, 16> kIntelQeVendorId = {
    0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

template <std::size_t N>
std::array<std::uint8_t, N> filled(std::uint8_t v) {
  std::array<std::uint8_t, N> a{};
  a.fill(v);
  return a;
}

}  // namespace

dcap::PckExtensions default_pck_extensions(dcap::PckCaType ca) {
  dcap::PckExtensions ext;
  ext.ppid = filled<16>(0x11);
  ext.tcb.sgx_svns = {kComponentForUpToDate, 10, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0};
  ext.tcb.pce_svn = 13;
  ext.tcb.cpu_svn = ext.tcb.sgx_svns;
  ext.pce_id = {0x00, 0x00};
  ext.fmspc = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  ext.sgx_type =
      ca == dcap::PckCaType::kPlatform ? dcap::SgxType::kScalable : dcap::SgxType::kStandard;
  if (ca == dcap::PckCaType::kPlatform) {
    ext.platform_instance_id = filled<16>(0x22);
    ext.configuration = dcap::PlatformConfiguration{true, false, true};
  }
  return ext;
}

dcap::EnclaveReport default_qe_report(dcap::TeeKind tee) {
  dcap::EnclaveReport r;
  r.cpu_svn = filled<16>(0x0a);
  r.attributes = {0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0};
  r.mr_enclave = filled<32>(0x33);
  r.mr_signer = filled<32>(tee == dcap::TeeKind::kTdx ? 0xdc : 0x8c);
  r.isv_prod_id = tee == dcap::TeeKind::kTdx ? 2 : 1;
  r.isv_svn = kQeSvnUpToDate;
  return r;
}

FakePlatform make_platform(const FakeIntelPki& pki, dcap::PckCaType ca,
                           const std::function<void(dcap::PckExtensions&)>& tweak,
                           const FakeIntelPki::PckOptions& pck_options) {
  dcap::PckExtensions ext = default_pck_extensions(ca);
  if (tweak) {
    tweak(ext);
  }
  crypto::PrivateKey pck_key = must(crypto::PrivateKey::generate_ec(crypto::Curve::kP256));
  crypto::Certificate pck = pki.issue_pck(pck_key.public_key(), ext, ca, pck_options);
  FakePlatform p{ca,
                 ext,
                 pck_key,
                 pck,
                 to_pem(pck) + pki.pck_ca_chain_pem(ca),
                 must(crypto::PrivateKey::generate_ec(crypto::Curve::kP256)),
                 default_qe_report(dcap::TeeKind::kSgx),
                 Bytes(32, 0x5a)};
  return p;
}

dcap::EnclaveReport default_enclave_report() {
  dcap::EnclaveReport r;
  r.cpu_svn = filled<16>(0x0a);
  r.attributes = {0x05, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0};
  r.mr_enclave = filled<32>(0xe1);
  r.mr_signer = filled<32>(0xe2);
  r.isv_prod_id = 7;
  r.isv_svn = 3;
  r.report_data = filled<64>(0xd0);
  return r;
}

dcap::Td10Report default_td10_report() {
  dcap::Td10Report r;
  r.tee_tcb_svn = {kModuleSvnUpToDate, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  r.mr_seam = filled<48>(0x5e);
  r.td_attributes = {0, 0, 0, 0x10, 0, 0, 0, 0};  // SEPT_VE_DISABLE
  r.xfam = {0xe7, 0x02, 0x06, 0, 0, 0, 0, 0};
  r.mr_td = filled<48>(0x7d);
  for (std::size_t i = 0; i < r.rtmr.size(); ++i) {
    r.rtmr[i] = filled<48>(static_cast<std::uint8_t>(0xa0 + i));
  }
  r.report_data = filled<64>(0xd1);
  return r;
}

dcap::Td15Report default_td15_report() {
  dcap::Td15Report r;
  r.base = default_td10_report();
  r.tee_tcb_svn2 = r.base.tee_tcb_svn;
  return r;
}

Bytes make_quote(const FakePlatform& p, const QuoteOptions& o) {
  const bool tdx = o.tee == dcap::TeeKind::kTdx;
  dcap::QuoteHeader h;
  h.version = o.version;
  h.att_key_type = dcap::kAttestationKeyEcdsaP256;
  h.tee_type = tdx ? dcap::kTeeTypeTdx : dcap::kTeeTypeSgx;
  h.qe_svn = tdx ? 0 : kQeSvnUpToDate;
  h.pce_svn = tdx ? 0 : p.pck_extensions.tcb.pce_svn;
  h.qe_vendor_id = kIntelQeVendorId;
  dcap::QuoteAuthData auth;
  const crypto::PublicKey ak = p.attestation_key.public_key();
  const Bytes x = ak.ec_x();
  const Bytes y = ak.ec_y();
  std::copy(x.begin(), x.end(), auth.attestation_key.begin());
  std::copy(y.begin(), y.end(), auth.attestation_key.begin() + 32);
  auth.qe.qe_report = tdx ? default_qe_report(dcap::TeeKind::kTdx) : p.qe_report;
  auth.qe.qe_auth_data = p.qe_auth_data;
  auth.qe.certification_data = o.certification_data.value_or(dcap::CertificationData{
      dcap::kCertDataPckChain, Bytes(p.pck_chain_pem.begin(), p.pck_chain_pem.end())});

  dcap::Quote quote;
  if (o.version == 3) {
    quote = dcap::QuoteV3{h, default_enclave_report(), auth};
  } else if (o.version == 4) {
    dcap::QuoteV4 q{h, default_enclave_report(), auth};
    if (tdx) {
      q.body = default_td10_report();
    }
    quote = q;
  } else {
    dcap::QuoteV5 q{h, default_enclave_report(), auth};
    if (tdx) {
      if (o.td15) {
        q.body = default_td15_report();
      } else {
        q.body = default_td10_report();
      }
    }
    quote = q;
  }
  if (o.tweak) {
    o.tweak(quote);
  }
  auto& a = std::visit([](auto& q) -> dcap::QuoteAuthData& { return q.auth; }, quote);
  if (o.bind_qe_report) {
    crypto::Hasher hasher(crypto::HashAlg::kSha256);
    hasher.update(a.attestation_key).update(a.qe.qe_auth_data);
    const Bytes digest = hasher.finish();
    a.qe.qe_report.report_data.fill(0);
    std::copy(digest.begin(), digest.end(), a.qe.qe_report.report_data.begin());
  }
  a.qe.qe_report_signature = sign_raw(p.pck_key, dcap::serialize(a.qe.qe_report));
  Bytes bytes = dcap::serialize(quote);
  const dcap::ParsedQuote parsed = must(dcap::parse_quote(bytes));
  a.signature = sign_raw(p.attestation_key, ByteSpan(bytes).first(parsed.layout.signed_len));
  bytes = dcap::serialize(quote);
  append(bytes, o.padding);
  return bytes;
}

dcap::TcbInfo default_tcb_info(dcap::TeeKind tee, const dcap::PckExtensions& pck) {
  dcap::TcbInfo info;
  const bool tdx = tee == dcap::TeeKind::kTdx;
  info.id = tdx ? dcap::TcbInfoId::kTdx : dcap::TcbInfoId::kSgx;
  info.issue_date = kDcapIssued;
  info.next_update = kDcapNextUpdate;
  info.fmspc = pck.fmspc;
  info.pce_id = pck.pce_id;
  info.tcb_evaluation_data_number = 17;
  const struct {
    std::uint8_t component;
    dcap::TcbStatus status;
    const char* advisory;
  } kLevels[] = {
      {kComponentForUpToDate, dcap::TcbStatus::kUpToDate, nullptr},
      {kComponentForSwHardeningNeeded, dcap::TcbStatus::kSwHardeningNeeded, "INTEL-SA-00615"},
      {kComponentForConfigurationNeeded, dcap::TcbStatus::kConfigurationNeeded, "INTEL-SA-00289"},
      {kComponentForConfigurationAndSwHardeningNeeded,
       dcap::TcbStatus::kConfigurationAndSwHardeningNeeded, "INTEL-SA-00289"},
      {kComponentForOutOfDate, dcap::TcbStatus::kOutOfDate, "INTEL-SA-00828"},
      {kComponentForOutOfDateConfigurationNeeded, dcap::TcbStatus::kOutOfDateConfigurationNeeded,
       "INTEL-SA-00828"},
      {kComponentForRevoked, dcap::TcbStatus::kRevoked, "INTEL-SA-00106"},
  };
  int day = 0;
  for (const auto& l : kLevels) {
    dcap::TcbLevel level;
    level.sgx_svns = {l.component, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    level.pce_svn = 10;
    if (tdx) {
      level.tdx_svns = std::array<std::uint8_t, 16>{0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    }
    level.tcb_date = kDcapIssued - std::chrono::days(30 * ++day);
    level.status = l.status;
    if (l.advisory != nullptr) {
      level.advisory_ids.emplace_back(l.advisory);
    }
    info.levels.push_back(level);
  }
  if (tdx) {
    info.tdx_module = dcap::TdxModule{{}, {}, filled<8>(0xff)};
    dcap::TdxModuleIdentity id;
    id.id = "TDX_01";
    id.attributes_mask = filled<8>(0xff);
    id.levels = {
        {kModuleSvnUpToDate, kDcapIssued - std::chrono::days(10), dcap::TcbStatus::kUpToDate, {}},
        {kModuleSvnOutOfDate,
         kDcapIssued - std::chrono::days(100),
         dcap::TcbStatus::kOutOfDate,
         {"INTEL-SA-01036"}},
        {kModuleSvnRevoked,
         kDcapIssued - std::chrono::days(400),
         dcap::TcbStatus::kRevoked,
         {"INTEL-SA-01099"}},
    };
    info.tdx_module_identities.push_back(id);
  }
  return info;
}

dcap::EnclaveIdentity default_qe_identity(dcap::TeeKind tee) {
  const dcap::EnclaveReport qe = default_qe_report(tee);
  dcap::EnclaveIdentity e;
  e.id = tee == dcap::TeeKind::kTdx ? dcap::EnclaveIdentityId::kTdQe : dcap::EnclaveIdentityId::kQe;
  e.issue_date = kDcapIssued;
  e.next_update = kDcapNextUpdate;
  e.tcb_evaluation_data_number = 17;
  e.miscselect = {0, 0, 0, 0};
  e.miscselect_mask = filled<4>(0xff);
  e.attributes = {0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  e.attributes_mask = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
  e.mrsigner = qe.mr_signer;
  e.isv_prod_id = qe.isv_prod_id;
  e.levels = {
      {kQeSvnUpToDate, kDcapIssued - std::chrono::days(10), dcap::TcbStatus::kUpToDate, {}},
      {kQeSvnOutOfDate,
       kDcapIssued - std::chrono::days(100),
       dcap::TcbStatus::kOutOfDate,
       {"INTEL-SA-00615"}},
      {kQeSvnRevoked,
       kDcapIssued - std::chrono::days(400),
       dcap::TcbStatus::kRevoked,
       {"INTEL-SA-00477"}},
  };
  return e;
}

std::string tcb_info_body(const dcap::TcbInfo& info) {
  return dcap::to_json(info);
}

std::string enclave_identity_body(const dcap::EnclaveIdentity& identity) {
  return dcap::to_json(identity);
}

collateral::IntelSignedJson sign_json(const FakeIntelPki& pki, std::string_view body_key,
                                      const std::string& body) {
  dcap::SignedJson sj;
  sj.body = body;
  sj.signature = sign_raw(pki.tcb_signing_key, as_bytes(body));
  return collateral::IntelSignedJson{dcap::join_signed_json(body_key, sj),
                                     pki.tcb_signing_chain_pem()};
}

dcap::QuoteCollateral make_collateral(const FakeIntelPki& pki, dcap::TeeKind tee,
                                      const dcap::TcbInfo& tcb_info,
                                      const dcap::EnclaveIdentity& qe_identity, dcap::PckCaType ca,
                                      const CollateralOptions& o) {
  (void)tee;
  dcap::QuoteCollateral c;
  c.tcb_info = sign_json(pki, "tcbInfo", tcb_info_body(tcb_info));
  c.qe_identity = sign_json(pki, "enclaveIdentity", enclave_identity_body(qe_identity));
  c.pck_crl = collateral::IntelCrl{
      crl_to_der(pki.pck_crl(ca, o.revoked_pcks, o.crl_this_update, o.crl_next_update)),
      pki.pck_ca_chain_pem(ca)};
  c.root_ca_crl = collateral::IntelCrl{
      crl_to_der(pki.root_crl(o.revoked_cas, o.crl_this_update, o.crl_next_update)), {}};
  return c;
}

DcapFixture DcapFixture::create() {
  FakeIntelPki pki = FakeIntelPki::create();
  FakePlatform processor = make_platform(pki, dcap::PckCaType::kProcessor);
  FakePlatform platform = make_platform(pki, dcap::PckCaType::kPlatform);
  return DcapFixture{std::move(pki), std::move(processor), std::move(platform)};
}

dcap::QuoteCollateral DcapFixture::collateral(dcap::TeeKind tee, dcap::PckCaType ca) const {
  return make_collateral(pki, tee, default_tcb_info(tee, of(ca).pck_extensions),
                         default_qe_identity(tee), ca);
}

dcap::Verifier DcapFixture::verifier() const {
  return must(dcap::Verifier::with_roots({pki.root}));
}

}  // namespace vouch::testing
