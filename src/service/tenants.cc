#include "service/tenants.h"

#include "jose/alg.h"
#include "service/cache_age.h"
#include "service/check_ids.h"

namespace vouch::service {
namespace {

constexpr std::chrono::seconds kCacheTtl{5};

Error settings_error(std::string detail) {
  return Error{ErrorKind::kInvalidArgument, checks::kTenantSettings, std::move(detail)};
}

Result<std::vector<std::string>> string_list(const nlohmann::json& v, std::string_view name) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array()) {
    return tl::unexpected(settings_error(std::string(name) + " must be a string or an array"));
  }
  for (const auto& e : v) {
    if (!e.is_string()) {
      return tl::unexpected(settings_error(std::string(name) + " must hold strings"));
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

Result<TenantSettings> TenantSettings::from_json(const nlohmann::json& json) {
  TenantSettings s;
  if (!json.is_object()) {
    return tl::unexpected(settings_error("settings must be a JSON object"));
  }
  for (const auto& [key, v] : json.items()) {
    if (key == "token_lifetime_seconds") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 60 ||
          v.get<std::int64_t>() > 366 * 24 * 3600) {
        return tl::unexpected(settings_error("token_lifetime_seconds must be 60..31622400"));
      }
      s.token_lifetime = std::chrono::seconds(v.get<std::int64_t>());
    } else if (key == "audience") {
      VOUCH_TRY(s.audience, string_list(v, key));
    } else if (key == "signing_alg") {
      auto alg = v.is_string() ? jose::jws_alg_from_name(v.get<std::string>()) : std::nullopt;
      if (!alg) {
        return tl::unexpected(settings_error("signing_alg must be ES256, ES384, RS256 or PS256"));
      }
      s.signing_alg = *alg;
    } else if (key == "attestation_requires_key" || key == "isolated" ||
               key == "require_revocation") {
      if (!v.is_boolean()) {
        return tl::unexpected(settings_error(key + " must be a boolean"));
      }
      (key == "isolated"             ? s.isolated
       : key == "require_revocation" ? s.require_revocation
                                     : s.attestation_requires_key) = v.get<bool>();
    } else if (key == "policy_certificates") {
      VOUCH_TRY(s.policy_certificates, string_list(v, key));
    } else if (key == "tpm_ca_certificates") {
      VOUCH_TRY(s.tpm_ca_certificates, string_list(v, key));
    } else if (key == "tcb_baseline") {
      // "latest", "early", or a tcbEvaluationDataNumber (number or decimal string).
      const std::string text = v.is_number_unsigned() ? std::to_string(v.get<std::uint64_t>())
                               : v.is_string()        ? v.get<std::string>()
                                                      : std::string();
      auto baseline = collateral::parse_tcb_baseline(text);
      if (!baseline) {
        return tl::unexpected(settings_error(
            "tcb_baseline must be \"latest\", \"early\" or a tcbEvaluationDataNumber"));
      }
      s.tcb_baseline = *baseline;
    } else {
      return tl::unexpected(settings_error("unknown setting '" + key + "'"));
    }
  }
  return s;
}

nlohmann::json TenantSettings::to_json() const {
  nlohmann::json j = {{"token_lifetime_seconds", token_lifetime.count()},
                      {"signing_alg", std::string(jose::jws_alg_name(signing_alg))},
                      {"attestation_requires_key", attestation_requires_key},
                      {"isolated", isolated},
                      {"require_revocation", require_revocation}};
  if (!audience.empty()) {
    j["audience"] = audience;
  }
  if (!policy_certificates.empty()) {
    j["policy_certificates"] = policy_certificates;
  }
  if (!tpm_ca_certificates.empty()) {
    j["tpm_ca_certificates"] = tpm_ca_certificates;
  }
  if (tcb_baseline.kind == collateral::TcbBaseline::Kind::kNumber) {
    j["tcb_baseline"] = tcb_baseline.number;
  } else if (!tcb_baseline.is_latest()) {
    j["tcb_baseline"] = collateral::tcb_baseline_name(tcb_baseline);
  }
  return j;
}

bool valid_tenant_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string Tenants::issuer_for(std::string_view name) const {
  if (name == kDefaultTenant) {
    return public_url_;
  }
  return public_url_ + "/tenants/" + std::string(name);
}

Status Tenants::ensure_default(const TenantSettings& defaults) {
  auto got = store_.get(kDefaultTenant);
  if (got) {
    return {};
  }
  if (got.error().kind != ErrorKind::kNotFound) {
    return tl::unexpected(std::move(got.error()));
  }
  store::Tenant t;
  t.name = std::string(kDefaultTenant);
  t.issuer = issuer_for(kDefaultTenant);
  t.settings = defaults.to_json();
  t.created_at = t.updated_at = clock_.now();
  auto created = store_.create(t);
  if (!created && created.error().kind != ErrorKind::kAlreadyExists) {  // another node won
    return tl::unexpected(std::move(created.error()));
  }
  return {};
}

Result<std::shared_ptr<const TenantView>> Tenants::view(const store::Tenant& t) {
  auto v = std::make_shared<TenantView>();
  v->name = t.name;
  v->issuer = issuer_for(t.name);  // the rule, not the stored copy: public_url may change
  v->revision = t.revision;
  VOUCH_TRY(v->settings, TenantSettings::from_json(t.settings));
  if (!v->settings.tpm_ca_certificates.empty()) {
    std::vector<crypto::Certificate> anchors;
    for (const auto& pem : v->settings.tpm_ca_certificates) {
      auto cert = crypto::Certificate::from_pem(pem);
      if (!cert) {
        return tl::unexpected(settings_error("tpm_ca_certificates: " + cert.error().detail));
      }
      anchors.push_back(std::move(*cert));
    }
    VOUCH_TRY(crypto::TrustStore store, crypto::TrustStore::create(anchors));
    v->tpm_anchors = std::make_shared<const crypto::TrustStore>(std::move(store));
  }
  return std::shared_ptr<const TenantView>(std::move(v));
}

Result<std::shared_ptr<const TenantView>> Tenants::get(std::string_view name) {
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && cache_fresh(now, it->second.loaded, kCacheTtl)) {
      return it->second.view;
    }
  }
  if (!valid_tenant_name(name)) {
    return tl::unexpected(Error{ErrorKind::kNotFound, checks::kTenantUnknown,
                                "no tenant named '" + std::string(name) + "'"});
  }
  auto t = store_.get(name);
  if (!t) {
    if (t.error().kind == ErrorKind::kNotFound) {
      return tl::unexpected(Error{ErrorKind::kNotFound, checks::kTenantUnknown,
                                  "no tenant named '" + std::string(name) + "'"});
    }
    return tl::unexpected(std::move(t.error()));
  }
  VOUCH_TRY(auto v, view(*t));
  std::lock_guard lock(mu_);
  cache_[std::string(name)] = Cached{v, now};
  return v;
}

Result<std::shared_ptr<const TenantView>> Tenants::create(std::string_view name,
                                                          const TenantSettings& settings) {
  if (!valid_tenant_name(name)) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kTenantName,
                                "tenant names are 1 to 63 of a-z, 0-9 and '-'"});
  }
  store::Tenant t;
  t.name = std::string(name);
  t.issuer = issuer_for(name);
  t.settings = settings.to_json();
  t.created_at = t.updated_at = clock_.now();
  // Settings that do not load (a tpm_ca_certificates entry that is not PEM) are refused before
  // they are stored: a stored tenant whose view cannot be built would answer nothing at all.
  VOUCH_RETURN_IF_ERROR(view(t));
  VOUCH_TRY(store::Tenant stored, store_.create(t));
  VOUCH_TRY(auto v, view(stored));
  std::lock_guard lock(mu_);
  cache_[std::string(name)] = Cached{v, clock_.now()};
  return v;
}

Result<std::shared_ptr<const TenantView>> Tenants::update(std::string_view name,
                                                          const TenantSettings& settings) {
  store::TenantUpdate u;
  u.name = std::string(name);
  u.issuer = issuer_for(name);
  u.settings = settings.to_json();
  u.updated_at = clock_.now();
  store::Tenant candidate;  // as for create: check the settings load before storing them
  candidate.name = u.name;
  candidate.settings = u.settings;
  VOUCH_RETURN_IF_ERROR(view(candidate));
  VOUCH_TRY(store::Tenant stored, store_.update(u));
  VOUCH_TRY(auto v, view(stored));
  std::lock_guard lock(mu_);
  cache_[std::string(name)] = Cached{v, clock_.now()};
  return v;
}

Status Tenants::remove(std::string_view name) {
  if (name == kDefaultTenant) {
    return tl::unexpected(Error{ErrorKind::kFailedPrecondition, checks::kTenantName,
                                "the default tenant cannot be deleted"});
  }
  VOUCH_RETURN_IF_ERROR(store_.remove(name));
  invalidate();
  return {};
}

Result<std::vector<std::string>> Tenants::names() {
  VOUCH_TRY(auto all, store_.list());
  std::vector<std::string> out;
  for (auto& t : all) {
    out.push_back(std::move(t.name));
  }
  return out;
}

void Tenants::invalidate() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

}  // namespace vouch::service
