#include "service/attest.h"

#include <future>
#include <thread>

#include "appraisal/check_ids.h"
#include "base/encoding.h"
#include "base/text.h"
#include "crypto/digest.h"
#include "jose/signature.h"
#include "service/cache_age.h"
#include "service/check_ids.h"
#include "token/result.h"
#include "token/status_list.h"

namespace vouch::service {
namespace {

constexpr std::chrono::seconds kCacheTtl{5};
// The prefixes under which a tenant's lists reach the policy as claims.
constexpr std::string_view kReferencePrefix = "vouch.reference.";
constexpr std::string_view kDeniedPrefix = "vouch.denied.";

// The text a deny-list entry is compared with: strings as they are, integers in decimal,
// booleans as true/false.
std::optional<std::string> comparable(const policy::Value& v) {
  if (const std::string* s = v.if_string()) {
    return *s;
  }
  if (const std::int64_t* i = v.if_integer()) {
    return std::to_string(*i);
  }
  if (const bool* b = v.if_boolean()) {
    return *b ? "true" : "false";
  }
  return std::nullopt;
}

token::TrustVector trust_vector(const appraisal::Appraisal& a) {
  token::TrustVector v;
  if (!a.verified) {
    v.instance_identity = 96;  // contraindicated: the evidence itself did not verify
    return v;
  }
  v.instance_identity = 2;
  v.hardware = 2;
  if (a.permitted()) {
    v.executables = 2;
    v.configuration = 2;
  } else {
    v.executables = 96;  // contraindicated by the owner's policy
  }
  return v;
}

nlohmann::json claims_json(const appraisal::VerifiedEvidence& ev) {
  nlohmann::json out = ev.claims.to_json();
  for (const auto& [name, value] : ev.maa_claims) {
    out[name] = value.to_json();
  }
  return out;
}

nlohmann::json issued_json(const std::vector<policy::Claim>& issued) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& c : issued) {
    out[c.type] = c.value.to_json();
  }
  return out;
}

}  // namespace

std::string Attestor::default_policy_text(appraisal::AttestationType) {
  return "version=1.0;\nauthorizationrules\n{\n    => permit();\n};\nissuancerules\n{\n};\n";
}

Result<ActivePolicy> Attestor::active_policy(std::string_view tenant,
                                             appraisal::AttestationType type) {
  const Timestamp now = d_.clock->now();
  const auto key = std::make_pair(std::string(tenant), type);
  {
    std::lock_guard lock(mu_);
    auto it = policies_.find(key);
    if (it != policies_.end() && cache_fresh(now, it->second.loaded, kCacheTtl)) {
      count_cache("policy", true);
      return it->second.active;
    }
  }
  count_cache("policy", false);
  ActivePolicy active;
  auto stored = d_.store->policies().current(tenant, appraisal::type_name(type));
  std::string text;
  if (stored) {
    text = stored->text;
    active.version = stored->version;
  } else if (stored.error().kind == ErrorKind::kNotFound) {
    text = default_policy_text(type);
  } else {
    return tl::unexpected(std::move(stored.error()));
  }
  {
    std::lock_guard lock(mu_);
    auto it = policies_.find(key);
    if (it != policies_.end() && it->second.active.version == active.version &&
        it->second.active.policy->text() == text) {
      it->second.loaded = now;
      return it->second.active;
    }
  }
  auto compiled = policy::Policy::compile(text);
  if (!compiled) {
    // Only compiled policies are stored, so this is a bug or a downgrade: fail closed.
    return tl::unexpected(Error{ErrorKind::kInternal, compiled.error().check,
                                "stored policy no longer compiles: " + compiled.error().detail});
  }
  active.policy = std::make_shared<const policy::Policy>(std::move(*compiled));
  active.tcb_identifier = tcb_identifier(type, *active.policy);
  std::lock_guard lock(mu_);
  policies_[key] = CachedPolicy{active, now};
  return active;
}

Result<store::PolicyVersion> Attestor::set_policy(std::string_view tenant,
                                                  appraisal::AttestationType type,
                                                  const std::optional<std::string>& text,
                                                  std::string_view author) {
  const std::string body = text ? *text : default_policy_text(type);
  VOUCH_TRY(policy::Policy compiled, policy::Policy::compile(body));
  store::NewPolicy p;
  p.tenant = std::string(tenant);
  p.attestation_type = std::string(appraisal::type_name(type));
  p.text = body;
  const std::string hash = compiled.hash();
  p.hash = Bytes(hash.begin(), hash.end());
  p.author = std::string(author);
  p.created_at = d_.clock->now();
  VOUCH_TRY(store::PolicyVersion stored,
            text ? d_.store->policies().set(p) : d_.store->policies().reset(p));
  {
    std::lock_guard lock(mu_);
    policies_.erase(std::make_pair(std::string(tenant), type));
  }
  VOUCH_RETURN_IF_ERROR(audit(tenant, text ? "policy.set" : "policy.reset",
                              {{"type", p.attestation_type},
                               {"version", stored.version},
                               {"policy_hash", hash},
                               {"author", p.author}}));
  return stored;
}

Status Attestor::audit(std::string_view tenant, std::string_view kind,
                       const nlohmann::json& payload) {
  VOUCH_TRY(auto entry, d_.store->audit().append(tenant, d_.clock->now(), kind, payload));
  (void)entry;
  return {};
}

Result<std::shared_ptr<const Attestor::Lists>> Attestor::lists(std::string_view tenant) {
  const Timestamp now = d_.clock->now();
  {
    std::lock_guard lock(mu_);
    auto it = lists_.find(tenant);
    if (it != lists_.end() && cache_fresh(now, it->second->loaded, kCacheTtl)) {
      count_cache("lists", true);
      return it->second;
    }
  }
  count_cache("lists", false);
  auto out = std::make_shared<Lists>();
  out->loaded = now;
  auto read_all = [&](store::ListStore& ls, auto&& each) -> Status {
    store::ListQuery q;
    q.valid_at = now;
    q.limit = store::limits::kMaxPage;
    for (;;) {
      VOUCH_TRY(auto page, ls.list(tenant, q));
      for (const auto& e : page) {
        each(e);
      }
      if (page.size() < q.limit) {
        return {};
      }
      q.after_kind = page.back().kind;
      q.after_value = page.back().value;
    }
  };
  VOUCH_RETURN_IF_ERROR(read_all(d_.store->reference_values(), [&](const store::ListEntry& e) {
    out->reference_claims.push_back({std::string(kReferencePrefix) + e.kind,
                                     policy::Value::string(e.value),
                                     policy::Issuer::kAttestationPolicy, false});
  }));
  VOUCH_RETURN_IF_ERROR(read_all(d_.store->deny_list(), [&](const store::ListEntry& e) {
    out->denied.emplace(e.kind, ascii_lower(e.value));
    out->reference_claims.push_back({std::string(kDeniedPrefix) + e.kind,
                                     policy::Value::string(e.value),
                                     policy::Issuer::kAttestationPolicy, false});
  }));
  std::shared_ptr<const Lists> result = out;
  std::lock_guard lock(mu_);
  lists_[std::string(tenant)] = result;
  return result;
}

void Attestor::invalidate_lists(std::string_view tenant) {
  std::lock_guard lock(mu_);
  if (auto it = lists_.find(tenant); it != lists_.end()) {
    lists_.erase(it);
  }
}

void Attestor::invalidate_tenant(std::string_view tenant) {
  std::lock_guard lock(mu_);
  std::erase_if(policies_, [&](const auto& e) { return e.first.first == tenant; });
  if (auto it = lists_.find(tenant); it != lists_.end()) {
    lists_.erase(it);
  }
}

std::optional<std::string> Attestor::tcb_identifier(appraisal::AttestationType type,
                                                    const policy::Policy& policy) {
  if (type != appraisal::AttestationType::kSgxEnclave &&
      type != appraisal::AttestationType::kOpenEnclave) {
    return std::nullopt;
  }
  // configurationrules take no incoming claims: evaluating over none yields their properties.
  const policy::Evaluation config = policy.evaluate({});
  for (const policy::Claim& p : config.properties) {
    if (p.type == "x-ms-sgx-tcbidentifier") {
      return comparable(p.value).value_or("");
    }
  }
  return std::nullopt;
}

Result<collateral::TcbBaseline> Attestor::tcb_baseline(
    const TenantView& tenant, const std::optional<std::string>& policy_identifier) {
  if (!policy_identifier || *policy_identifier == "azuredefault") {
    return tenant.settings.tcb_baseline;
  }
  return collateral::parse_tcb_baseline(*policy_identifier);
}

appraisal::VerifyContext Attestor::context(const TenantView& tenant,
                                           const collateral::TcbBaseline& baseline) {
  appraisal::VerifyContext ctx;
  ctx.at = d_.clock->now();
  ctx.trust.tpm_ak_anchors = tenant.tpm_anchors.get();
  store::Store* store = d_.store;
  std::string name = tenant.name;
  // One indexed lookup per attestation: enrolment and pinning store the AK under its
  // registration name.
  ctx.trust.ak_is_enrolled = [store, name](ByteSpan ak_name) {
    return store->enrollment().get_ak(name, ak_name).has_value();  // errors fail closed
  };
  ctx.amd_kds = d_.amd_kds;
  ctx.intel_pcs = d_.intel_pcs;
  ctx.require_revocation = tenant.settings.require_revocation;
  ctx.tcb_baseline = baseline;
  ctx.collateral_stale_grace = d_.collateral_stale_grace;
  return ctx;
}

Result<std::string> Attestor::sign_service_token(const TenantView& tenant, nlohmann::json claims) {
  VOUCH_TRY(auto signer, d_.keys->active(tenant.name, tenant.issuer, tenant.settings.signing_alg));
  const Timestamp now = d_.clock->now();
  claims["iss"] = tenant.issuer;
  claims["iat"] = unix_seconds(now);
  claims["nbf"] = unix_seconds(now);
  claims["exp"] = unix_seconds(now + tenant.settings.token_lifetime);
  return token::issue_jwt(*signer, token::maa_header(tenant.issuer, *signer), claims);
}

Result<AttestOutcome> Attestor::attest(const AttestRequest& request) {
  std::promise<Result<AttestOutcome>> answer;
  std::future<Result<AttestOutcome>> answered = answer.get_future();
  // Signed where the commit lands, not deferred: this thread may be a worker, and signing queued
  // behind it on the same pool could wait for it forever.
  auto result = run_attestation(
      request, [&answer](Result<AttestOutcome> r) { answer.set_value(std::move(r)); }, false);
  if (!result) {
    return tl::unexpected(std::move(result).error());
  }
  return answered.get();
}

namespace {

// Signs the result as the profile asks: MAA (unsigned for a draft policy) or EAR.
Result<std::string> sign_result(const token::AppraisalResult& r, const token::Signer& signer,
                                const std::string& issuer, ResultProfile profile,
                                token::EarNames ear_names, bool draft) {
  if (profile == ResultProfile::kMaa) {
    VOUCH_TRY(nlohmann::json claims, token::maa_claims(r));
    if (draft) {
      return jose::make_unsecured_jwt({{"typ", "JWT"}}, claims);
    }
    return token::issue_jwt(signer, token::maa_header(issuer, signer), claims);
  }
  VOUCH_TRY(nlohmann::json claims, token::ear_claims(r, ear_names));
  return token::issue_jwt(signer, token::ear_header(issuer, signer), claims);
}

}  // namespace

void Attestor::attest_async(const AttestRequest& request, AttestDone done) {
  auto result = run_attestation(request, done, true);
  if (!result) {
    done(tl::unexpected(std::move(result).error()));
  }
}

Status Attestor::run_attestation(const AttestRequest& request, AttestDone done,
                                 bool defer_signing) {
  const TenantView& tenant = *request.tenant;
  const appraisal::AttestationType type = request.evidence.type;
  const appraisal::EvidenceVerifier* verifier = d_.verifiers->find(type);
  if (verifier == nullptr) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kUnsupportedType,
                                std::string(appraisal::type_name(type)) +
                                    " attestation is not supported yet by this node"});
  }
  // The policy: a draft (MAA draftPolicyForAttestation) or the tenant's.
  std::shared_ptr<const policy::Policy> policy;
  std::optional<std::string> identifier;
  std::vector<std::string> policy_ids;
  if (request.draft_policy) {
    VOUCH_TRY(policy::Policy draft, policy::Policy::compile(*request.draft_policy));
    policy = std::make_shared<const policy::Policy>(std::move(draft));
    identifier = tcb_identifier(type, *policy);
    policy_ids.push_back("draft");
  } else {
    VOUCH_TRY(ActivePolicy active, active_policy(tenant.name, type));
    policy = active.policy;
    identifier = active.tcb_identifier;
    policy_ids.push_back(tenant.issuer + "/policies/" + std::string(appraisal::type_name(type)) +
                         (active.version == 0 ? "#default" : "#" + std::to_string(active.version)));
  }
  VOUCH_TRY(collateral::TcbBaseline baseline, tcb_baseline(tenant, identifier));
  VOUCH_TRY(auto tenant_lists, lists(tenant.name));
  appraisal::AppraiseOptions options;
  options.extra_claims = tenant_lists->reference_claims;
  if (!tenant_lists->denied.empty()) {
    options.screen = [&](std::span<const policy::Claim> incoming) -> std::optional<Error> {
      for (const auto& c : incoming) {
        auto [lo, hi] = tenant_lists->denied.equal_range(c.type);
        if (lo == hi) {
          continue;
        }
        auto text = comparable(c.value);
        if (!text) {
          continue;
        }
        const std::string v = ascii_lower(*text);
        for (auto it = lo; it != hi; ++it) {
          if (it->second == v) {
            return Error{ErrorKind::kEvidenceRejected, appraisal::checks::kDenyList,
                         c.type + " " + *text + " is on the tenant's deny list"};
          }
        }
      }
      return std::nullopt;
    };
  }
  VOUCH_TRY(appraisal::Appraisal appraised,
            appraisal::appraise(*verifier, request.evidence, context(tenant, baseline),
                                policy.get(), options));
  AttestOutcome out;
  out.appraisal = std::move(appraised);
  const appraisal::Appraisal& a = out.appraisal;
  const std::string verdict = a.permitted() ? "permit" : (a.verified ? "deny" : "reject");
  if (d_.metrics != nullptr) {
    d_.metrics->count_attestation(std::string(appraisal::type_name(type)), verdict);
    if (a.evaluation) {
      d_.metrics->count_policy_evaluation(
          std::string(policy::decision_name(a.evaluation->decision)));
    }
  }
  nlohmann::json entry = {
      {"type", std::string(appraisal::type_name(type))},
      {"verdict", verdict},
      {"evidence_sha256",
       hex_encode(crypto::digest(crypto::HashAlg::kSha256, request.evidence.evidence))},
      {"policy_hash", policy->hash()},
      {"client", request.client_address},
      {"request_id", request.request_id}};
  if (a.error) {
    entry["check"] = std::string(a.error->check.str());
  }
  if (request.draft_policy) {
    entry["draft_policy"] = true;
  }
  // A signed token's status entry and the audit record commit together; anything else is
  // audited on its own.
  const bool sign = a.permitted() || request.profile == ResultProfile::kEar;
  if (sign) {
    const Timestamp now = d_.clock->now();
    token::AppraisalResult r;
    r.issuer = tenant.issuer;
    r.audience = tenant.settings.audience;
    r.issued_at = now;
    r.lifetime = tenant.settings.token_lifetime;
    VOUCH_TRY(r.jti, token::make_jti(*d_.random));
    token::SubmoduleResult sub;
    sub.name = ascii_lower(std::string(appraisal::type_name(type)));
    sub.trust_vector = trust_vector(a);
    sub.status = sub.trust_vector.worst();
    if (a.evidence) {
      sub.claims = claims_json(*a.evidence);
    }
    if (a.evaluation) {
      sub.policy_claims = issued_json(a.evaluation->issued);
      // SGX tokens also carry the issued claims at top level (maa.md 3.9), unless a verified
      // claim has the name.
      if (type == appraisal::AttestationType::kSgxEnclave ||
          type == appraisal::AttestationType::kOpenEnclave) {
        for (const auto& [name, value] : sub.policy_claims.items()) {
          if (!sub.claims.contains(name)) {
            sub.claims[name] = value;
          }
        }
      }
    }
    r.decision = sub.status;
    r.attestation_type = std::string(appraisal::maa_attestation_type(type));
    r.submodules.push_back(std::move(sub));
    r.policy_hash = policy->hash();
    r.policy_ids = policy_ids;
    r.nonce = request.nonce;
    if (a.evidence) {
      r.tee_key = a.evidence->tee_key;
      r.runtime = a.evidence->runtime.value_or(nullptr);
      r.inittime = a.evidence->inittime.value_or(nullptr);
    }
    r.verifier.build = d_.verifier_build;
    // The signer first, so that what runs after the commit touches no store.
    VOUCH_TRY(std::shared_ptr<const token::Signer> signer,
              d_.keys->active(tenant.name, tenant.issuer, tenant.settings.signing_alg));
    if (!request.draft_policy) {
      store::StatusAllocation alloc;
      alloc.tenant = tenant.name;
      alloc.jti = r.jti;
      alloc.issued_at = now;
      alloc.expires_at = now + r.lifetime;
      entry["jti"] = r.jti;
      // The status entry and the audit record commit together (one group fsync), then the
      // token is signed where the commit completes; this thread goes on to the next request.
      auto pending = std::make_shared<Signing>(
          Signing{std::move(out), std::move(r), std::move(signer), tenant.issuer, request.profile,
                  request.ear_names, std::move(done)});
      d_.store->token_status().allocate_with_audit_async(
          alloc, now, "attestation", entry,
          [pending, defer = defer_signing ? d_.defer : nullptr,
           submitter = std::this_thread::get_id()](
              Result<std::pair<store::TokenStatus, store::AuditEntry>> recorded) {
            auto finish = [pending, recorded = std::move(recorded)]() mutable {
              Signing& p = *pending;
              if (!recorded) {
                return p.done(tl::unexpected(std::move(recorded).error()));
              }
              Result<std::string> token = tl::unexpected(
                  Error{ErrorKind::kInternal, vouch::checks::kInternal, "signing failed"});
              try {  // an escaped throw would leave the request unanswered on another thread
                const store::TokenStatus& status = recorded->first;
                p.result.status = token::StatusReference{
                    status.index, p.issuer + "/status-lists/" + std::to_string(status.list_id)};
                token = sign_result(p.result, *p.signer, p.issuer, p.profile, p.ear_names, false);
              } catch (const std::exception& e) {
                token = tl::unexpected(Error{ErrorKind::kInternal, vouch::checks::kInternal,
                                             std::string("signing failed: ") + e.what()});
              }
              if (!token) {
                return p.done(tl::unexpected(std::move(token).error()));
              }
              p.outcome.token = std::move(*token);
              p.outcome.jti = p.result.jti;
              p.done(std::move(p.outcome));
            };
            // A store that committed on this very thread (PostgreSQL) needs no second hop.
            if (defer && std::this_thread::get_id() != submitter) {
              defer(std::move(finish));
            } else {
              finish();
            }
          });
      return ok();
    }
    VOUCH_TRY(out.token,
              sign_result(r, *signer, tenant.issuer, request.profile, request.ear_names, true));
    out.jti = r.jti;
    entry["jti"] = out.jti;  // a draft-policy token (unsigned, no status entry)
  }
  VOUCH_RETURN_IF_ERROR(audit(tenant.name, "attestation", entry));
  done(std::move(out));
  return ok();
}

}  // namespace vouch::service
