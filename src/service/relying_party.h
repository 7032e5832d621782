#pragma once

// The relying party as this node runs it (docs/relying-party.md): the secret manager and the
// releaser of src/rp wired to this node's store, keys and verifier. Issuers this node serves are
// checked in-process (their JWKS and status lists without HTTP); others over HTTP. In the
// background-check model the evidence goes to the in-process Attestor, or to a remote verifier's
// RATS API when [relying_party] verifier_url is set.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "rp/issuer_keys.h"
#include "rp/release.h"
#include "rp/secrets.h"
#include "service/http/router.h"

namespace vouch::service {

struct ServiceState;

// Evidence the background-check model forwards to the verifier.
struct ForwardedEvidence {
  std::string tenant;
  std::string media_type;  // RATS media type of `evidence`
  Bytes evidence;
  Bytes nonce;         // the relying party's challenge, already consumed
  Bytes runtime_data;  // JSON bytes (the TEE key), bound with the nonce
  std::string client_address;
  std::string request_id;
};

// The relying party's HTTP status for a refusal: 401 for a token that fails its checks, 403 for
// an untrusted issuer or a denial, 503 when revocation is unavailable; 0 for the service-wide
// mapping (errors.h).
int rp_status(const Error& e);

class RelyingParty {
 public:
  // `router` answers GETs for this node's own status lists in-process.
  static Result<std::unique_ptr<RelyingParty>> create(ServiceState& state,
                                                      const http::Router& router, Bytes kek);
  ~RelyingParty();

  rp::SecretManager& secrets() noexcept { return *secrets_; }
  [[nodiscard]] Result<rp::Release> release(const rp::ReleaseRequest& request);

  // Sends evidence to the verifier and returns its result token (an EAR) when the evidence was
  // verified and the appraisal policy permitted it; otherwise the verifier's failed check
  // (evidence rejected, policy denied), audited as a refusal of `secret`.
  [[nodiscard]] Result<std::string> appraise(const ForwardedEvidence& evidence,
                                             const std::string& secret);

 private:
  RelyingParty() = default;
  [[nodiscard]] Result<std::string> appraise_locally(const ForwardedEvidence& evidence);
  [[nodiscard]] Result<std::string> appraise_remotely(const ForwardedEvidence& evidence);

  ServiceState* state_ = nullptr;
  std::unique_ptr<rp::SecretManager> secrets_;
  std::unique_ptr<rp::JwksCache> remote_keys_;
  std::unique_ptr<rp::LocalThenRemote> issuer_keys_;
  std::unique_ptr<token::StatusListFetcher> status_lists_;
  std::unique_ptr<rp::Releaser> releaser_;
};

}  // namespace vouch::service
