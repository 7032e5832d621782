#include "evidence/dcap/crl.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace vouch::dcap {

bool crl_covers(const crypto::Crl& crl, const crypto::Certificate& cert) {
  return X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(cert.get())) == 0;
}

Status verify_crl_issuer(const crypto::Crl& crl, const crypto::Certificate& issuer, CheckId check) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer.get())) != 0) {
    return rejected(
        check, "the CRL is issued by '" + crl.issuer() + "', not by '" + issuer.subject() + "'");
  }
  if ((X509_get_extension_flags(issuer.get()) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(issuer.get()) & KU_CRL_SIGN) == 0) {
    return rejected(check, "'" + issuer.subject() + "' may not sign CRLs (no cRLSign key usage)");
  }
  const int num = X509_CRL_get_ext_count(crl.get());
  for (int i = 0; i < num; ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl.get(), i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (X509_EXTENSION_get_critical(ext) == 1 && nid != NID_crl_number &&
        nid != NID_authority_key_identifier) {
      return rejected(check, "the CRL has an unhandled critical extension");
    }
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  if (key == nullptr || X509_CRL_verify(crl.get(), key) != 1) {
    ERR_clear_error();
    return rejected(check, "the CRL's signature does not verify with '" + issuer.subject() + "'");
  }
  return ok();
}

Status check_not_revoked(const crypto::Crl& crl, const crypto::Certificate& cert, CheckId check) {
  if (!crl_covers(crl, cert)) {
    return ok();
  }
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_cert(crl.get(), &entry, cert.get()) == 1) {
    return rejected(check,
                    "'" + cert.subject() + "' is revoked by the CRL of '" + crl.issuer() + "'");
  }
  return ok();
}

}  // namespace vouch::dcap
