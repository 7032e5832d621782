#include "evidence/sgx/claims.h"

#include "base/encoding.h"
#include "evidence/dcap/claims.h"

namespace vouch::sgx {
namespace {

// SGX ATTRIBUTES.FLAGS bits (the first 8 bytes, little-endian).
constexpr std::uint64_t kFlagDebug = 1u << 1;
constexpr std::uint64_t kFlagMode64Bit = 1u << 2;
constexpr std::uint64_t kFlagProvisionKey = 1u << 4;

Bytes bytes(ByteSpan b) {
  return to_bytes(b);
}

}  // namespace

claims::ClaimSet to_claims(const VerifiedQuote& quote) {
  claims::ClaimSet out;
  const dcap::EnclaveReport& r = quote.report();
  std::uint64_t flags = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    flags |= static_cast<std::uint64_t>(r.attributes[i]) << (8 * i);
  }
  const bool debug = (flags & kFlagDebug) != 0;

  out.set("sgx.mrenclave", bytes(r.mr_enclave));
  out.set("sgx.mrsigner", bytes(r.mr_signer));
  out.set("sgx.isv_prod_id", static_cast<std::int64_t>(r.isv_prod_id));
  out.set("sgx.isv_svn", static_cast<std::int64_t>(r.isv_svn));
  out.set("sgx.attributes", bytes(r.attributes));
  out.set("sgx.attributes.debug", debug);
  out.set("sgx.attributes.mode64bit", (flags & kFlagMode64Bit) != 0);
  out.set("sgx.attributes.provision_key", (flags & kFlagProvisionKey) != 0);
  out.set("sgx.misc_select", static_cast<std::int64_t>(r.misc_select));
  out.set("sgx.cpu_svn", bytes(r.cpu_svn));
  out.set("sgx.report_data", bytes(r.report_data));
  out.set("sgx.config_id", bytes(r.config_id));
  out.set("sgx.config_svn", static_cast<std::int64_t>(r.config_svn));
  out.set("sgx.isv_ext_prod_id", bytes(r.isv_ext_prod_id));
  out.set("sgx.isv_family_id", bytes(r.isv_family_id));

  out.set("x-ms-sgx-mrenclave", bytes(r.mr_enclave));
  out.set("x-ms-sgx-mrsigner", bytes(r.mr_signer));
  out.set("x-ms-sgx-product-id", static_cast<std::int64_t>(r.isv_prod_id));
  out.set("x-ms-sgx-svn", static_cast<std::int64_t>(r.isv_svn));
  out.set("x-ms-sgx-is-debuggable", debug);
  out.set("x-ms-sgx-report-data", bytes(r.report_data));
  out.set("x-ms-sgx-config-id", bytes(r.config_id));
  out.set("x-ms-sgx-config-svn", static_cast<std::int64_t>(r.config_svn));
  out.set("x-ms-sgx-isv-extended-product-id", bytes(r.isv_ext_prod_id));
  out.set("x-ms-sgx-isv-family-id", bytes(r.isv_family_id));

  dcap::add_claims(quote.dcap(), out);

  // MAA's collateral digests: hex strings; quotehash is over the OpenEnclave envelope when the
  // quote came in one (MAA hashes what /attest/OpenEnclave received).
  const dcap::CollateralDigests& d = quote.dcap().digests();
  claims::ClaimMap collateral;
  collateral["quotehash"] =
      hex_encode(quote.open_enclave() ? quote.open_enclave_digest() : d.quote);
  const std::pair<const char*, const Bytes*> items[] = {
      {"tcbinfohash", &d.tcb_info},
      {"tcbinfocertshash", &d.tcb_info_issuer_chain},
      {"tcbinfocrlhash", &d.root_ca_crl},
      {"qeidhash", &d.qe_identity},
      {"qeidcertshash", &d.qe_identity_issuer_chain},
      {"qeidcrlhash", &d.root_ca_crl},
  };
  for (const auto& [name, digest] : items) {
    if (!digest->empty()) {
      collateral[name] = hex_encode(*digest);
    }
  }
  out.set("x-ms-sgx-collateral", std::move(collateral));

  if (quote.open_enclave()) {
    out.set("oe.report_digest", quote.open_enclave_digest());
    if (!quote.open_enclave()->custom_claims.empty()) {
      claims::ClaimMap custom;
      for (const OeCustomClaim& c : quote.open_enclave()->custom_claims) {
        custom[c.name] = c.value;
      }
      out.set("oe.custom_claims", std::move(custom));
    }
  }
  return out;
}

}  // namespace vouch::sgx
