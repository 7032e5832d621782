#include "token/profiles.h"

#include <algorithm>
#include <cctype>

#include "base/encoding.h"
#include "crypto/jwk.h"
#include "jose/signature.h"
#include "token/check_ids.h"
#include "token/status_list.h"

namespace vouch::token {
namespace {

tl::unexpected<Error> bad_input(std::string detail) {
  return fail(ErrorKind::kInvalidArgument, checks::kInput, std::move(detail));
}

bool is_jti(std::string_view jti) {
  return jti.size() == 64 && std::all_of(jti.begin(), jti.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

// Registered and profile-independent claims shared by both profiles.
Result<nlohmann::json> common_claims(const AppraisalResult& r) {
  if (r.issuer.empty()) {
    return bad_input("the result has no issuer");
  }
  if (r.submodules.empty()) {
    return bad_input("the result has no submodule");
  }
  if (!is_jti(r.jti)) {
    return bad_input("jti must be 64 lowercase hex digits");
  }
  if (r.lifetime.count() <= 0) {
    return bad_input("the token lifetime must be positive");
  }
  const std::int64_t iat = unix_seconds(r.issued_at);
  nlohmann::json c = {
      {"iss", r.issuer}, {"iat", iat}, {"exp", iat + r.lifetime.count()}, {"jti", r.jti}};
  if (r.audience.size() == 1) {
    c["aud"] = r.audience.front();
  } else if (!r.audience.empty()) {
    c["aud"] = r.audience;
  }
  if (r.tee_key) {
    c["cnf"] = {{"jwk", crypto::public_key_to_jwk(*r.tee_key)}};
  }
  if (r.status) {
    c["status"] = status_claim(*r.status);
  }
  return c;
}

// Adds each member of `from` to `to`, refusing to overwrite a claim the profile owns.
Status merge_claims(nlohmann::json& to, const nlohmann::json& from, std::string_view where) {
  if (!from.is_object()) {
    return bad_input(std::string(where) + " claims are not a JSON object");
  }
  for (const auto& [name, value] : from.items()) {
    if (to.contains(name)) {
      return bad_input(std::string(where) + " claim '" + name + "' collides with a token claim");
    }
    to[name] = value;
  }
  return ok();
}

}  // namespace

Result<nlohmann::json> maa_claims(const AppraisalResult& r) {
  VOUCH_TRY(nlohmann::json c, common_claims(r));
  if (r.attestation_type.empty() || r.policy_hash.empty()) {
    return bad_input("the MAA profile needs an attestation type and a policy hash");
  }
  c["nbf"] = c["iat"];
  c["x-ms-ver"] = "1.0";
  c["x-ms-attestation-type"] = r.attestation_type;
  c["x-ms-policy-hash"] = r.policy_hash;
  nlohmann::json policy = nlohmann::json::object();
  for (const SubmoduleResult& s : r.submodules) {
    VOUCH_RETURN_IF_ERROR(merge_claims(policy, s.policy_claims, "policy-issued"));
  }
  c["x-ms-policy"] = std::move(policy);
  if (r.nonce) {
    c["nonce"] = *r.nonce;
  }
  if (r.runtime.is_object()) {
    c["x-ms-runtime"] = r.runtime;
  }
  if (r.inittime.is_object()) {
    c["x-ms-inittime"] = r.inittime;
  }
  for (const SubmoduleResult& s : r.submodules) {
    VOUCH_RETURN_IF_ERROR(merge_claims(c, s.claims, "verified"));
  }
  return c;
}

nlohmann::json maa_header(std::string_view issuer, const Signer& signer) {
  return {{"jku", std::string(issuer) + "/certs"}, {"kid", signer.kid()}, {"typ", "JWT"}};
}

Result<nlohmann::json> ear_claims(const AppraisalResult& r, EarNames names) {
  VOUCH_TRY(nlohmann::json c, common_claims(r));
  const bool v03 = names == EarNames::kDraft03;
  c["eat_profile"] = v03 ? kEarProfile03 : kEarProfileVeraison;
  if (v03) {
    c["ear_status"] = tier_name(r.decision);
  }
  c[v03 ? "ear_verifier_id" : "ear.verifier-id"] = {{"developer", r.verifier.developer},
                                                    {"build", r.verifier.build}};
  if (r.nonce) {
    auto raw = base64url_decode(*r.nonce);
    if (!raw || raw->size() < 8 || raw->size() > 64) {
      return bad_input("an EAR nonce must be base64url of 8 to 64 bytes");
    }
    c["eat_nonce"] = *r.nonce;
  }
  nlohmann::json submods = nlohmann::json::object();
  for (const SubmoduleResult& s : r.submodules) {
    if (s.name.empty() || submods.contains(s.name)) {
      return bad_input("EAR submodule names must be unique and non-empty");
    }
    if (static_cast<int>(r.decision) < static_cast<int>(s.status)) {
      return bad_input("the overall status is better than submodule '" + s.name + "'");
    }
    nlohmann::json m = {{v03 ? "ear_status" : "ear.status", tier_name(s.status)},
                        {v03 ? "ear_trustworthiness_vector" : "ear.trustworthiness-vector",
                         s.trust_vector.to_json()}};
    if (!r.policy_ids.empty()) {
      if (v03) {
        m["ear_appraisal_policy_ids"] = r.policy_ids;
      } else {
        m["ear.appraisal-policy-id"] = r.policy_ids.back();
      }
    }
    if (v03 && s.evidence_nonce) {
      m["eat_nonce"] = *s.evidence_nonce;
    }
    if (!s.claims.empty()) {
      m[v03 ? "ear_veraison_annotated_evidence" : "ear.veraison.annotated-evidence"] = s.claims;
    }
    if (!s.policy_claims.empty()) {
      m[v03 ? "ear_veraison_policy_claims" : "ear.veraison.policy-claims"] = s.policy_claims;
    }
    submods[s.name] = std::move(m);
  }
  c["submods"] = std::move(submods);
  return c;
}

nlohmann::json ear_header(std::string_view issuer, const Signer& signer) {
  return maa_header(issuer, signer);
}

Result<std::string> issue_jwt(const Signer& signer, nlohmann::json header,
                              const nlohmann::json& claims) {
  if (!header.is_object()) {
    return bad_input("the token header must be an object");
  }
  header["kid"] = signer.kid();
  return jose::jwt_sign_compact(signer.alg(), std::move(header), claims,
                                [&](ByteSpan input) { return signer.sign(input); })
      .map_error(retag(checks::kSign));
}

}  // namespace vouch::token
