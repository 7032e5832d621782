#pragma once

// The AMD KDS certificate profile: what a VCEK or VLEK (and its ASK/ASVK and ARK) must look like,
// and the KDS X.509 extensions (OIDs 1.3.6.1.4.1.3704.1.*) that tie a VCEK to a chip and a TCB.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "collateral/amd_types.h"
#include "crypto/x509.h"
#include "evidence/sevsnp/p384.h"

namespace vouch::sevsnp {

// VekExtensions are the KDS extensions of a VCEK or VLEK.
struct VekExtensions {
  collateral::AmdKeyKind kind = collateral::AmdKeyKind::kVcek;
  std::uint8_t struct_version = 0;    // 1.3.6.1.4.1.3704.1.1
  std::string product_name;           // .1.2 ("Milan-B0", "Genoa", "Turin")
  std::map<int, std::uint8_t> spl;    // .1.3.<n>: 1 bl, 2 tee, 3 snp, 4-7 reserved,
                                      //           8 ucode, 9 fmc (Turin)
  std::optional<Bytes> hwid;          // .1.4 (VCEK: 64 bytes, Turin 8)
  std::optional<std::string> csp_id;  // .1.5 (VLEK: the cloud provider)
};

// Decodes the KDS extensions of `cert` as a certificate of `kind`. Fails with snp.vek.profile
// (kEvidenceRejected) on a missing or malformed required extension, a VCEK without hwID or with a
// CSP id, a VLEK without CSP id or with a hwID, or an SPL outside 0-255.
[[nodiscard]] Result<VekExtensions> parse_vek_extensions(const crypto::Certificate& cert,
                                                         collateral::AmdKeyKind kind);

// The VEK's P-384 public key, read from its SubjectPublicKeyInfo (an uncompressed point). Fails
// with snp.vek.profile for any other key.
[[nodiscard]] Result<P384PublicKey> vek_public_key(const crypto::Certificate& cert);

// The TCB_VERSION a VEK certifies, composed from its SPL extensions in `product`'s layout.
// Fails with snp.vek.tcb when a required SPL is missing.
[[nodiscard]] Result<std::uint64_t> vek_tcb(const VekExtensions& ext,
                                            collateral::AmdProduct product);

// Checks the names, algorithms and keys of a verified chain [VEK, ASK/ASVK, ARK] against the KDS
// profile for `product` and `kind`: subject CNs SEV-VCEK/SEV-VLEK, SEV-<Product>/
// SEV-VLEK-<Product>, ARK-<Product>; RSASSA-PSS with SHA-384 signatures; RSA-4096 ASK and ARK;
// an EC P-384 VEK. Fails with snp.vek.profile.
// `subject_cns` are the chain's subject CNs when the caller already knows them.
[[nodiscard]] Status check_vek_profile(const std::vector<crypto::Certificate>& chain,
                                       collateral::AmdProduct product, collateral::AmdKeyKind kind,
                                       const std::vector<std::string>* subject_cns = nullptr);

// The common name in an RFC 2253 subject ("CN=SEV-VCEK,O=..." -> "SEV-VCEK"), or empty.
std::string common_name(const std::string& rfc2253);

// The subject CN AMD gives the VEK of `kind` ("SEV-VCEK"/"SEV-VLEK"), its issuer for `product`
// ("SEV-Milan"/"SEV-VLEK-Milan") and the product's root ("ARK-Milan").
std::string vek_common_name(collateral::AmdKeyKind kind);
std::string intermediate_common_name(collateral::AmdProduct product, collateral::AmdKeyKind kind);
std::string ark_common_name(collateral::AmdProduct product);

}  // namespace vouch::sevsnp
