#pragma once

#include <optional>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keys.h"
#include "evidence/tpm/abi.h"

namespace vouch::tpm {

// Ak is an attestation key as the verifier received it: the key itself, and the TPM public area
// when it was supplied (which lets the verifier check the key's attributes and compute its Name).
struct Ak {
  crypto::PublicKey key;
  std::optional<Public> tpm_public;
};

// Loads an AK from a TPMT_PUBLIC, a TPM2B_PUBLIC, or a PEM/DER SubjectPublicKeyInfo, telling them
// apart by content. Errors: tpm.ak.parse when it is none of them, otherwise the failing parser's
// check (tpm.public.*, crypto.key.*) with the offset.
[[nodiscard]] Result<Ak> load_ak(ByteSpan data);
// The name a verifier registers an AK under: SHA-256 of its SubjectPublicKeyInfo, so the same key
// matches whether it arrives as a TPM public area or as a plain public key.
[[nodiscard]] Result<Bytes> registration_name(const Ak& ak);

// Builds an Ak from a parsed TPM public area.
[[nodiscard]] Result<Ak> ak_from_public(Public pub);

}  // namespace vouch::tpm
