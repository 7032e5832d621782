#include "service/relying_party.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "crypto/kdf.h"
#include "service/check_ids.h"
#include "service/http/client.h"
#include "service/state.h"

namespace vouch::service {
namespace {

using nlohmann::json;

std::string without_trailing_slash(std::string s) {
  if (!s.empty() && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

http::ClientOptions client_options(const Config& config) {
  http::ClientOptions o;
  o.connect_timeout = std::chrono::seconds(5);
  o.read_timeout = std::chrono::seconds(15);
  o.max_body_bytes = std::size_t{4} << 20;
  o.ca_file = config.rp_ca_file;
  return o;
}

// GET over HTTP(S): the body of a 200 answer, anything else an error naming the URL.
Result<std::string> http_get(const Config& config, const std::string& url) {
  http::HttpClient client(client_options(config));
  VOUCH_TRY(http::ClientResponse r, client.get(url, {{"accept", "application/json"}}));
  if (r.status != 200) {
    return tl::unexpected(Error{ErrorKind::kUnavailable, checks::kRpVerifier,
                                "GET " + url + " answered HTTP " + std::to_string(r.status)});
  }
  return std::move(r.body);
}

// Status lists: this node's own lists through the router (no HTTP to ourselves), others over
// HTTP.
class NodeStatusLists final : public token::StatusListFetcher {
 public:
  NodeStatusLists(const Config& config, const http::Router& router)
      : config_(config),
        router_(router),
        base_(without_trailing_slash(config.effective_public_url())) {}

  Result<std::string> fetch(std::string_view uri) override {
    const std::string u(uri);
    if (u.rfind(base_ + "/", 0) == 0) {
      http::HttpRequest req;
      req.method = "GET";
      req.path = u.substr(base_.size());
      if (const std::size_t q = req.path.find('?'); q != std::string::npos) {
        req.path.resize(q);
      }
      http::HttpResponse r = router_.dispatch(req);
      if (r.status != 200) {
        return tl::unexpected(Error{ErrorKind::kUnavailable, checks::kRpVerifier,
                                    "status list " + u + ": HTTP " + std::to_string(r.status)});
      }
      return std::move(r.body);
    }
    return http_get(config_, u);
  }

 private:
  const Config& config_;
  const http::Router& router_;
  std::string base_;
};

// The tenant this node serves under `issuer`, if any (the issuer rule of Tenants).
std::optional<std::string> local_tenant(const std::string& base, std::string_view issuer) {
  const std::string iss = without_trailing_slash(std::string(issuer));
  if (iss == base) {
    return std::string(kDefaultTenant);
  }
  const std::string prefix = base + "/tenants/";
  if (iss.rfind(prefix, 0) == 0 && iss.size() > prefix.size() &&
      iss.find('/', prefix.size()) == std::string::npos) {
    return iss.substr(prefix.size());
  }
  return std::nullopt;
}

// A string member of untrusted JSON ("" when absent or not a string; never throws).
std::string string_member(const json& j, const char* name) {
  if (!j.is_object()) {
    return "";
  }
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string kek_id(ByteSpan kek) {
  const std::string_view label = "vouch kek id";
  const Bytes mac =
      crypto::hmac(crypto::HashAlg::kSha256, kek,
                   ByteSpan(reinterpret_cast<const std::uint8_t*>(label.data()),  // NOLINT
                            label.size()));
  return hex_encode(ByteSpan(mac.data(), 8));
}

Bytes secrets_kek(ByteSpan kek) {
  // A key of its own for secrets, so signing-key blobs and secret blobs never share a key.
  const std::string_view label = "vouch rp secrets v1";
  return crypto::hmac(crypto::HashAlg::kSha256, kek,
                      ByteSpan(reinterpret_cast<const std::uint8_t*>(label.data()),  // NOLINT
                               label.size()));
}

}  // namespace

RelyingParty::~RelyingParty() = default;

Result<std::unique_ptr<RelyingParty>> RelyingParty::create(ServiceState& state,
                                                           const http::Router& router, Bytes kek) {
  std::unique_ptr<RelyingParty> rp(new RelyingParty());
  rp->state_ = &state;
  rp->secrets_ = std::make_unique<rp::SecretManager>(state.store->secrets(), secrets_kek(kek),
                                                     kek_id(kek), *state.random, *state.clock);
  const Config& config = state.config;
  rp->remote_keys_ = std::make_unique<rp::JwksCache>(
      [&config](const std::string& url) { return http_get(config, url); }, *state.clock);
  const std::string base = without_trailing_slash(config.effective_public_url());
  ServiceState* s = &state;
  rp->issuer_keys_ = std::make_unique<rp::LocalThenRemote>(
      [s, base](std::string_view issuer, bool refresh) -> std::optional<Result<jose::JwkSet>> {
        const auto tenant = local_tenant(base, issuer);
        // Only the tenant's own issuer ("<base>/tenants/default" is not the default tenant's).
        if (!tenant || !s->tenants->get(*tenant) ||
            without_trailing_slash(s->tenants->issuer_for(*tenant)) !=
                without_trailing_slash(std::string(issuer))) {
          return std::nullopt;
        }
        return s->keys->published(*tenant, refresh);
      },
      rp->remote_keys_.get());
  rp->status_lists_ = std::make_unique<NodeStatusLists>(config, router);
  rp::Releaser::Deps deps;
  deps.secrets = rp->secrets_.get();
  deps.issuer_keys = rp->issuer_keys_.get();
  deps.status_lists = rp->status_lists_.get();
  deps.clock = state.clock;
  deps.audit = [s](std::string_view tenant, std::string_view kind, const json& payload) {
    return s->attestor->audit(tenant, kind, payload);
  };
  rp::ReleaseOptions options;
  options.skew = config.rp_skew;
  options.revocation = config.rp_revocation_fail_open ? token::RevocationMode::kFailOpen
                                                      : token::RevocationMode::kFailClosed;
  if (!config.rp_audience.empty()) {
    options.audience = config.rp_audience;
  }
  rp->releaser_ = std::make_unique<rp::Releaser>(std::move(deps), options);
  return rp;
}

Result<rp::Release> RelyingParty::release(const rp::ReleaseRequest& request) {
  return releaser_->release(request);
}

Result<std::string> RelyingParty::appraise(const ForwardedEvidence& evidence,
                                           const std::string& secret) {
  auto token = state_->config.rp_verifier_url.empty() ? appraise_locally(evidence)
                                                      : appraise_remotely(evidence);
  if (!token) {
    const Error& e = token.error();
    const json record = {{"secret", secret},
                         {"flow", "background-check"},
                         {"client", evidence.client_address},
                         {"request_id", evidence.request_id},
                         {"check", std::string(e.check.str())},
                         {"detail", e.detail}};
    VOUCH_RETURN_IF_ERROR(state_->attestor->audit(evidence.tenant, "secret.refuse", record));
  }
  return token;
}

Result<std::string> RelyingParty::appraise_locally(const ForwardedEvidence& evidence) {
  const appraisal::EvidenceVerifier* verifier =
      state_->verifiers.find_media_type(evidence.media_type);
  if (verifier == nullptr) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kMediaType,
                                "unsupported evidence media type '" + evidence.media_type + "'"});
  }
  VOUCH_TRY(auto tenant, state_->tenants->get(evidence.tenant));
  AttestRequest ar;
  ar.tenant = tenant;
  ar.profile = ResultProfile::kEar;
  ar.evidence.type = verifier->type();
  ar.evidence.evidence = evidence.evidence;
  ar.evidence.nonce = evidence.nonce;
  ar.evidence.runtime_data = appraisal::BoundData{evidence.runtime_data, true};
  ar.nonce = base64url_encode(evidence.nonce);
  ar.client_address = evidence.client_address;
  ar.request_id = evidence.request_id;
  VOUCH_TRY(AttestOutcome outcome, state_->attestor->attest(ar));
  if (!outcome.appraisal.permitted()) {
    if (outcome.appraisal.error) {
      return tl::unexpected(*outcome.appraisal.error);
    }
    return tl::unexpected(Error{ErrorKind::kPolicyDenied, checks::kRpEvidenceDenied,
                                "the verifier's policy did not permit the evidence"});
  }
  if (!outcome.token) {
    return tl::unexpected(
        Error{ErrorKind::kInternal, checks::kRpVerifier, "the verifier issued no result"});
  }
  return std::move(*outcome.token);
}

Result<std::string> RelyingParty::appraise_remotely(const ForwardedEvidence& evidence) {
  const std::string base = without_trailing_slash(state_->config.rp_verifier_url);
  http::HttpClient client(client_options(state_->config));
  auto unavailable = [&](const std::string& what) {
    return tl::unexpected(
        Error{ErrorKind::kUnavailable, checks::kRpVerifier, "verifier " + base + ": " + what});
  };
  http::ClientRequest open;
  open.method = "POST";
  open.url = base + "/challenge-response/v1/newSession?nonce=" + base64url_encode(evidence.nonce);
  auto opened = client.send(open);
  if (!opened) {
    return unavailable(opened.error().detail);
  }
  const std::string location = opened->header("location");
  if (opened->status != 201 || location.empty()) {
    return unavailable("newSession answered HTTP " + std::to_string(opened->status));
  }
  http::HttpClient client2(client_options(state_->config));
  http::ClientRequest submit;
  submit.method = "POST";
  // The verifier names the session by absolute URL on its own origin, or by path; the evidence
  // never goes anywhere else.
  if (location.rfind("http", 0) == 0) {
    auto session_url = http::parse_url(location);
    auto verifier_url = http::parse_url(base);
    if (!session_url || !verifier_url || session_url->tls != verifier_url->tls ||
        session_url->host != verifier_url->host || session_url->port != verifier_url->port) {
      return unavailable("the session URL " + location + " is not on the verifier's origin");
    }
    submit.url = location;
  } else if (location.rfind('/', 0) == 0) {
    auto verifier_url = http::parse_url(base);
    if (!verifier_url) {
      return unavailable("verifier_url is not a URL");
    }
    submit.url =
        (verifier_url->tls ? "https://" : "http://") + verifier_url->authority() + location;
  } else {
    return unavailable("the session Location is neither a URL nor a path");
  }
  submit.headers = {{"content-type", evidence.media_type},
                    {"vouch-runtime-data", base64url_encode(evidence.runtime_data)}};
  submit.body.assign(evidence.evidence.begin(), evidence.evidence.end());
  auto answered = client2.send(submit);
  if (!answered) {
    return unavailable(answered.error().detail);
  }
  const json body = json::parse(answered->body, nullptr, false);
  if (!body.is_object()) {
    return unavailable("session answer is not JSON (HTTP " + std::to_string(answered->status) +
                       ")");
  }
  const std::string remote_check = string_member(body, "check");
  if (answered->status != 200) {
    const std::string why = "HTTP " + std::to_string(answered->status) + " " + remote_check + ": " +
                            string_member(body, "detail");
    if (answered->status == 503 || answered->status == 429 || answered->status >= 500) {
      return unavailable(why);
    }
    return tl::unexpected(Error{ErrorKind::kEvidenceRejected, checks::kRpEvidenceRejected,
                                "verifier " + base + ": " + why});
  }
  const auto appraisal_it = body.find("appraisal");
  const json appraisal =
      appraisal_it != body.end() && appraisal_it->is_object() ? *appraisal_it : json::object();
  const std::string verdict = string_member(appraisal, "verdict");
  const std::string detail = "verifier " + base + ": " + string_member(appraisal, "check") + ": " +
                             string_member(appraisal, "detail");
  if (verdict == "reject") {
    return tl::unexpected(Error{ErrorKind::kEvidenceRejected, checks::kRpEvidenceRejected, detail});
  }
  if (verdict != "permit") {
    return tl::unexpected(Error{ErrorKind::kPolicyDenied, checks::kRpEvidenceDenied, detail});
  }
  const std::string result = string_member(body, "result");
  if (result.empty()) {
    return unavailable("session answer has no result");
  }
  return result;
}

}  // namespace vouch::service
