#pragma once

#include <string>
#include <vector>

#include "base/time.h"
#include "crypto/keys.h"
#include "crypto/x509.h"

namespace vouch::testing {

// CertSpec describes one certificate of a test PKI; fields default to a plain CA-signed leaf.
struct CertSpec {
  std::string common_name = "Vouch Test Leaf";
  bool is_ca = false;
  Timestamp not_before = from_unix_seconds(1577836800);  // 2020-01-01
  Timestamp not_after = from_unix_seconds(2524608000);   // 2050-01-01
  long serial = 1;
  // Extra extensions as (OID or short name, value in OpenSSL config syntax, critical).
  struct Extension {
    std::string name;
    std::string value;
    bool critical = false;
  };
  std::vector<Extension> extensions;
};

// Issues a certificate for `subject_key` signed by `issuer_key`; `issuer` nullptr makes it
// self-signed. Aborts the test on failure (test PKIs are not under test).
crypto::Certificate issue_certificate(const CertSpec& spec, const crypto::PublicKey& subject_key,
                                      const crypto::PrivateKey& issuer_key,
                                      const crypto::Certificate* issuer);

// Issues a CRL by `issuer` revoking `revoked_serials`, valid from this_update to next_update.
crypto::Crl issue_crl(const crypto::Certificate& issuer, const crypto::PrivateKey& issuer_key,
                      const std::vector<long>& revoked_serials, Timestamp this_update,
                      Timestamp next_update);

// TestPki is a three-level chain (root CA -> intermediate CA -> leaves), mimicking the vendor
// chains that sign AK, EK and attestation certificates.
struct TestPki {
  crypto::PrivateKey root_key;
  crypto::Certificate root;
  crypto::PrivateKey intermediate_key;
  crypto::Certificate intermediate;

  static TestPki create(const std::string& name);
  // Issues a leaf for key under the intermediate.
  crypto::Certificate issue_leaf(const crypto::PublicKey& key, CertSpec spec = {}) const;
  crypto::TrustStore anchors() const;
};

}  // namespace vouch::testing
