#include "evidence/dcap/p256.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>

namespace vouch::dcap {

Result<crypto::PublicKey> p256_from_raw(ByteSpan xy, CheckId check) {
  if (xy.size() != 64) {
    return rejected(check, "a P-256 key is 64 bytes x || y");
  }
  std::array<unsigned char, 65> point{};
  point[0] = 0x04;  // uncompressed
  std::copy(xy.begin(), xy.end(), point.begin() + 1);
  char group[] = "prime256v1";
  const std::array<OSSL_PARAM, 3> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end(),
  };
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY,
                        const_cast<OSSL_PARAM*>(params.data())) != 1) {  // NOLINT: OpenSSL API
    ERR_clear_error();
    return rejected(check, "the attestation key is not a point on P-256");
  }
  return crypto::PublicKey::adopt(raw);
}

}  // namespace vouch::dcap
