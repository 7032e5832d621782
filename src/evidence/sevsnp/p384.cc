// wolfCrypt is confined to this file: its headers must not meet OpenSSL's in one translation
// unit (wolfSSL's OpenSSL compatibility macros would clash).
#include "evidence/sevsnp/p384.h"

#include <wolfssl/options.h>
#include <wolfssl/version.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "crypto/check_ids.h"
#include "evidence/sevsnp/check_ids.h"

namespace vouch::sevsnp {
namespace {

// ecc_key is initialised and freed on every path (wc_ecc_free is safe after wc_ecc_init).
class WolfKey {
 public:
  WolfKey() noexcept : ok_(wc_ecc_init(&key_) == 0) {}
  ~WolfKey() {
    if (ok_) {
      wc_ecc_free(&key_);
    }
  }
  WolfKey(const WolfKey&) = delete;
  WolfKey& operator=(const WolfKey&) = delete;
  bool ok() const noexcept { return ok_; }
  ecc_key* get() noexcept { return &key_; }

 private:
  ecc_key key_{};
  bool ok_;
};

}  // namespace

Result<P384PublicKey> p384_public_key(const crypto::PublicKey& key) {
  if (key.type() != crypto::KeyType::kEc || key.curve() != crypto::Curve::kP384) {
    return fail(ErrorKind::kEvidenceRejected, crypto::checks::kKeyUnsupported,
                "not an EC P-384 public key");
  }
  const Bytes x = key.ec_x();
  const Bytes y = key.ec_y();
  P384PublicKey out;
  if (x.size() != out.x.size() || y.size() != out.y.size()) {
    return fail(ErrorKind::kEvidenceRejected, crypto::checks::kKeyUnsupported,
                "EC P-384 coordinates have the wrong size");
  }
  std::copy(x.begin(), x.end(), out.x.begin());
  std::copy(y.begin(), y.end(), out.y.begin());
  return out;
}

Status verify_p384_digest(const P384PublicKey& key, ByteSpan digest, ByteSpan der_sig) {
  WolfKey k;
  if (!k.ok() ||
      wc_ecc_import_unsigned(k.get(), key.x.data(), key.y.data(), nullptr, ECC_SECP384R1) != 0) {
    return rejected(checks::kReportSignature, "the P-384 key cannot be imported");
  }
  int verified = 0;
  const int rc =
      wc_ecc_verify_hash(der_sig.data(), static_cast<word32>(der_sig.size()), digest.data(),
                         static_cast<word32>(digest.size()), &verified, k.get());
  if (rc != 0 || verified != 1) {
    return rejected(checks::kReportSignature,
                    "the ECDSA P-384 signature does not verify with the VCEK/VLEK key");
  }
  return ok();
}

std::string_view p384_backend() noexcept {
  return "wolfCrypt " LIBWOLFSSL_VERSION_STRING;
}

}  // namespace vouch::sevsnp
