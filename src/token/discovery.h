#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "jose/alg.h"
#include "jose/keys.h"
#include "token/signer.h"

namespace vouch::token {

// The OpenID-style metadata document served at /.well-known/openid-configuration (maa.md 1.8):
// issuer (no trailing slash), jwks_uri = issuer + "/certs", response_types_supported
// ["token", "none"], id_token_signing_alg_values_supported, claims_supported (non-empty: the MAA
// C++ SDK asserts it), and revocation_endpoint when a status list base URI is given.
nlohmann::json openid_configuration(std::string_view issuer,
                                    const std::vector<jose::JwsAlg>& signing_algs,
                                    const std::vector<std::string>& claims_supported,
                                    std::string_view status_list_base = {});

// The JWKS served at /certs: each signer's public JWK with the plain key members and x5c (both,
// since clients differ), kid, alg and use "sig". Signers that are retiring stay in the list until
// their last token expires; that is the caller's choice of `signers`.
nlohmann::json jwks_document(const std::vector<const Signer*>& signers);

}  // namespace vouch::token
