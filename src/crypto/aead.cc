#include "crypto/aead.h"

#include <openssl/evp.h>

#include <array>
#include <limits>
#include <string>

#include "crypto/check_ids.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"

namespace vouch::crypto {
namespace {

Status check_params(ByteSpan key, ByteSpan nonce) {
  if (key.size() != kAes256KeySize) {
    return fail(ErrorKind::kInvalidArgument, checks::kAeadParams,
                "AES-256-GCM key must be 32 bytes, got " + std::to_string(key.size()));
  }
  if (nonce.size() != kGcmNonceSize) {
    return fail(ErrorKind::kInvalidArgument, checks::kAeadParams,
                "AES-GCM nonce must be 12 bytes, got " + std::to_string(nonce.size()));
  }
  return ok();
}

bool fits_int(std::size_t n) {
  return n <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

}  // namespace

Result<AeadSealed> aes256_gcm_seal(ByteSpan key, ByteSpan nonce, ByteSpan plaintext, ByteSpan aad) {
  VOUCH_RETURN_IF_ERROR(check_params(key, nonce));
  if (!fits_int(plaintext.size()) || !fits_int(aad.size())) {
    return fail(ErrorKind::kInvalidArgument, checks::kAeadParams, "AES-GCM input too large");
  }
  ossl::Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM init"));
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM aad"));
  }
  AeadSealed out{to_bytes(nonce), Bytes(plaintext.size()), Bytes(kGcmTagSize)};
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.ciphertext.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM encrypt"));
  }
  // GCM is a stream mode: the final call outputs nothing, so it gets a scratch buffer.
  std::array<unsigned char, 16> scratch{};
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), scratch.data(), &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                          out.tag.data()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM final"));
  }
  return out;
}

Result<AeadSealed> aes256_gcm_seal(ByteSpan key, ByteSpan plaintext, ByteSpan aad) {
  VOUCH_TRY(const Bytes nonce, random_bytes(kGcmNonceSize));
  return aes256_gcm_seal(key, nonce, plaintext, aad);
}

Result<Bytes> aes256_gcm_open(ByteSpan key, ByteSpan nonce, ByteSpan ciphertext, ByteSpan tag,
                              ByteSpan aad) {
  VOUCH_RETURN_IF_ERROR(check_params(key, nonce));
  if (tag.size() != kGcmTagSize) {
    return fail(ErrorKind::kInvalidArgument, checks::kAeadParams,
                "AES-GCM tag must be 16 bytes, got " + std::to_string(tag.size()));
  }
  if (!fits_int(ciphertext.size()) || !fits_int(aad.size())) {
    return fail(ErrorKind::kInvalidArgument, checks::kAeadParams, "AES-GCM input too large");
  }
  ossl::Ptr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM init"));
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM aad"));
  }
  Bytes out(ciphertext.size());
  if (!ciphertext.empty() && EVP_DecryptUpdate(ctx.get(), out.data(), &len, ciphertext.data(),
                                               static_cast<int>(ciphertext.size())) != 1) {
    return fail(ossl::take_error(ErrorKind::kInternal, checks::kInternal, "AES-GCM decrypt"));
  }
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads the tag.
  Bytes tag_copy = to_bytes(tag);
  std::array<unsigned char, 16> scratch{};
  int final_len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                          tag_copy.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), scratch.data(), &final_len) != 1) {
    ossl::drain_errors();
    OPENSSL_cleanse(out.data(), out.size());
    return fail(ErrorKind::kInvalidArgument, checks::kAeadOpen,
                "AES-GCM authentication failed (wrong key, or tampered data)");
  }
  return out;
}

}  // namespace vouch::crypto
