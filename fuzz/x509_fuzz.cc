// Certificate bundles (PEM or DER), CRLs and public keys: parse whatever arrives, and read the
// fields a verifier reads.
#include "crypto/x509.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vouch::ByteSpan in(data, size);
  if (auto certs = vouch::crypto::Certificate::parse_bundle(in)) {
    for (const auto& c : *certs) {
      (void)c.subject();
      (void)c.issuer();
      (void)c.not_before();
      (void)c.not_after();
      (void)c.serial();
      (void)c.extension_value("2.5.29.17");
      if (auto key = c.public_key()) {
        (void)key->spki_der();
      }
    }
  }
  if (auto crl = vouch::crypto::Crl::parse(in)) {
    (void)crl->issuer();
    (void)crl->next_update();
  }
  if (auto key = vouch::crypto::PublicKey::from_pem_or_der(in)) {
    (void)key->spki_der();
  }
  return 0;
}
