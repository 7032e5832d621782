#include "appraisal/verifier.h"

#include "appraisal/check_ids.h"
#include "base/json_depth.h"
#include "base/json_parse.h"
#include "crypto/digest.h"
#include "crypto/jwk.h"

namespace vouch::appraisal {

Bytes binding_digest(const std::optional<Bytes>& nonce, const std::optional<BoundData>& runtime) {
  crypto::Hasher h(crypto::HashAlg::kSha256);
  if (nonce) {
    h.update(*nonce);
  }
  if (runtime) {
    h.update(runtime->data);
  }
  return h.finish();
}

void VerifierRegistry::add(std::unique_ptr<EvidenceVerifier> verifier) {
  verifiers_.push_back(std::move(verifier));
}

const EvidenceVerifier* VerifierRegistry::find(AttestationType type) const {
  for (const auto& v : verifiers_) {
    if (v->type() == type) {
      return v.get();
    }
  }
  return nullptr;
}

const EvidenceVerifier* VerifierRegistry::find_media_type(std::string_view media_type) const {
  // Parameters (";charset=...") are not part of the type.
  const std::string_view bare = media_type.substr(0, media_type.find(';'));
  for (const auto& v : verifiers_) {
    for (std::string_view m : v->media_types()) {
      if (m == bare) {
        return v.get();
      }
    }
  }
  return nullptr;
}

std::vector<std::string_view> VerifierRegistry::media_types() const {
  std::vector<std::string_view> out;
  for (const auto& v : verifiers_) {
    for (std::string_view m : v->media_types()) {
      out.push_back(m);
    }
  }
  return out;
}

namespace {

// A JWK, the first key of a JWKS ({"keys": [...]}), or the JWK under "jwk" (Vouch's attester)
// or "tee-pubkey" (the KBS protocol's runtime data) is the TEE's key.
std::optional<crypto::PublicKey> key_in(const nlohmann::json& j) {
  if (!j.is_object()) {
    return std::nullopt;
  }
  for (const char* member : {"jwk", "tee-pubkey"}) {
    if (auto it = j.find(member); it != j.end() && it->is_object()) {
      return key_in(*it);
    }
  }
  if (j.contains("kty")) {
    if (auto k = crypto::public_key_from_jwk(j)) {
      return *k;
    }
    return std::nullopt;
  }
  const auto keys = j.find("keys");
  if (keys != j.end() && keys->is_array() && !keys->empty()) {
    return key_in(keys->front());
  }
  return std::nullopt;
}

Result<nlohmann::json> parse_json_data(const BoundData& d, std::string_view what) {
  const std::string_view text(reinterpret_cast<const char*>(d.data.data()),  // NOLINT
                              d.data.size());
  if (json_nesting_depth(text) > kMaxUntrustedJsonDepth) {
    return malformed(checks::kRuntimeData, std::string(what) + " nests deeper than " +
                                               std::to_string(kMaxUntrustedJsonDepth) + " levels");
  }
  nlohmann::json j = parse_json(
      std::string_view(reinterpret_cast<const char*>(d.data.data()), d.data.size()));  // NOLINT
  if (j.is_discarded()) {
    return malformed(checks::kRuntimeData,
                     std::string(what) + " has dataType JSON but is not valid JSON");
  }
  return j;
}

}  // namespace

Status apply_bound_data(const EvidenceRequest& request, VerifiedEvidence& out) {
  if (request.runtime_data && request.runtime_data->json) {
    VOUCH_TRY(nlohmann::json j, parse_json_data(*request.runtime_data, "runtimeData"));
    out.tee_key = key_in(j);
    out.runtime = std::move(j);
  }
  if (request.inittime_data && request.inittime_data->json) {
    VOUCH_TRY(nlohmann::json j, parse_json_data(*request.inittime_data, "initTimeData"));
    out.inittime = std::move(j);
  }
  return ok();
}

}  // namespace vouch::appraisal
