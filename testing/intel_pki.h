#pragma once

// A fake Intel SGX PKI, structurally identical to the real one (STYLE B7): "Intel SGX Root CA" ->
// "Intel SGX PCK Processor CA" / "Intel SGX PCK Platform CA" -> "Intel SGX PCK Certificate" leaves
// with the SGX extension (1.2.840.113741.1.13.1), and "Intel SGX TCB Signing" under the root,
// which signs TCB Info and QE identity JSON. CRLs as Intel issues them. Keys are generated per
// instance (P-256); verdicts never depend on their values.

#include <string>
#include <vector>

#include "base/time.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "evidence/dcap/pck.h"

namespace vouch::testing {

// Serial numbers the fake PKI uses (for revocation tests).
inline constexpr long kProcessorCaSerial = 2;
inline constexpr long kPlatformCaSerial = 3;
inline constexpr long kTcbSigningSerial = 4;

struct FakeIntelPki {
  crypto::PrivateKey root_key;
  crypto::Certificate root;
  crypto::PrivateKey processor_ca_key;
  crypto::Certificate processor_ca;
  crypto::PrivateKey platform_ca_key;
  crypto::Certificate platform_ca;
  crypto::PrivateKey tcb_signing_key;
  crypto::Certificate tcb_signing;

  // Builds the PKI; certificates are valid 2020-01-01 .. 2050-01-01.
  static FakeIntelPki create();

  // Issues a PCK certificate for `key` under the processor or platform CA with `ext` as its SGX
  // extension (omit_extension leaves it out; subject_cn overrides "Intel SGX PCK Certificate").
  struct PckOptions {
    long serial = 100;
    Timestamp not_before = from_unix_seconds(1577836800);  // 2020-01-01
    Timestamp not_after = from_unix_seconds(2524608000);   // 2050-01-01
    std::string subject_cn = "Intel SGX PCK Certificate";
    bool omit_extension = false;
    Bytes raw_extension;  // when non-empty, used instead of serialize(ext)
  };
  crypto::Certificate issue_pck(const crypto::PublicKey& key, const dcap::PckExtensions& ext,
                                dcap::PckCaType ca, const PckOptions& options) const;
  crypto::Certificate issue_pck(const crypto::PublicKey& key, const dcap::PckExtensions& ext,
                                dcap::PckCaType ca) const {
    return issue_pck(key, ext, ca, PckOptions{});
  }

  // CRLs: the root CA CRL (lists revoked CA / TCB Signing serials) and a PCK CA's CRL.
  crypto::Crl root_crl(const std::vector<long>& revoked, Timestamp this_update,
                       Timestamp next_update) const;
  crypto::Crl pck_crl(dcap::PckCaType ca, const std::vector<long>& revoked, Timestamp this_update,
                      Timestamp next_update) const;

  const crypto::Certificate& ca(dcap::PckCaType type) const {
    return type == dcap::PckCaType::kPlatform ? platform_ca : processor_ca;
  }
  const crypto::PrivateKey& ca_key(dcap::PckCaType type) const {
    return type == dcap::PckCaType::kPlatform ? platform_ca_key : processor_ca_key;
  }
  // PEM chains as PCS serves them: TCB Signing + root; PCK CA + root.
  std::string tcb_signing_chain_pem() const;
  std::string pck_ca_chain_pem(dcap::PckCaType ca) const;
};

// PEM encoding of a certificate or CRL.
std::string to_pem(const crypto::Certificate& cert);
std::string crl_to_pem(const crypto::Crl& crl);
Bytes crl_to_der(const crypto::Crl& crl);

}  // namespace vouch::testing
