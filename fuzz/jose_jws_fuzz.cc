// Compact JWS parsing and verification: any bytes. A parsed token re-encodes to exactly the
// input (strict base64url is canonical), and verification against a fixed key set never crashes
// and never accepts "none" or a key from the header.
#include <cstdlib>
#include <string>

#include "base/encoding.h"
#include "crypto/keys.h"
#include "jose/signature.h"

namespace {

const vouch::jose::JwkSet& keys() {
  static const vouch::jose::JwkSet set = [] {
    vouch::jose::JwkSet s;
    auto key = vouch::crypto::PrivateKey::generate_ec(vouch::crypto::Curve::kP256);
    if (!key) {
      std::abort();
    }
    s.keys.push_back(vouch::jose::Jwk{key->public_key(), "fuzz", "", "", {}});
    return s;
  }();
  return set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string token(reinterpret_cast<const char*>(data), size);  // NOLINT: fuzzer input
  auto jws = vouch::jose::parse_jws_compact(token);
  if (jws) {
    const std::string again = jws->header_b64 + "." + vouch::base64url_encode(jws->payload) + "." +
                              vouch::base64url_encode(jws->signature);
    if (again != token || jws->signing_input != token.substr(0, token.rfind('.'))) {
      std::abort();
    }
  }
  auto verified = vouch::jose::jwt_verify_compact(token, keys());
  if (verified && verified->header.value("alg", "") == "none") {
    std::abort();
  }
  (void)vouch::jose::decode_unsecured_jwt(token);
  return 0;
}
