#include "testing/intel_pki.h"

#include <openssl/x509.h>

#include <cstdlib>

#include "base/encoding.h"
#include "testing/test_pki.h"

namespace vouch::testing {
namespace {

crypto::PrivateKey new_key() {
  auto k = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  if (!k) {
    std::abort();
  }
  return *k;
}

std::string pem_block(std::string_view type, ByteSpan der) {
  const std::string b64 = base64_encode(der);
  std::string out = "-----BEGIN " + std::string(type) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out += b64.substr(i, 64) + "\n";
  }
  out += "-----END " + std::string(type) + "-----\n";
  return out;
}

CertSpec ca_spec(std::string cn, long serial) {
  CertSpec spec;
  spec.common_name = std::move(cn);
  spec.is_ca = true;
  spec.serial = serial;
  return spec;
}

}  // namespace

FakeIntelPki FakeIntelPki::create() {
  crypto::PrivateKey root_key = new_key();
  const crypto::Certificate root =
      issue_certificate(ca_spec("Intel SGX Root CA", 1), root_key.public_key(), root_key, nullptr);
  crypto::PrivateKey processor_key = new_key();
  crypto::PrivateKey platform_key = new_key();
  crypto::PrivateKey tcb_key = new_key();
  const crypto::Certificate processor =
      issue_certificate(ca_spec("Intel SGX PCK Processor CA", kProcessorCaSerial),
                        processor_key.public_key(), root_key, &root);
  const crypto::Certificate platform =
      issue_certificate(ca_spec("Intel SGX PCK Platform CA", kPlatformCaSerial),
                        platform_key.public_key(), root_key, &root);
  CertSpec tcb_spec;
  tcb_spec.common_name = "Intel SGX TCB Signing";
  tcb_spec.serial = kTcbSigningSerial;
  const crypto::Certificate tcb =
      issue_certificate(tcb_spec, tcb_key.public_key(), root_key, &root);
  return FakeIntelPki{root_key,     root,     processor_key, processor,
                      platform_key, platform, tcb_key,       tcb};
}

crypto::Certificate FakeIntelPki::issue_pck(const crypto::PublicKey& key,
                                            const dcap::PckExtensions& ext, dcap::PckCaType type,
                                            const PckOptions& options) const {
  CertSpec spec;
  spec.common_name = options.subject_cn;
  spec.serial = options.serial;
  spec.not_before = options.not_before;
  spec.not_after = options.not_after;
  if (!options.omit_extension) {
    const Bytes value =
        options.raw_extension.empty() ? dcap::serialize(ext) : options.raw_extension;
    spec.extensions.push_back({std::string(dcap::kSgxExtensionOid), "DER:" + hex_encode(value)});
  }
  return issue_certificate(spec, key, ca_key(type), &ca(type));
}

crypto::Crl FakeIntelPki::root_crl(const std::vector<long>& revoked, Timestamp this_update,
                                   Timestamp next_update) const {
  return issue_crl(root, root_key, revoked, this_update, next_update);
}

crypto::Crl FakeIntelPki::pck_crl(dcap::PckCaType type, const std::vector<long>& revoked,
                                  Timestamp this_update, Timestamp next_update) const {
  return issue_crl(ca(type), ca_key(type), revoked, this_update, next_update);
}

std::string FakeIntelPki::tcb_signing_chain_pem() const {
  return to_pem(tcb_signing) + to_pem(root);
}

std::string FakeIntelPki::pck_ca_chain_pem(dcap::PckCaType type) const {
  return to_pem(ca(type)) + to_pem(root);
}

std::string to_pem(const crypto::Certificate& cert) {
  return pem_block("CERTIFICATE", cert.der());
}

Bytes crl_to_der(const crypto::Crl& crl) {
  unsigned char* buf = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &buf);
  if (len <= 0) {
    std::abort();
  }
  Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  return der;
}

std::string crl_to_pem(const crypto::Crl& crl) {
  return pem_block("X509 CRL", crl_to_der(crl));
}

}  // namespace vouch::testing
