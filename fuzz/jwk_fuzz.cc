// JWK import: any JSON object; an imported key exports and re-imports to the same key.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "crypto/jwk.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto doc = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return 0;
  }
  if (auto key = vouch::crypto::public_key_from_jwk(doc)) {
    auto again = vouch::crypto::public_key_from_jwk(vouch::crypto::public_key_to_jwk(*key));
    if (!again || !again->equals(*key)) {
      std::abort();
    }
  }
  return 0;
}
