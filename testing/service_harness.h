#pragma once

// A `vouch serve` for integration tests: Service::start in dev mode on 127.0.0.1 (port 0), plain
// HTTP, a fresh data directory, an injected settable clock, and the bootstrap verifier-owner key
// of the default tenant read back from the data directory. Requests go over a real socket through
// HttpClient. Also the evidence helpers the service tests share (software TPM quotes as the TPM
// bundle, MAA request bodies, token checks). Test only: never linked into apps/.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "appraisal/verifier.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "evidence/tpm/verify.h"
#include "jose/keys.h"
#include "service/config.h"
#include "service/service.h"
#include "testing/http_client.h"
#include "testing/temp_dir.h"
#include "testing/tpm_quote_builder.h"

namespace vouch::testing {

// SettableClock is a Clock tests move by hand while server threads read it.
class SettableClock final : public Clock {
 public:
  explicit SettableClock(Timestamp t) noexcept : seconds_(unix_seconds(t)) {}
  Timestamp now() const override { return from_unix_seconds(seconds_.load()); }
  void set(Timestamp t) noexcept { seconds_.store(unix_seconds(t)); }
  void advance(std::chrono::seconds d) noexcept { seconds_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> seconds_;
};

// The time the harness starts at unless told otherwise: 2025-01-01T00:00:00Z, inside the validity
// of the fake AMD PKI and of the go-sev-guest VCEK in ../shared/vectors.
Timestamp service_test_start_time();

struct ServiceHarnessOptions {
  Timestamp start_time = service_test_start_time();
  // Verifiers to serve; empty: the built-in set.
  std::vector<std::unique_ptr<appraisal::EvidenceVerifier>> verifiers;
  // Changes the configuration before start (limits, token lifetime, ...).
  std::function<void(service::Config&)> configure;
};

// ServiceHarness runs one service for one test. Check started() (ASSERT) before use. When it is
// destroyed, every line the service logged at level "error" (5xx responses included) fails the
// test.
class ServiceHarness {
 public:
  explicit ServiceHarness(ServiceHarnessOptions options = {});
  ~ServiceHarness();
  ServiceHarness(const ServiceHarness&) = delete;
  ServiceHarness& operator=(const ServiceHarness&) = delete;

  bool started() const noexcept { return service_ != nullptr && !admin_key_.empty(); }
  // Why start failed ("" when it did not).
  const std::string& start_error() const noexcept { return start_error_; }

  SettableClock& clock() noexcept { return clock_; }
  service::Service& service() { return *service_; }
  std::uint16_t port() const { return service_->port(); }
  // The base URL, which is also the default tenant's issuer.
  std::string url() const { return service_->url(); }
  const std::string& data_dir() const noexcept { return data_dir_; }
  // The bootstrap verifier-owner API key of the default tenant.
  const std::string& admin_key() const noexcept { return admin_key_; }

  // One request on the harness's keep-alive connection (reconnecting when the server closed it).
  ClientResponse request(const std::string& method, const std::string& target,
                         const std::string& body = {},
                         const std::map<std::string, std::string>& headers = {});
  // Shorthands: `key` non-empty adds "Authorization: Bearer <key>"; bodies are JSON.
  ClientResponse get(const std::string& target, const std::string& key = {});
  ClientResponse post(const std::string& target, const std::string& body,
                      const std::string& key = {},
                      const std::string& content_type = "application/json");
  ClientResponse post_json(const std::string& target, const nlohmann::json& body,
                           const std::string& key = {});
  ClientResponse put(const std::string& target, const std::string& body,
                     const std::string& key = {});
  ClientResponse del(const std::string& target, const std::string& key = {});

  // The JWKS of a tenant ("" the default tenant) from GET <prefix>/certs.
  jose::JwkSet jwks(const std::string& tenant_prefix = {});
  // Verifies a token against GET <prefix>/certs; fails the test and returns null when it does
  // not verify.
  nlohmann::json verify_token(const std::string& token, const std::string& tenant_prefix = {});

  // Stops the service (idempotent); the destructor calls it.
  void stop();
  // The structured log written so far (read it after stop()).
  std::string log_text() const { return log_.str(); }

 private:
  TempDir dir_;
  SettableClock clock_;
  std::ostringstream log_;
  std::unique_ptr<service::Service> service_;
  std::unique_ptr<HttpClient> client_;
  std::string data_dir_;
  std::string admin_key_;
  std::string start_error_;
};

// The parsed JSON body of a response (null when it is not JSON).
nlohmann::json body_json(const ClientResponse& r);
// The check id an error response names: "check" of problem+json, error.innererror.code of the
// MAA error shape ("" when neither).
std::string check_of(const ClientResponse& r);
// A response header (name in lower case), "" when absent.
std::string header_of(const ClientResponse& r, const std::string& name);
// The MAA error code (error.code), "" when absent.
std::string maa_code_of(const ClientResponse& r);

// base64url without padding of text.
std::string b64url(std::string_view text);
// Decodes base64/base64url text (padded or not); fails the test and returns "" when invalid.
std::string unb64(std::string_view text);
// The claims of a JWT without checking anything (for unsigned draft-policy tokens).
nlohmann::json jwt_claims_unverified(const std::string& token);
nlohmann::json jwt_header_unverified(const std::string& token);

// An alg-none policy JWS {"AttestationPolicy": base64url(text)}, as PUT /policies/{type} takes.
std::string unsigned_policy_jws(const std::string& policy_text);

// TpmAttester is a software TPM: an AK and PCR values it quotes into Vouch's TPM bundle
// (evidence/tpm/bundle.h, media type application/vnd.vouch.tpm-quote+json).
class TpmAttester {
 public:
  explicit TpmAttester(bool ecc = true);
  // base64 of the AK's TPM2B_PUBLIC, for POST /admin/tpm/aks {"ak_public": ...}.
  std::string ak_public_b64() const;
  // The AK's TPM object name, lowercase hex (the "tpm.ak.name" claim).
  std::string ak_name_hex() const;
  // A bundle JSON whose quote carries `extra_data` (nonce or binding digest), with the AK's
  // certificate chain (DER, leaf first) when given.
  std::string bundle(ByteSpan extra_data, const std::vector<Bytes>& ak_chain = {}) const;
  // The MAA /attest/Tpm body {"data": base64url(bundle)} plus `extra` members.
  std::string maa_body(ByteSpan extra_data,
                       const nlohmann::json& extra = nlohmann::json::object()) const;

  const SoftwareAk& ak() const noexcept { return ak_; }
  tpm::PcrValues& pcrs() noexcept { return pcrs_; }

 private:
  SoftwareAk ak_;
  tpm::PcrValues pcrs_;
};

// Pins `attester`'s AK for a tenant through POST <prefix>/admin/tpm/aks; returns the status.
int pin_ak(ServiceHarness& h, const TpmAttester& attester, const std::string& key,
           const std::string& tenant_prefix = {});

// Extracts the JWT from an /attest/Tpm reply {"data": base64url({"report": JWT})}; "" (and a
// test failure) when the reply is not of that shape.
std::string tpm_report_token(const ClientResponse& r);

}  // namespace vouch::testing
