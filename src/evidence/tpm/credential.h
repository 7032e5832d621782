#pragma once

// Enrolment helpers for a verifier that trusts an AK because a known EK vouches for it:
// MakeCredential (TPM 2.0 Part 1, 24) binds a secret to the AK's Name under the EK, and only the
// TPM holding both keys can recover it with ActivateCredential.

#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/tpm/abi.h"

namespace vouch::tpm {

// CredentialChallenge is MakeCredential's output.
struct CredentialChallenge {
  Bytes id_object;         // TPM2B_ID_OBJECT contents: TPM2B_DIGEST(integrityHMAC) || encIdentity
  Bytes encrypted_secret;  // TPM2B_ENCRYPTED_SECRET contents (OAEP ciphertext or TPMS_ECC_POINT)

  // The file tpm2_makecredential writes and tpm2_activatecredential reads: magic 0xBADCC0DE,
  // version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
  Bytes tpm2_tools_blob() const;
};

// Makes a credential for the object named `ak_name` (nameAlg || digest) protected by the EK `ek`
// (RSA with OAEP, or ECC with ECDH on the EK's curve; AES-CFB symmetric as the EK declares).
// `secret` is at most the EK nameAlg's digest size. The seed comes from `random` (RSA EKs) so
// tests can pin it. Errors: tpm.credential (kInvalidArgument) for unusable inputs.
[[nodiscard]] Result<CredentialChallenge> make_credential(const Public& ek, ByteSpan ak_name,
                                                          ByteSpan secret, crypto::Random& random);

// Verifies an EK certificate: it chains to `anchors` at `at` (tpm.ek.certificate.chain) and
// certifies exactly the EK public key (tpm.ek.certificate.key). Returns the chain, leaf first.
[[nodiscard]] Result<std::vector<crypto::Certificate>> verify_ek_certificate(
    const crypto::Certificate& ek_cert, const crypto::PublicKey& ek_key,
    const crypto::TrustStore& anchors, const std::vector<crypto::Certificate>& intermediates,
    Timestamp at);

}  // namespace vouch::tpm
