// TPM attestation-key enrolment through the endorsement key (TPM 2.0 Part 1, 24): the attester
// sends its EK certificate, EK public area and AK public area; the service checks the EK
// certificate against the tenant's TPM manufacturer CAs and answers a MakeCredential challenge
// bound to the AK's Name. Only the TPM holding both keys can recover the secret with
// ActivateCredential; returning it registers the AK for the tenant (problem+json errors).

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "crypto/digest.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/ak.h"
#include "evidence/tpm/credential.h"
#include "service/auth.h"
#include "service/check_ids.h"
#include "service/errors.h"
#include "service/rp_request.h"
#include "service/state.h"

namespace vouch::service {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::PathParams;
using nlohmann::json;

constexpr std::chrono::seconds kChallengeTtl{300};
constexpr std::size_t kSecretSize = 32;

HttpResponse error_response(const Error& e) {
  return problem(e, "");
}

Result<Bytes> b64_member(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                std::string(name) + ": missing or not a base64 string"});
  }
  auto bytes = base64_decode_any(it->get<std::string>());
  if (!bytes) {
    return tl::unexpected(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                std::string(name) + ": " + bytes.error().detail});
  }
  return bytes;
}

class EnrollRoutes {
 public:
  explicit EnrollRoutes(ServiceState& s) : s_(s) {}

  HttpResponse start(const HttpRequest& req, const std::string& tenant_name) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize_attestation(s_.store->api_keys(), req, tenant_name,
                                             tenant->settings.attestation_requires_key,
                                             s_.clock->now()));
    if (!tenant->tpm_anchors) {
      return error_response(Error{ErrorKind::kFailedPrecondition, checks::kTenantSettings,
                                  "the tenant has no TPM manufacturer CAs "
                                  "(settings.tpm_ca_certificates)"});
    }
    VOUCH_TRY_RESPONSE_DECL(json body, parse_json_object_body(req.body));
    VOUCH_TRY_RESPONSE_DECL(Bytes ek_cert_der, b64_member(body, "ek_certificate"));
    VOUCH_TRY_RESPONSE_DECL(Bytes ek_public_bytes, b64_member(body, "ek_public"));
    VOUCH_TRY_RESPONSE_DECL(Bytes ak_public, b64_member(body, "ak_public"));
    std::vector<crypto::Certificate> intermediates;
    if (auto it = body.find("ek_certificate_chain"); it != body.end() && it->is_array()) {
      for (const auto& e : *it) {
        auto der = e.is_string() ? base64_decode_any(e.get<std::string>())
                                 : Result<Bytes>(tl::unexpected(
                                       Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                             "ek_certificate_chain: entries are base64 DER"}));
        VOUCH_TRY_RESPONSE_DECL(Bytes d, std::move(der));
        VOUCH_TRY_RESPONSE_DECL(crypto::Certificate c, crypto::Certificate::from_der(d));
        intermediates.push_back(std::move(c));
      }
    }
    VOUCH_TRY_RESPONSE_DECL(crypto::Certificate ek_cert,
                            crypto::Certificate::from_der(ek_cert_der));
    VOUCH_TRY_RESPONSE_DECL(tpm::Public ek, tpm::parse_public_2b(ek_public_bytes));
    VOUCH_TRY_RESPONSE_DECL(crypto::PublicKey ek_key, tpm::to_public_key(ek));
    VOUCH_TRY_RESPONSE(tpm::verify_ek_certificate(ek_cert, ek_key, *tenant->tpm_anchors,
                                                  intermediates, s_.clock->now()));
    // The AK must be a TPM public area (its Name is what the credential binds) and a restricted
    // signing key (load_ak checks the attributes).
    VOUCH_TRY_RESPONSE_DECL(tpm::Ak ak, tpm::load_ak(ak_public));
    if (!ak.tpm_public) {
      return error_response(Error{ErrorKind::kInvalidArgument, checks::kRequestField,
                                  "ak_public must be a TPM2B_PUBLIC or TPMT_PUBLIC"});
    }
    VOUCH_TRY_RESPONSE_DECL(Bytes ak_name, tpm::object_name(*ak.tpm_public));
    VOUCH_TRY_RESPONSE_DECL(Bytes secret, s_.random->bytes(kSecretSize));
    VOUCH_TRY_RESPONSE_DECL(tpm::CredentialChallenge credential,
                            tpm::make_credential(ek, ak_name, secret, *s_.random));
    VOUCH_TRY_RESPONSE_DECL(Bytes id_bytes, s_.random->bytes(16));
    store::CredentialChallenge c;
    c.tenant = tenant_name;
    c.id = hex_encode(id_bytes);
    c.ak_name = ak_name;
    c.ak_public = ak_public;
    c.ek_certificate_digest = crypto::digest(crypto::HashAlg::kSha256, ek_cert.der());
    c.expected = crypto::digest(crypto::HashAlg::kSha256, secret);  // never the secret itself
    c.created_at = s_.clock->now();
    c.expires_at = c.created_at + kChallengeTtl;
    VOUCH_TRY_RESPONSE(s_.store->enrollment().add_challenge(c));
    const std::string prefix = tenant_name == kDefaultTenant ? "" : "/tenants/" + tenant_name;
    auto r = HttpResponse::json(
        201, json{{"id", c.id},
                  {"ak_name", hex_encode(ak_name)},
                  {"credential_blob", base64_encode(credential.tpm2_tools_blob())},
                  {"id_object", base64_encode(credential.id_object)},
                  {"encrypted_secret", base64_encode(credential.encrypted_secret)},
                  {"expires", format_rfc3339(c.expires_at)}});
    r.set_header("location",
                 s_.config.effective_public_url() + prefix + "/tpm/v1/enrollments/" + c.id);
    return r;
  }

  HttpResponse finish(const HttpRequest& req, const std::string& tenant_name,
                      const PathParams& params) {
    VOUCH_TRY_RESPONSE_DECL(auto tenant, s_.tenants->get(tenant_name));
    VOUCH_TRY_RESPONSE(authorize_attestation(s_.store->api_keys(), req, tenant_name,
                                             tenant->settings.attestation_requires_key,
                                             s_.clock->now()));
    VOUCH_TRY_RESPONSE_DECL(json body, parse_json_object_body(req.body));
    VOUCH_TRY_RESPONSE_DECL(Bytes secret, b64_member(body, "secret"));
    // Taken before comparing: a challenge is answered once, right or wrong.
    VOUCH_TRY_RESPONSE_DECL(
        store::CredentialChallenge c,
        s_.store->enrollment().take_challenge(tenant_name, params.at("id"), s_.clock->now()));
    const Bytes got = crypto::digest(crypto::HashAlg::kSha256, secret);
    if (got.size() != c.expected.size() ||
        CRYPTO_memcmp(got.data(), c.expected.data(), got.size()) != 0) {
      (void)s_.attestor->audit(
          tenant_name, "tpm.enroll.refused",
          {{"ak_name", hex_encode(c.ak_name)}, {"client", req.client_address}});
      return error_response(Error{ErrorKind::kEvidenceRejected, checks::kEnrollSecret,
                                  "the returned secret is not the credential's: the AK and EK "
                                  "are not in one TPM"});
    }
    store::EnrolledAk ak;
    ak.tenant = tenant_name;
    VOUCH_TRY_RESPONSE_DECL(tpm::Ak loaded, tpm::load_ak(c.ak_public));
    VOUCH_TRY_RESPONSE_DECL(ak.ak_name, tpm::registration_name(loaded));  // not the TPM Name
    ak.ak_public = c.ak_public;
    ak.ek_certificate_digest = c.ek_certificate_digest;
    ak.enrolled_at = s_.clock->now();
    VOUCH_TRY_RESPONSE(s_.store->enrollment().register_ak(ak));
    VOUCH_TRY_RESPONSE(
        s_.attestor->audit(tenant_name, "tpm.enroll",
                           {{"ak_name", hex_encode(c.ak_name)},
                            {"registration_name", hex_encode(ak.ak_name)},
                            {"ek_certificate_sha256", hex_encode(ak.ek_certificate_digest)}}));
    return HttpResponse::json(201, json{{"ak_name", hex_encode(c.ak_name)},
                                        {"registration_name", hex_encode(ak.ak_name)},
                                        {"enrolled", true}});
  }

 private:
  ServiceState& s_;
};

}  // namespace

void add_enroll_routes(http::Router& router, ServiceState& state) {
  auto r = std::make_shared<EnrollRoutes>(state);
  add_tenant_route(router, "POST", "/tpm/v1/enrollments", member_route(r, &EnrollRoutes::start));
  add_tenant_route(router, "POST", "/tpm/v1/enrollments/{id}",
                   member_route(r, &EnrollRoutes::finish));
}

}  // namespace vouch::service
