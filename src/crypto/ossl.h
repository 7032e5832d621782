#pragma once

// OpenSSL ownership: every owning OpenSSL pointer lives in an ossl::Ptr<T>, wrapped in the same
// expression that created it (C++ Core Guidelines R.12; BoringSSL's bssl::UniquePtr pattern).

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

#include "base/result.h"

namespace vouch::ossl {

template <typename T>
struct Free;

#define VOUCH_OSSL_FREE(T, fn)                      \
  template <>                                       \
  struct Free<T> {                                  \
    void operator()(T* p) const noexcept { fn(p); } \
  }
VOUCH_OSSL_FREE(EVP_PKEY, EVP_PKEY_free);
VOUCH_OSSL_FREE(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
VOUCH_OSSL_FREE(EVP_MD_CTX, EVP_MD_CTX_free);
VOUCH_OSSL_FREE(EVP_MD, EVP_MD_free);
VOUCH_OSSL_FREE(EVP_CIPHER_CTX, EVP_CIPHER_CTX_free);
VOUCH_OSSL_FREE(EVP_MAC, EVP_MAC_free);
VOUCH_OSSL_FREE(EVP_MAC_CTX, EVP_MAC_CTX_free);
VOUCH_OSSL_FREE(X509, X509_free);
VOUCH_OSSL_FREE(X509_CRL, X509_CRL_free);
VOUCH_OSSL_FREE(X509_STORE, X509_STORE_free);
VOUCH_OSSL_FREE(X509_STORE_CTX, X509_STORE_CTX_free);
VOUCH_OSSL_FREE(X509_VERIFY_PARAM, X509_VERIFY_PARAM_free);
VOUCH_OSSL_FREE(ECDSA_SIG, ECDSA_SIG_free);
VOUCH_OSSL_FREE(BIGNUM, BN_free);
VOUCH_OSSL_FREE(BN_CTX, BN_CTX_free);
VOUCH_OSSL_FREE(BIO, BIO_free);
VOUCH_OSSL_FREE(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
VOUCH_OSSL_FREE(OSSL_PARAM, OSSL_PARAM_free);
VOUCH_OSSL_FREE(ASN1_OBJECT, ASN1_OBJECT_free);
VOUCH_OSSL_FREE(ASN1_TIME, ASN1_TIME_free);
VOUCH_OSSL_FREE(EC_GROUP, EC_GROUP_free);
VOUCH_OSSL_FREE(EC_POINT, EC_POINT_free);
#undef VOUCH_OSSL_FREE

// STACK_OF(X509) owns its elements.
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
struct X509CrlStackFree {
  void operator()(STACK_OF(X509_CRL) * s) const noexcept { sk_X509_CRL_pop_free(s, X509_CRL_free); }
};

template <typename T>
using Ptr = std::unique_ptr<T, Free<T>>;
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackFree>;
using X509CrlStack = std::unique_ptr<STACK_OF(X509_CRL), X509CrlStackFree>;

// Takes an extra reference (bssl::UpRef): the only way to share an X509 or EVP_PKEY.
inline Ptr<X509> up_ref(X509* x) {
  X509_up_ref(x);
  return Ptr<X509>(x);
}
inline Ptr<EVP_PKEY> up_ref(EVP_PKEY* k) {
  EVP_PKEY_up_ref(k);
  return Ptr<EVP_PKEY>(k);
}

// Drains the OpenSSL error queue into a short string (for Error::detail only; callers test the
// return value of the OpenSSL call, never the queue).
std::string drain_errors();

// Builds an Error whose detail is `what` plus the drained OpenSSL error queue.
Error take_error(ErrorKind kind, CheckId check, std::string what);

}  // namespace vouch::ossl
