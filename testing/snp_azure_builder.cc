#include "testing/snp_azure_builder.h"

#include <cstdio>
#include <cstdlib>

#include "base/byte_writer.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"

namespace vouch::testing {

AzureCvmFixture make_azure_cvm(AmdProduct product, ByteSpan nonce,
                               const std::function<void(nlohmann::json&)>& edit_runtime) {
  const FakeAmdPki& pki = FakeAmdPki::get(product);
  AzureCvmFixture f{pki.issue_vek({}), make_software_ak(false), {}, {}, {}, {}, to_bytes(nonce)};
  VekSpec spec;
  spec.tcb = test_tcb(product);
  spec.chip_id = test_chip_id();
  f.vek = pki.issue_vek(spec);

  nlohmann::json ak = crypto::public_key_to_jwk(f.ak.key.public_key());
  ak["kid"] = "HCLAkPub";
  ak["key_ops"] = {"sign"};
  nlohmann::json ek = crypto::public_key_to_jwk(f.ak.key.public_key());
  ek["kid"] = "HCLEkPub";
  ek["key_ops"] = {"encrypt"};
  f.runtime = {{"keys", {ak, ek}},
               {"vm-configuration",
                {{"console-enabled", true},
                 {"secure-boot", true},
                 {"tpm-enabled", true},
                 {"vmUniqueId", "911B0EF8-9DBA-48B0-B275-4E4DF2D39252"}}},
               {"user-data", std::string(128, '0')}};
  if (edit_runtime) {
    edit_runtime(f.runtime);
  }
  const std::string text = f.runtime.dump();
  f.hcl.runtime_claims.assign(text.begin(), text.end());
  f.hcl.padding = 2600 - azure_cvm::kIgvmOffset - azure_cvm::kIgvmHeaderSize - text.size();

  sevsnp::Report r = default_report(product, 3, spec.tcb);
  const Bytes rd = azure_cvm::expected_report_data(f.hcl);
  std::copy(rd.begin(), rd.end(), r.report_data.begin());
  f.hcl.hw_report = sign_report(r, f.vek.key);
  f.hcl_bytes = azure_cvm::serialize(f.hcl);

  tpm::PcrValues pcrs;
  for (std::uint32_t i = 0; i < 24; ++i) {
    pcrs[crypto::HashAlg::kSha256][i] =
        crypto::digest(crypto::HashAlg::kSha256, Bytes{static_cast<std::uint8_t>(i)});
  }
  const QuoteFixture q = make_quote(f.ak, nonce, pcrs);
  auto sig = tpm::parse_signature(q.signature);
  if (!sig) {
    std::abort();
  }
  f.quote.message = q.quote;
  f.quote.signature = sig->rsa;
  for (std::uint32_t i = 0; i < 24; ++i) {
    f.quote.pcrs.push_back(pcrs[crypto::HashAlg::kSha256][i]);
  }
  return f;
}

std::string tpm_quote_json(const azure_cvm::TpmQuote& quote) {
  nlohmann::json j;
  j["signature"] = hex_encode(quote.signature);
  j["message"] = hex_encode(quote.message);
  j["pcrs"] = nlohmann::json::array();
  for (const Bytes& p : quote.pcrs) {
    j["pcrs"].push_back(hex_encode(p));
  }
  return j.dump(2);
}

std::string vcek_chain_pem(const AzureCvmFixture& f, AmdProduct product) {
  const std::string b64 = base64_encode(f.vek.cert.der());
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  out += "-----END CERTIFICATE-----\n";
  return out + FakeAmdPki::get(product).chain_pem(collateral::AmdKeyKind::kVcek);
}

azure_cvm::GuestAttestationInfo make_azure_guest(const AzureCvmFixture& f,
                                                 std::string vcek_chain_pem) {
  azure_cvm::GuestAttestationInfo g;
  g.protocol_version = "2.0";
  g.os_type = "Linux";
  g.os_distro = "Ubuntu";
  g.os_build = "NotApplication";
  g.os_version_major = 22;
  g.os_version_minor = 4;
  g.client_payload["nonce"] = "MTIzNA==";
  ByteWriter ak;
  ak.u16be_prefixed(tpm::serialize(f.ak.pub));
  g.tpm.aik_pub = std::move(ak).take();
  g.tpm.pcr_quote = f.quote.message;
  g.tpm.pcr_signature = f.quote.signature;
  for (std::uint32_t i = 0; i < f.quote.pcrs.size(); ++i) {
    g.tpm.pcr_set.push_back(i);
    g.tpm.pcrs.push_back({i, f.quote.pcrs[i]});
  }
  g.isolation.type = azure_cvm::IsolationType::kSevSnp;
  g.isolation.snp_report = f.hcl.hw_report;
  g.isolation.vcek_cert_chain = std::move(vcek_chain_pem);
  g.isolation.runtime_data = f.hcl.runtime_claims;
  return g;
}

}  // namespace vouch::testing
