#pragma once

#include <functional>

#include "crypto/keys.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/verify.h"

namespace vouch::testing {

// SoftwareAk is an attestation key held in software: its private key and the TPM public area a
// real TPM would report for it. It signs TPMS_ATTEST bytes exactly as a TPM does, so the
// production verifier runs unchanged over fixtures made with it.
struct SoftwareAk {
  crypto::PrivateKey key;
  tpm::Public pub;
  tpm::Ak ak;
};

// Default AK attributes: fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, restricted,
// sign (what tpm2_createak sets).
std::uint32_t default_ak_attributes();

// Makes an RSA-2048 (RSASSA-SHA256) or ECC P-256 (ECDSA-SHA256) AK with the given attributes.
SoftwareAk make_software_ak(bool ecc, std::uint32_t attributes = default_ak_attributes());

// QuoteFixture is a signed quote with the PCR values it covers.
struct QuoteFixture {
  tpm::Attest attest;
  Bytes quote;      // serialized TPMS_ATTEST
  Bytes signature;  // serialized TPMT_SIGNATURE
  tpm::PcrValues pcrs;
};

// Builds and signs a quote over `pcrs` (every PCR of every bank given is selected) with `nonce`
// as extraData. `tweak` may change the TPMS_ATTEST before it is signed.
QuoteFixture make_quote(const SoftwareAk& ak, ByteSpan nonce, const tpm::PcrValues& pcrs,
                        const std::function<void(tpm::Attest&)>& tweak = {});

// Re-signs (after the caller changed fixture.attest).
void resign(const SoftwareAk& ak, QuoteFixture& fixture);

}  // namespace vouch::testing
