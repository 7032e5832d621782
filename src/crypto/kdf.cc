#include "crypto/kdf.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <cstdlib>

#include "base/byte_writer.h"
#include "crypto/check_ids.h"
#include "crypto/internal.h"
#include "crypto/ossl.h"

namespace vouch::crypto {

Bytes hmac(HashAlg hash, ByteSpan key, ByteSpan data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (HMAC(internal::evp_md(hash), key.data(), static_cast<int>(key.size()), data.data(),
           data.size(), out.data(), &len) == nullptr) {
    std::abort();  // HMAC over memory with a fetched digest does not fail
  }
  out.resize(len);
  return out;
}

Bytes kdf_a(HashAlg hash, ByteSpan key, std::string_view label, ByteSpan context_u,
            ByteSpan context_v, std::size_t bits) {
  const std::size_t want = (bits + 7) / 8;
  Bytes out;
  for (std::uint32_t counter = 1; out.size() < want; ++counter) {
    ByteWriter w;
    w.u32be(counter).bytes(as_bytes(label)).u8(0).bytes(context_u).bytes(context_v);
    w.u32be(static_cast<std::uint32_t>(bits));
    append(out, hmac(hash, key, w.data()));
  }
  out.resize(want);
  return out;
}

Bytes kdf_e(HashAlg hash, ByteSpan z, std::string_view label, ByteSpan party_u, ByteSpan party_v,
            std::size_t bits) {
  const std::size_t want = (bits + 7) / 8;
  Bytes out;
  for (std::uint32_t counter = 1; out.size() < want; ++counter) {
    ByteWriter w;
    w.u32be(counter).bytes(z).bytes(as_bytes(label)).u8(0).bytes(party_u).bytes(party_v);
    append(out, digest(hash, w.data()));
  }
  out.resize(want);
  return out;
}

Result<Bytes> aes_cfb_encrypt(ByteSpan key, ByteSpan plaintext) {
  const EVP_CIPHER* cipher = nullptr;
  switch (key.size()) {
    case 16:
      cipher = EVP_aes_128_cfb128();
      break;
    case 24:
      cipher = EVP_aes_192_cfb128();
      break;
    case 32:
      cipher = EVP_aes_256_cfb128();
      break;
    default:
      return fail(ErrorKind::kInvalidArgument, checks::kInternal,
                  "AES key must be 16, 24 or 32 bytes");
  }
  const Bytes iv(16, 0);
  ossl::Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  Bytes out(plaintext.size() + 16);
  int len = 0;
  int tail = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + len, &tail) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-CFB"));
  }
  out.resize(static_cast<std::size_t>(len + tail));
  return out;
}

Result<Bytes> rsa_oaep_encrypt(const PublicKey& key, HashAlg hash, ByteSpan label,
                               ByteSpan plaintext) {
  if (key.type() != KeyType::kRsa) {
    return fail(ErrorKind::kInvalidArgument, checks::kKeyUnsupported, "OAEP needs an RSA key");
  }
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), internal::evp_md(hash)) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), internal::evp_md(hash)) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "OAEP setup"));
  }
  if (!label.empty()) {
    // OpenSSL takes ownership of the label buffer.
    void* copy = OPENSSL_memdup(label.data(), label.size());
    if (copy == nullptr ||
        EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy, static_cast<int>(label.size())) != 1) {
      OPENSSL_free(copy);
      return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "OAEP label"));
    }
  }
  std::size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "OAEP size"));
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "OAEP encrypt"));
  }
  out.resize(len);
  return out;
}

Result<Bytes> ecdh_shared_x(const PrivateKey& own, const PublicKey& peer) {
  ossl::Ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr));
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    return fail(ossl::take_error(ErrorKind::kInvalidArgument, checks::kInternal, "ECDH setup"));
  }
  Bytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "ECDH"));
  }
  out.resize(len);
  return out;
}

}  // namespace vouch::crypto
