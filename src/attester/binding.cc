#include "attester/binding.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "attester/check_ids.h"
#include "base/encoding.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"

namespace vouch::attester {

std::string runtime_data_for(const crypto::PublicKey& key) {
  // nlohmann::json objects keep their members sorted; dump() without indent is compact.
  const nlohmann::json data = {{"jwk", crypto::public_key_to_jwk(key)}};
  return data.dump();
}

Result<Binding> Binding::generate() {
  auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256);
  if (!key) {
    return fail(ErrorKind::kInternal, checks::kBindingKey,
                "cannot make the ephemeral P-256 key: " + key.error().to_string());
  }
  return from_key(std::move(*key));
}

Result<Binding> Binding::from_key(crypto::PrivateKey key) {
  std::string data = runtime_data_for(key.public_key());
  return Binding(std::move(key), std::move(data));
}

std::string Binding::runtime_data_b64url() const {
  return base64url_encode(as_bytes(runtime_data_));
}

Result<Bytes> Binding::digest(ByteSpan nonce) const {
  if (nonce.empty()) {
    return fail(ErrorKind::kInvalidArgument, checks::kBindingNonce, "the nonce is empty");
  }
  crypto::Hasher h(crypto::HashAlg::kSha256);
  h.update(nonce);
  h.update(as_bytes(runtime_data_));
  return h.finish();
}

Result<std::array<std::uint8_t, 64>> Binding::report_data(ByteSpan nonce) const {
  VOUCH_TRY(Bytes d, digest(nonce));
  std::array<std::uint8_t, 64> out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

}  // namespace vouch::attester
