#include "rp/release.h"

#include <openssl/crypto.h>

#include <utility>

#include "crypto/jwk.h"
#include "jose/encryption.h"
#include "policy/release_policy.h"
#include "rp/check_ids.h"
#include "token/check_ids.h"

namespace vouch::rp {
namespace {

std::string_view trim_slash(std::string_view issuer) {
  if (issuer.ends_with('/')) {
    issuer.remove_suffix(1);
  }
  return issuer;
}

std::string_view revocation_name(token::RevocationOutcome outcome) {
  switch (outcome) {
    case token::RevocationOutcome::kValid:
      return "valid";
    case token::RevocationOutcome::kNoStatusClaim:
      return "no_status";
    case token::RevocationOutcome::kUnavailableFailOpen:
      return "unavailable_fail_open";
  }
  return "valid";
}

tl::unexpected<Error> key_missing(std::string why) {
  return fail(ErrorKind::kInvalidArgument, checks::kTeeKeyMissing, std::move(why));
}

Result<crypto::PublicKey> import_tee_key(const nlohmann::json& jwk, std::string_view where) {
  auto key = crypto::public_key_from_jwk(jwk);
  if (!key) {
    return key_missing(std::string(where) + ": " + key.error().to_string());
  }
  if (key->type() == crypto::KeyType::kEd25519) {
    return key_missing(std::string(where) + " is an Ed25519 key, which cannot receive a JWE");
  }
  return key;
}

// Wipes the opened value however release() leaves.
class ValueWiper {
 public:
  explicit ValueWiper(Bytes& b) : b_(b) {}
  ~ValueWiper() {
    if (!b_.empty()) {
      OPENSSL_cleanse(b_.data(), b_.size());
    }
  }
  ValueWiper(const ValueWiper&) = delete;
  ValueWiper& operator=(const ValueWiper&) = delete;

 private:
  Bytes& b_;
};

}  // namespace

Result<crypto::PublicKey> bound_tee_key(const nlohmann::json& claims) {
  if (!claims.is_object()) {
    return key_missing("the claims are not an object");
  }
  const auto cnf = claims.find("cnf");
  if (cnf != claims.end() && cnf->is_object()) {
    const auto jwk = cnf->find("jwk");
    if (jwk != cnf->end() && jwk->is_object()) {
      return import_tee_key(*jwk, "cnf.jwk");
    }
  }
  const auto runtime = claims.find("x-ms-runtime");
  if (runtime == claims.end() || !runtime->is_object()) {
    return key_missing("the token binds no TEE key (no \"cnf\".\"jwk\" and no \"x-ms-runtime\")");
  }
  const auto keys = runtime->find("keys");
  const auto jwk = runtime->find("jwk");
  if (keys != runtime->end() && jwk != runtime->end()) {
    return key_missing("\"x-ms-runtime\" has both \"keys\" and \"jwk\": the TEE key is ambiguous");
  }
  if (keys != runtime->end()) {
    if (!keys->is_array() || keys->size() != 1 || !(*keys)[0].is_object()) {
      return key_missing("\"x-ms-runtime\".\"keys\" must hold exactly one JWK");
    }
    return import_tee_key((*keys)[0], "x-ms-runtime.keys[0]");
  }
  if (jwk != runtime->end() && jwk->is_object()) {
    return import_tee_key(*jwk, "x-ms-runtime.jwk");
  }
  return key_missing("\"x-ms-runtime\" holds no key (\"keys\" or \"jwk\")");
}

namespace {

// At most kMaxAuditText bytes of `text` (cut at a UTF-8 boundary), marked when cut.
std::string bounded(const std::string& text) {
  constexpr std::size_t kMaxAuditText = 512;
  if (text.size() <= kMaxAuditText) {
    return text;
  }
  std::size_t cut = kMaxAuditText;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace

Releaser::Releaser(Deps deps, ReleaseOptions options)
    : d_(std::move(deps)), options_(std::move(options)) {}

Result<Release> Releaser::release(const ReleaseRequest& request) {
  nlohmann::json record = {{"secret", request.secret},
                           {"flow", request.flow},
                           {"client", request.client_address},
                           {"request_id", request.request_id}};
  // Audits a refusal and returns it (or the audit failure, which refuses too).
  const auto refuse = [&](Error e) -> tl::unexpected<Error> {
    record["check"] = std::string(e.check.str());
    // Details can echo attacker-chosen text (an unverified "iss"): bounded, so that a refusal
    // always fits the audit record and is never kept out of the log by its size.
    record["detail"] = bounded(e.detail);
    if (d_.audit) {
      auto audited = d_.audit(request.tenant, "secret.refuse", record);
      if (!audited) {
        return fail(std::move(audited).error());
      }
    } else {
      return fail(ErrorKind::kInternal, vouch::checks::kInternal, "no audit sink is configured");
    }
    return fail(std::move(e));
  };
  if (d_.secrets == nullptr || d_.issuer_keys == nullptr || d_.clock == nullptr) {
    return refuse(Error{ErrorKind::kInternal, vouch::checks::kInternal,
                        "the releaser is missing a dependency"});
  }

  // 1. The secret and its rules.
  auto info = d_.secrets->info(request.tenant, request.secret);
  if (!info) {
    return refuse(std::move(info).error());
  }
  record["version"] = info->version;
  auto policy = policy::ReleasePolicy::parse(info->rules.release_policy);
  if (!policy) {
    return refuse(Error{ErrorKind::kFailedPrecondition, checks::kSecretConfig,
                        "the stored release policy does not parse: " + policy.error().to_string()});
  }

  // 2. The issuer, read unverified only to choose whose keys to verify with.
  token::ResultCheckOptions check_options;
  auto issuer = token::peek_issuer(request.token, check_options.limits);
  if (!issuer) {
    return refuse(std::move(issuer).error());
  }
  record["issuer"] = bounded(*issuer);
  const std::string* trusted = nullptr;
  for (const std::string& t : info->rules.trusted_issuers) {
    if (trim_slash(t) == trim_slash(*issuer)) {
      trusted = &t;
      break;
    }
  }
  if (trusted == nullptr) {
    return refuse(Error{
        ErrorKind::kPolicyDenied, checks::kIssuerUntrusted,
        "issuer \"" + *issuer + "\" is not a trusted issuer of secret \"" + request.secret + "\""});
  }

  // 3. The issuer's keys.
  const auto keys_of = [&](bool refresh) -> Result<jose::JwkSet> {
    return d_.issuer_keys->keys(trim_slash(*trusted), refresh).map_error([](Error e) {
      e.kind = ErrorKind::kUnavailable;
      e.check = checks::kJwksUnavailable;
      return e;
    });
  };
  auto keys = keys_of(false);
  if (!keys) {
    return refuse(std::move(keys).error());
  }

  // 4. The token itself; an unknown kid refreshes the keys once.
  check_options.trusted_issuers = {*issuer};
  check_options.audience = options_.audience;
  check_options.skew = options_.skew;
  check_options.revocation = options_.revocation;
  auto checked =
      token::check_result_token(request.token, *keys, check_options, *d_.clock, d_.status_lists);
  if (!checked && checked.error().check == token::checks::kResultKid) {
    keys = keys_of(true);
    if (!keys) {
      return refuse(std::move(keys).error());
    }
    checked =
        token::check_result_token(request.token, *keys, check_options, *d_.clock, d_.status_lists);
  }
  if (!checked) {
    return refuse(std::move(checked).error());
  }
  std::string jti;
  if (const auto j = checked->claims.find("jti"); j != checked->claims.end() && j->is_string()) {
    jti = j->get<std::string>();
    record["jti"] = jti;
  }
  record["revocation"] = std::string(revocation_name(checked->revocation));
  if (checked->revocation_error) {
    record["revocation_detail"] = checked->revocation_error->to_string();
  }

  // 5. The release policy.
  const policy::ReleaseEvaluation evaluation = policy->evaluate(checked->claims, *issuer);
  if (evaluation.decision != policy::Decision::kPermit) {
    return refuse(Error{ErrorKind::kPolicyDenied, checks::kReleasePolicy,
                        policy::release_summary(evaluation)});
  }

  // 6. The TEE key.
  auto tee_key = bound_tee_key(checked->claims);
  if (!tee_key) {
    return refuse(std::move(tee_key).error());
  }
  const std::string thumbprint = crypto::jwk_thumbprint(*tee_key);
  record["key_thumbprint"] = thumbprint;
  if (request.presented_key) {
    auto presented = crypto::public_key_from_jwk(*request.presented_key);
    if (!presented) {
      return refuse(
          Error{ErrorKind::kPolicyDenied, checks::kTeeKeyMismatch,
                "the presented key is not a usable public JWK: " + presented.error().to_string()});
    }
    if (!presented->equals(*tee_key)) {
      return refuse(Error{ErrorKind::kPolicyDenied, checks::kTeeKeyMismatch,
                          "the presented key (thumbprint " + crypto::jwk_thumbprint(*presented) +
                              ") is not the key bound in the token"});
    }
  }

  // 7. Unseal and encrypt to the TEE key.
  // Exactly the version whose rules were checked, even if the owner rotated it meanwhile.
  auto opened = d_.secrets->open(request.tenant, request.secret, info->version);
  if (!opened) {
    return refuse(std::move(opened).error());
  }
  const ValueWiper wipe_value(opened->value);
  record["version"] = opened->version;
  auto jwe = jose::jwe_encrypt_compact(*tee_key, opened->value, {{"kid", request.secret}});
  if (!jwe) {
    return refuse(std::move(jwe).error());
  }
  record.erase("check");
  record.erase("detail");
  record["detail"] = "released";
  if (!d_.audit) {
    return fail(ErrorKind::kInternal, vouch::checks::kInternal, "no audit sink is configured");
  }
  VOUCH_RETURN_IF_ERROR(d_.audit(request.tenant, "secret.release", record));

  Release out;
  out.jwe = std::move(*jwe);
  out.secret = request.secret;
  out.version = opened->version;
  out.issuer = *issuer;
  out.jti = std::move(jti);
  out.key_thumbprint = thumbprint;
  return out;
}

}  // namespace vouch::rp
