#pragma once

// A fake AMD SEV-SNP PKI shaped like the real one (ARK RSA-4096 -> ASK/ASVK RSA-4096 -> VCEK/VLEK
// P-384, RSASSA-PSS with SHA-384, AMD's subject names, the KDS extensions) and a builder of real
// signed SNP reports, so the production verifier runs unchanged against injected anchors.
// Test only: never linked into apps/.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/time.h"
#include "collateral/amd_types.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/sevsnp/abi.h"
#include "evidence/sevsnp/verify.h"

namespace vouch::testing {

using collateral::AmdKeyKind;
using collateral::AmdProduct;

// VekSpec describes one VCEK or VLEK; every field defaults to a well-formed certificate, and each
// test overrides one aspect to make one defect.
struct VekSpec {
  AmdKeyKind kind = AmdKeyKind::kVcek;
  std::optional<std::string> product_name;  // default: Milan-B0, Genoa, Turin
  std::uint64_t tcb = 0;                    // REPORTED_TCB it certifies (product layout)
  collateral::ChipId chip_id{};             // hwID source (VCEK)
  bool hwid_tagged = false;                 // wrap the hwID in an OCTET STRING (the "new" form)
  bool omit_hwid = false;
  std::string csp_id = "vouch-test-csp";  // VLEK
  bool add_hwid_to_vlek = false;
  std::optional<std::string> subject_cn;                 // default SEV-VCEK / SEV-VLEK
  Timestamp not_before = from_unix_seconds(1672531200);  // 2023-01-01
  Timestamp not_after = from_unix_seconds(1893456000);   // 2030-01-01
  std::vector<int> omit_spl;                             // SPL extension indices (3.<n>) left out
  bool sign_with_pkcs1 = false;                          // sign with PKCS#1 v1.5 instead of PSS
  bool p256_key = false;                                 // a P-256 key instead of P-384
  long serial = 0;
};

struct FakeVek {
  crypto::PrivateKey key;
  crypto::Certificate cert;
};

// FakeAmdPki is one product's ARK, ASK and ASVK (keys committed under testing/, TEST ONLY).
class FakeAmdPki {
 public:
  // The PKI of `product`, built once per process.
  static const FakeAmdPki& get(AmdProduct product);

  AmdProduct product() const noexcept { return product_; }
  const crypto::Certificate& ark() const noexcept { return ark_; }
  const crypto::Certificate& ask() const noexcept { return ask_; }
  const crypto::Certificate& asvk() const noexcept { return asvk_; }
  const crypto::PrivateKey& ark_key() const noexcept { return ark_key_; }

  // The default productName and CPUID (family, model, stepping) of the product.
  std::string default_product_name() const;
  sevsnp::Cpuid cpuid() const;

  // Issues a VCEK or VLEK under the ASK or ASVK (a fresh P-384 key each time).
  FakeVek issue_vek(const VekSpec& spec) const;
  // A CRL signed by the ARK (RSASSA-PSS) listing `revoked` serials.
  crypto::Crl issue_crl(const std::vector<long>& revoked, Timestamp this_update,
                        Timestamp next_update) const;
  // DER of a CRL (for collateral sources).
  static Bytes crl_der(const crypto::Crl& crl);
  // The KDS cert_chain body: the ASK (or ASVK) then the ARK, PEM.
  std::string chain_pem(AmdKeyKind kind) const;
  // The roots: the ARK with the ASK and ASVK known (or the ARK alone).
  sevsnp::ProductRoots roots(bool with_intermediates = true) const;

  // Anchors trusting the fake PKIs of `products`.
  static sevsnp::TrustAnchors anchors(const std::vector<AmdProduct>& products,
                                      bool with_intermediates = true);
  // A self-signed ARK-<Product> with another key (trusted by nobody).
  crypto::Certificate other_ark() const;

 private:
  explicit FakeAmdPki(AmdProduct p);
  AmdProduct product_;
  crypto::PrivateKey ark_key_;
  crypto::PrivateKey ask_key_;
  crypto::PrivateKey asvk_key_;
  crypto::Certificate ark_;
  crypto::Certificate ask_;
  crypto::Certificate asvk_;
};

// A well-formed report of `version` for `product`, signed by nothing yet (signature zero):
// policy 0x30000 (SMT), VMPL 0, all TCBs = `tcb`, a fixed chip id and measurement.
sevsnp::Report default_report(AmdProduct product, std::uint32_t version, std::uint64_t tcb,
                              AmdKeyKind kind = AmdKeyKind::kVcek);
// The chip id default_report uses.
collateral::ChipId test_chip_id();
// Serializes `report` and signs [0, 0x2A0) with `key` (ECDSA P-384/SHA-384, raw little-endian
// r||s), returning the 1184 bytes.
Bytes sign_report(sevsnp::Report report, const crypto::PrivateKey& key);

// A Milan/Genoa TCB (bl, tee, snp, ucode) or Turin TCB (fmc, bl, tee, snp, ucode).
std::uint64_t test_tcb(AmdProduct product);

}  // namespace vouch::testing
