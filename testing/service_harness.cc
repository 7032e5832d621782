#include "testing/service_harness.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/encoding.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/bundle.h"
#include "jose/signature.h"
#include "testing/temp_dir.h"

namespace vouch::testing {
namespace {

// The JSON of one compact-JWT segment (0: header, 1: claims), null when malformed.
nlohmann::json jwt_segment(const std::string& token, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) {
    start = token.find('.', start);
    if (start == std::string::npos) {
      return nullptr;
    }
    ++start;
  }
  const std::size_t end = token.find('.', start);
  if (end == std::string::npos) {
    return nullptr;
  }
  auto bytes = base64_decode_any(std::string_view(token).substr(start, end - start));
  if (!bytes) {
    return nullptr;
  }
  return nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
}

}  // namespace

Timestamp service_test_start_time() {
  return from_unix_seconds(1735689600);
}

ServiceHarness::ServiceHarness(ServiceHarnessOptions options) : clock_(options.start_time) {
  service::Config config;
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.threads = 2;
  config.tls_mode = service::TlsMode::kOff;
  config.dev = true;
  config.data_dir = dir_.file("data");
  config.log_level = "info";
  if (options.configure) {
    options.configure(config);
  }
  data_dir_ = config.data_dir;
  service::Dependencies deps;
  deps.clock = &clock_;
  deps.log = &log_;
  deps.verifiers = std::move(options.verifiers);
  auto started = service::Service::start(config, std::move(deps));
  if (!started) {
    start_error_ = started.error().to_string();
    return;
  }
  service_ = std::move(*started);
  admin_key_ = read_trimmed(config.data_dir + "/bootstrap-admin-key");
  if (admin_key_.empty()) {
    start_error_ = "no bootstrap-admin-key in the data directory";
  }
  client_ = std::make_unique<HttpClient>("127.0.0.1", service_->port());
}

ServiceHarness::~ServiceHarness() {
  stop();
  // A request that failed with a 5xx (or anything else logged as an error) is a bug the test
  // may not have looked for: fail it here.
  std::istringstream lines(log_.str());
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("level", "") == "error") {
      ADD_FAILURE() << "the service logged an error: " << line;
    }
  }
}

void ServiceHarness::stop() {
  client_.reset();
  if (service_ != nullptr) {
    service_->stop();
    service_->wait();
    service_.reset();
  }
}

ClientResponse ServiceHarness::request(const std::string& method, const std::string& target,
                                       const std::string& body,
                                       const std::map<std::string, std::string>& headers) {
  if (client_ == nullptr) {
    ADD_FAILURE() << "the service is not running";
    return {};
  }
  return client_->request(method, target, body, headers);
}

ClientResponse ServiceHarness::get(const std::string& target, const std::string& key) {
  std::map<std::string, std::string> headers;
  if (!key.empty()) {
    headers["authorization"] = "Bearer " + key;
  }
  return request("GET", target, {}, headers);
}

ClientResponse ServiceHarness::post(const std::string& target, const std::string& body,
                                    const std::string& key, const std::string& content_type) {
  std::map<std::string, std::string> headers = {{"content-type", content_type}};
  if (!key.empty()) {
    headers["authorization"] = "Bearer " + key;
  }
  return request("POST", target, body, headers);
}

ClientResponse ServiceHarness::post_json(const std::string& target, const nlohmann::json& body,
                                         const std::string& key) {
  return post(target, body.dump(), key);
}

ClientResponse ServiceHarness::put(const std::string& target, const std::string& body,
                                   const std::string& key) {
  std::map<std::string, std::string> headers = {{"content-type", "text/plain"}};
  if (!key.empty()) {
    headers["authorization"] = "Bearer " + key;
  }
  return request("PUT", target, body, headers);
}

ClientResponse ServiceHarness::del(const std::string& target, const std::string& key) {
  std::map<std::string, std::string> headers;
  if (!key.empty()) {
    headers["authorization"] = "Bearer " + key;
  }
  return request("DELETE", target, {}, headers);
}

jose::JwkSet ServiceHarness::jwks(const std::string& tenant_prefix) {
  const ClientResponse r = get(tenant_prefix + "/certs");
  EXPECT_EQ(r.status, 200) << r.body;
  auto set = jose::parse_jwks(r.body);
  EXPECT_TRUE(set.has_value()) << (set ? "" : set.error().to_string());
  return set ? *set : jose::JwkSet{};
}

nlohmann::json ServiceHarness::verify_token(const std::string& token,
                                            const std::string& tenant_prefix) {
  const jose::JwkSet keys = jwks(tenant_prefix);
  auto verified = jose::jwt_verify_compact(token, keys);
  if (!verified) {
    ADD_FAILURE() << "token does not verify against " << tenant_prefix
                  << "/certs: " << verified.error().to_string();
    return nullptr;
  }
  return verified->claims;
}

nlohmann::json body_json(const ClientResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, false);
}

std::string check_of(const ClientResponse& r) {
  const nlohmann::json j = body_json(r);
  if (!j.is_object()) {
    return "";
  }
  if (j.contains("check") && j["check"].is_string()) {
    return j["check"].get<std::string>();
  }
  if (j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    if (e.contains("innererror") && e["innererror"].is_object() &&
        e["innererror"].contains("code") && e["innererror"]["code"].is_string()) {
      return e["innererror"]["code"].get<std::string>();
    }
  }
  return "";
}

std::string header_of(const ClientResponse& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

std::string maa_code_of(const ClientResponse& r) {
  const nlohmann::json j = body_json(r);
  if (j.is_object() && j.contains("error") && j["error"].is_object() &&
      j["error"].contains("code") && j["error"]["code"].is_string()) {
    return j["error"]["code"].get<std::string>();
  }
  return "";
}

std::string b64url(std::string_view text) {
  return base64url_encode(as_bytes(text));
}

std::string unb64(std::string_view text) {
  auto bytes = base64_decode_any(text);
  if (!bytes) {
    ADD_FAILURE() << "not base64: " << text.substr(0, 64);
    return "";
  }
  return std::string(bytes->begin(), bytes->end());
}

nlohmann::json jwt_claims_unverified(const std::string& token) {
  return jwt_segment(token, 1);
}
nlohmann::json jwt_header_unverified(const std::string& token) {
  return jwt_segment(token, 0);
}

std::string unsigned_policy_jws(const std::string& policy_text) {
  auto jws = jose::make_unsecured_jwt(nlohmann::json::object(),
                                      {{"AttestationPolicy", b64url(policy_text)}});
  EXPECT_TRUE(jws.has_value());
  return jws ? *jws : "";
}

TpmAttester::TpmAttester(bool ecc) : ak_(make_software_ak(ecc)) {
  auto& bank = pcrs_[crypto::HashAlg::kSha256];
  for (std::uint32_t i = 0; i < 8; ++i) {
    bank[i] = Bytes(32, static_cast<std::uint8_t>(0xa0 + i));
  }
}

std::string TpmAttester::ak_public_b64() const {
  const Bytes tpmt = tpm::serialize(ak_.pub);
  Bytes tpm2b = {static_cast<std::uint8_t>(tpmt.size() >> 8),
                 static_cast<std::uint8_t>(tpmt.size() & 0xff)};
  tpm2b.insert(tpm2b.end(), tpmt.begin(), tpmt.end());
  return base64_encode(tpm2b);
}

std::string TpmAttester::ak_name_hex() const {
  auto name = tpm::object_name(ak_.pub);
  EXPECT_TRUE(name.has_value());
  return name ? hex_encode(*name) : "";
}

std::string TpmAttester::bundle(ByteSpan extra_data, const std::vector<Bytes>& ak_chain) const {
  const QuoteFixture q = make_quote(ak_, extra_data, pcrs_);
  tpm::TpmBundle b;
  b.quote = q.quote;
  b.signature = q.signature;
  b.ak_public = tpm::serialize(ak_.pub);
  b.ak_certificate_chain = ak_chain;
  b.pcrs = pcrs_;
  return tpm::serialize_bundle(b);
}

std::string TpmAttester::maa_body(ByteSpan extra_data, const nlohmann::json& extra) const {
  nlohmann::json body = extra;
  body["data"] = b64url(bundle(extra_data));
  return body.dump();
}

int pin_ak(ServiceHarness& h, const TpmAttester& attester, const std::string& key,
           const std::string& tenant_prefix) {
  return h
      .post_json(tenant_prefix + "/admin/tpm/aks",
                 nlohmann::json{{"ak_public", attester.ak_public_b64()}}, key)
      .status;
}

std::string tpm_report_token(const ClientResponse& r) {
  const nlohmann::json j = body_json(r);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_string()) {
    ADD_FAILURE() << "not an /attest/Tpm reply: " << r.body.substr(0, 200);
    return "";
  }
  const nlohmann::json inner =
      nlohmann::json::parse(unb64(j["data"].get<std::string>()), nullptr, false);
  if (!inner.is_object() || !inner.contains("report") || !inner["report"].is_string()) {
    ADD_FAILURE() << "the reply's data is not {\"report\": JWT}";
    return "";
  }
  return inner["report"].get<std::string>();
}

}  // namespace vouch::testing
