// Compact JWE parsing and decryption: any bytes. A parsed JWE re-encodes to exactly the input;
// decryption with a fixed key runs every header and length check and the library's unwrap on
// hostile input.
#include <cstdlib>
#include <string>

#include "base/encoding.h"
#include "crypto/keys.h"
#include "jose/encryption.h"

namespace {

const vouch::crypto::PrivateKey& key() {
  static const vouch::crypto::PrivateKey k = [] {
    auto generated = vouch::crypto::PrivateKey::generate_ec(vouch::crypto::Curve::kP256);
    if (!generated) {
      std::abort();
    }
    return *generated;
  }();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string jwe(reinterpret_cast<const char*>(data), size);  // NOLINT: fuzzer input
  auto parts = vouch::jose::parse_jwe_compact(jwe);
  if (parts) {
    using vouch::base64url_encode;
    const std::string again = parts->header_b64 + "." + base64url_encode(parts->encrypted_key) +
                              "." + base64url_encode(parts->iv) + "." +
                              base64url_encode(parts->ciphertext) + "." +
                              base64url_encode(parts->tag);
    if (again != jwe) {
      std::abort();
    }
  }
  (void)vouch::jose::jwe_decrypt_compact(jwe, key());
  return 0;
}
