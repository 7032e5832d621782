#include "token/result_check.h"

#include <algorithm>

#include "jose/check_ids.h"
#include "jose/signature.h"
#include "token/check_ids.h"
#include "token/status_list.h"

namespace vouch::token {
namespace {

// Maps the JOSE layer's ids onto the relying party's step ids.
Error to_result_error(Error e) {
  namespace jc = jose::checks;
  const CheckId c = e.check;
  if (c == jc::kAlgNone || c == jc::kAlgNotAllowed) {
    e.check = checks::kResultAlg;
  } else if (c == jc::kUnknownKid) {
    e.check = checks::kResultKid;
  } else if (c == jc::kNoKey || c == jc::kKeyMismatch || c == jc::kSignature ||
             c == jc::kSignatureFormat) {
    e.check = checks::kResultSignature;
  } else {
    e.check = checks::kResultFormat;
    e.kind = ErrorKind::kMalformedEvidence;
  }
  return e;
}

Status check_issuer(const nlohmann::json& claims, const ResultCheckOptions& options) {
  const auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string()) {
    return rejected(checks::kResultIss, "the token has no \"iss\"");
  }
  const auto& trusted = options.trusted_issuers;
  if (std::find(trusted.begin(), trusted.end(), iss->get<std::string>()) == trusted.end()) {
    return rejected(checks::kResultIss,
                    "issuer \"" + iss->get<std::string>() + "\" is not trusted");
  }
  return ok();
}

Status check_audience(const nlohmann::json& claims, const ResultCheckOptions& options) {
  if (!options.audience) {
    return ok();
  }
  const auto aud = claims.find("aud");
  const auto matches = [&](const nlohmann::json& v) {
    return v.is_string() && v.get<std::string>() == *options.audience;
  };
  if (aud != claims.end() &&
      (matches(*aud) || (aud->is_array() && std::any_of(aud->begin(), aud->end(), matches)))) {
    return ok();
  }
  return rejected(checks::kResultAud,
                  "the token is not for audience \"" + *options.audience + "\"");
}

Status check_times(const nlohmann::json& claims, const ResultCheckOptions& options, Timestamp now) {
  const std::int64_t t = unix_seconds(now);
  const std::int64_t skew = options.skew.count();
  const auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) {
    return rejected(checks::kResultExp, "the token has no integer \"exp\"");
  }
  if (exp->get<std::int64_t>() <= t - skew) {  // t ± skew: no overflow on extreme claims
    return rejected(checks::kResultExp,
                    "the token expired at " + format_rfc3339(from_unix_seconds(*exp)));
  }
  const auto nbf = claims.find("nbf");
  if (nbf != claims.end()) {
    if (!nbf->is_number_integer()) {
      return rejected(checks::kResultNbf, "\"nbf\" is not an integer");
    }
    if (nbf->get<std::int64_t>() > t + skew) {
      return rejected(checks::kResultNbf,
                      "the token is not valid before " + format_rfc3339(from_unix_seconds(*nbf)));
    }
  }
  // A token issued in the future (EAR has "iat" and no "nbf") comes from an issuer whose clock is
  // ahead by more than the skew: refused like an early "nbf", so the skew bounds both directions.
  const auto iat = claims.find("iat");
  if (iat != claims.end() && iat->is_number_integer() && iat->get<std::int64_t>() > t + skew) {
    return rejected(checks::kResultNbf, "the token was issued at " +
                                            format_rfc3339(from_unix_seconds(*iat)) +
                                            ", later than now: the issuer's clock is ahead");
  }
  return ok();
}

// The status-list step: either a conclusion or the error to report.
Result<RevocationOutcome> check_status(const nlohmann::json& claims,
                                       const jose::JwkSet& issuer_keys,
                                       const ResultCheckOptions& options, Timestamp now,
                                       StatusListFetcher* fetcher,
                                       std::optional<Error>& out_unavailable) {
  VOUCH_TRY(const std::optional<StatusReference> ref,
            parse_status_claim(claims).map_error([](Error e) {
              e.kind = ErrorKind::kEvidenceRejected;
              return e;
            }));
  if (!ref) {
    if (options.require_status) {
      return rejected(checks::kResultStatusClaim, "the token has no \"status\" claim");
    }
    return RevocationOutcome::kNoStatusClaim;
  }
  const auto unavailable = [&](std::string why) -> Result<RevocationOutcome> {
    Error e{ErrorKind::kRevocationUnavailable, checks::kResultStatusUnavailable,
            "status list " + ref->uri + ": " + std::move(why)};
    if (options.revocation == RevocationMode::kFailOpen) {
      out_unavailable = std::move(e);
      return RevocationOutcome::kUnavailableFailOpen;
    }
    return fail(std::move(e));
  };
  if (fetcher == nullptr) {
    return unavailable("no status list fetcher is configured");
  }
  auto list_token = fetcher->fetch(ref->uri);
  if (!list_token) {
    return unavailable(list_token.error().to_string());
  }
  auto list = verify_status_list_token(*list_token, issuer_keys, ref->uri,
                                       claims["iss"].get<std::string>(), now, options.skew);
  if (!list) {
    return unavailable(list.error().to_string());
  }
  auto status = list->get(ref->idx);
  if (!status) {
    return unavailable(status.error().to_string());
  }
  if (*status != 0) {
    return rejected(checks::kResultRevoked,
                    "the status list marks entry " + std::to_string(ref->idx) + " as " +
                        (*status == 1   ? "INVALID (revoked)"
                         : *status == 2 ? "SUSPENDED"
                                        : "status " + std::to_string(*status)));
  }
  return RevocationOutcome::kValid;
}

}  // namespace

Result<CheckedResult> check_result_token(std::string_view token, const jose::JwkSet& issuer_keys,
                                         const ResultCheckOptions& options, const Clock& clock,
                                         StatusListFetcher* fetcher) {
  jose::VerifyOptions verify;
  verify.allowed_algs = options.allowed_algs;
  verify.limits = options.limits;
  VOUCH_TRY(jose::VerifiedJwt jwt,
            jose::jwt_verify_compact(token, issuer_keys, verify).map_error(to_result_error));
  VOUCH_RETURN_IF_ERROR(check_issuer(jwt.claims, options));
  VOUCH_RETURN_IF_ERROR(check_audience(jwt.claims, options));
  const Timestamp now = clock.now();
  VOUCH_RETURN_IF_ERROR(check_times(jwt.claims, options, now));
  CheckedResult out{std::move(jwt.header), std::move(jwt.claims),     jwt.alg,
                    std::move(jwt.kid),    RevocationOutcome::kValid, std::nullopt};
  VOUCH_TRY(out.revocation,
            check_status(out.claims, issuer_keys, options, now, fetcher, out.revocation_error));
  return out;
}

Result<std::string> peek_issuer(std::string_view token, const jose::CompactLimits& limits) {
  auto jws = jose::parse_jws_compact(token, limits);
  if (!jws) {
    return fail(to_result_error(std::move(jws).error()));
  }
  const std::string_view text(reinterpret_cast<const char*>(jws->payload.data()),  // NOLINT
                              jws->payload.size());
  auto claims =
      jose::parse_json_strict(text, checks::kResultFormat, "JWT claim set", limits.max_json_depth);
  if (!claims || !claims->is_object() || !claims->contains("iss") ||
      !(*claims)["iss"].is_string()) {
    return malformed(checks::kResultFormat, "the token has no readable \"iss\"");
  }
  return (*claims)["iss"].get<std::string>();
}

}  // namespace vouch::token
