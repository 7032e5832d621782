#pragma once

// Revocation with Intel's two CRLs (the root CA CRL and the PCK Processor/Platform CA CRL).
//
// Chains are verified by crypto::verify_chain without CRLs; the CRLs are then applied here: each
// CRL's signature is verified once with its issuer's key, and certificates are looked up by issuer
// and serial number. OpenSSL's X509_verify_cert re-verifies a CRL's signature for every
// certificate it covers (five to six ECDSA verifications per quote for Intel's chains, about half
// of the cost of an uncached verification); see docs/adr/0008-dcap.md. These helpers belong in
// crypto/ next to verify_chain and can move there unchanged.

#include "base/result.h"
#include "crypto/x509.h"

namespace vouch::dcap {

// Checks that `crl` was issued by `issuer`: issuer name equal to the certificate's subject, the
// certificate allowed to sign CRLs (keyUsage cRLSign when keyUsage is present), no critical CRL
// extension Vouch does not handle, and the signature verifies with the certificate's key. Fails
// with kEvidenceRejected / `check`.
[[nodiscard]] Status verify_crl_issuer(const crypto::Crl& crl, const crypto::Certificate& issuer,
                                       CheckId check);

// Fails with kEvidenceRejected / `check` when `cert` is listed on `crl`. `crl` must come from the
// certificate's issuer (verify_crl_issuer and a matching issuer name); other certificates pass.
[[nodiscard]] Status check_not_revoked(const crypto::Crl& crl, const crypto::Certificate& cert,
                                       CheckId check);

// Whether `crl` is issued by the issuer of `cert` (names compared exactly).
bool crl_covers(const crypto::Crl& crl, const crypto::Certificate& cert);

}  // namespace vouch::dcap
