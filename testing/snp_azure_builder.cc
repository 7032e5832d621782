#include "testing/snp_azure_builder.h"

#include <cstdio>
#include <cstdlib>

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

}  // namespace vouch::testing
