#include "appraisal/pipeline.h"

#include <algorithm>

#include "appraisal/check_ids.h"
#include "base/encoding.h"
#include "policy/explain.h"

namespace vouch::appraisal {
namespace {

policy::Value scalar_value(const claims::ClaimValue& v) {
  if (const bool* b = v.as_bool()) {
    return policy::Value::boolean(*b);
  }
  if (const std::int64_t* i = v.as_int()) {
    return policy::Value::integer(*i);
  }
  if (const std::string* s = v.as_string()) {
    return policy::Value::string(*s);
  }
  if (const Bytes* b = v.as_bytes()) {
    return policy::Value::string(hex_encode(*b));
  }
  return policy::Value::json(v.to_json());
}

// Only the PCR values are read-only (policies may compare them, never issue them as their own),
// as the engine's TPM `pcrs` claim is.
bool read_only(const std::string& type) {
  return type.rfind("tpm.pcrs", 0) == 0;
}

bool is_scalar(const claims::ClaimValue& v) {
  return v.as_list() == nullptr && v.as_map() == nullptr;
}

void add_claim(std::vector<policy::Claim>& out, std::string type, const claims::ClaimValue& v,
               int depth) {
  if (is_scalar(v)) {
    const bool ro = read_only(type);
    out.push_back({std::move(type), scalar_value(v), policy::Issuer::kAttestationService, ro});
    return;
  }
  if (const auto* list = v.as_list()) {
    // A list of scalars becomes one claim per element (claim types repeat, and conditions match
    // any of them, as Azure's engine does); any other list is one claim holding JSON text.
    const bool scalars = std::all_of(list->begin(), list->end(), is_scalar);
    if (!scalars) {
      out.push_back({type, policy::Value::json(v.to_json()), policy::Issuer::kAttestationService,
                     read_only(type)});
      return;
    }
    for (const auto& e : *list) {
      out.push_back({type, scalar_value(e), policy::Issuer::kAttestationService, read_only(type)});
    }
    return;
  }
  // Maps: the whole map as JSON (for JmesPath), and each entry flattened (bounded depth).
  out.push_back({type, policy::Value::json(v.to_json()), policy::Issuer::kAttestationService,
                 read_only(type)});
  if (depth < 3) {
    for (const auto& [k, e] : *v.as_map()) {
      add_claim(out, type + "." + k, e, depth + 1);
    }
  }
}

}  // namespace

bool Appraisal::permitted() const noexcept {
  return verified && evaluation && evaluation->decision == policy::Decision::kPermit;
}

std::vector<policy::Claim> incoming_claims(AttestationType type, const VerifiedEvidence& ev) {
  std::vector<policy::Claim> out;
  out.push_back({"x-ms-attestation-type",
                 policy::Value::string(std::string(maa_attestation_type(type))),
                 policy::Issuer::kAttestationService, false});
  for (const auto& [name, value] : ev.maa_claims) {
    add_claim(out, name, value, 0);
  }
  for (const auto& [name, value] : ev.claims.entries()) {
    add_claim(out, name, value, 0);
  }
  if (ev.runtime) {
    out.push_back({"x-ms-runtime", policy::Value::json(*ev.runtime),
                   policy::Issuer::kAttestationService, false});
  }
  if (ev.inittime) {
    out.push_back({"x-ms-inittime", policy::Value::json(*ev.inittime),
                   policy::Issuer::kAttestationService, false});
  }
  return out;
}

Result<Appraisal> appraise(const EvidenceVerifier& verifier, const EvidenceRequest& request,
                           const VerifyContext& context, const policy::Policy* policy,
                           const AppraiseOptions& options) {
  Appraisal a;
  a.type = request.type;
  auto verified = verifier.verify(request, context, a.log);
  if (!verified) {
    switch (verified.error().kind) {
      case ErrorKind::kMalformedEvidence:
      case ErrorKind::kEvidenceRejected:
        a.error = std::move(verified.error());
        return a;  // a negative result, still worth signing
      default:
        return tl::unexpected(std::move(verified.error()));
    }
  }
  a.evidence = std::move(*verified);
  std::vector<policy::Claim> incoming = incoming_claims(request.type, *a.evidence);
  if (options.screen) {
    if (auto screened = options.screen(incoming)) {
      a.error = a.log.fail(std::move(*screened));
      return a;
    }
  }
  a.verified = true;
  incoming.insert(incoming.end(), options.extra_claims.begin(), options.extra_claims.end());
  if (policy == nullptr) {
    a.error = Error{ErrorKind::kPolicyDenied, checks::kPolicyMissing,
                    "no policy is set for " + std::string(type_name(request.type))};
    return a;
  }
  a.policy_hash = policy->hash();
  a.evaluation = policy->evaluate(incoming, policy::EvaluateOptions{options.explain});
  if (a.evaluation->decision != policy::Decision::kPermit) {
    // Denials say why: a short explain trace (re-evaluated with tracing only on this path).
    const policy::Evaluation traced =
        options.explain ? *a.evaluation : policy->evaluate(incoming, policy::EvaluateOptions{true});
    const std::string why = policy::short_explanation(traced, 512);
    a.error = a.evaluation->error.value_or(
        Error{ErrorKind::kPolicyDenied, checks::kPolicyDenied,
              a.evaluation->deny_reason == policy::DenyReason::kDenyRule
                  ? "a deny() rule fired"
                  : "no permit() rule fired in authorizationrules"});
    if (!why.empty()) {
      // The trace usually starts with the same summary: say it once.
      a.error->detail = why.rfind(a.error->detail, 0) == 0 ? why : a.error->detail + ": " + why;
    }
  }
  return a;
}

}  // namespace vouch::appraisal
