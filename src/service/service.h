#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <vector>

#include "appraisal/verifier.h"
#include "base/result.h"
#include "base/time.h"
#include "service/config.h"

namespace vouch::service {

// Dependencies are the concrete parts a composition root (apps/) picks and hands in.
struct Dependencies {
  const Clock* clock = nullptr;  // required
  std::ostream* log = nullptr;   // structured JSON log lines; required
  // Collateral sources behind the verifiers (none: supplied certificates only for SEV-SNP, and
  // SGX/TDX fail closed with dcap.collateral.missing).
  collateral::AmdKds* amd_kds = nullptr;
  collateral::IntelPcs* intel_pcs = nullptr;
  // The verifiers to serve; empty: the built-in set (TPM, SEV-SNP, SGX, OpenEnclave, TDX with
  // the vendors' roots). Tests inject verifiers that trust their own PKIs.
  std::vector<std::unique_ptr<appraisal::EvidenceVerifier>> verifiers;
  crypto::Random* random = nullptr;  // none: the system CSPRNG
};

// Service is `vouch serve`: the HTTP server with every route this node serves.
class Service {
 public:
  // Validates the configuration, prepares the data directory and TLS material, and starts
  // listening. Fails (nothing left running) with the check id of what was wrong.
  [[nodiscard]] static Result<std::unique_ptr<Service>> start(const Config& config,
                                                              Dependencies deps);
  virtual ~Service() = default;
  virtual std::uint16_t port() const = 0;
  virtual std::string url() const = 0;  // base URL clients use
  virtual void stop() = 0;              // graceful
  virtual void wait() = 0;
  virtual void handle_signals() = 0;  // SIGTERM/SIGINT stop gracefully
};

}  // namespace vouch::service
