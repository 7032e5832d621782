#include "token/discovery.h"

namespace vouch::token {

nlohmann::json openid_configuration(std::string_view issuer,
                                    const std::vector<jose::JwsAlg>& signing_algs,
                                    const std::vector<std::string>& claims_supported,
                                    std::string_view status_list_base) {
  nlohmann::json algs = nlohmann::json::array();
  for (jose::JwsAlg alg : signing_algs) {
    algs.push_back(jose::jws_alg_name(alg));
  }
  nlohmann::json doc = {{"issuer", issuer},
                        {"jwks_uri", std::string(issuer) + "/certs"},
                        {"response_types_supported", {"token", "none"}},
                        {"id_token_signing_alg_values_supported", std::move(algs)},
                        {"claims_supported", claims_supported}};
  if (!status_list_base.empty()) {
    doc["revocation_endpoint"] = status_list_base;
  }
  return doc;
}

nlohmann::json jwks_document(const std::vector<const Signer*>& signers) {
  jose::JwkSet set;
  for (const Signer* s : signers) {
    set.keys.push_back(s->public_jwk());
  }
  return jose::jwks_to_json(set);
}

}  // namespace vouch::token
