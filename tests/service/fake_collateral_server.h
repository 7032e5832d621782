#pragma once

// A fake Intel PCS and AMD KDS over real HTTP on 127.0.0.1 (the project's HTTP server in front of
// testing/fake_intel_pcs.h and testing/fake_amd_kds.h), for the collateral service tests. It can
// delay answers (coalescing), answer 429 with Retry-After a number of times, or fail every
// request with a status (source down). Never the internet. Header-only: shared by tests/service
// and tests/cli.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "appraisal/verifier.h"
#include "collateral/intel_pcs.h"
#include "service/http/server.h"
#include "testing/dcap_builder.h"
#include "testing/fake_amd_kds.h"
#include "testing/fake_intel_pcs.h"

namespace vouch::testing {

class FakeCollateralServer {
 public:
  // Serves `f`'s SGX and TDX collateral (processor CA) and the fake AMD KDS.
  explicit FakeCollateralServer(const DcapFixture& f) {
    service::http::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    auto started = service::http::HttpServer::start(
        options,
        [this](const service::http::HttpRequest& req,
               std::function<void(service::http::HttpResponse)> respond) { respond(handle(req)); });
    if (!started) {
      ADD_FAILURE() << started.error().to_string();
      return;
    }
    server_ = std::move(*started);
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
    pcs_ = std::make_unique<FakeIntelPcs>(f.pki, collateral::pcs_urls_for(base_));
    for (auto tee : {dcap::TeeKind::kSgx, dcap::TeeKind::kTdx}) {
      pcs_->add(tee, f.collateral(tee, dcap::PckCaType::kProcessor), dcap::PckCaType::kProcessor);
    }
    kds_ = std::make_unique<FakeKdsFetcher>(base_);
  }
  ~FakeCollateralServer() {
    if (server_) {
      server_->stop();
      server_->wait();
    }
  }

  const std::string& url() const { return base_; }
  // Requests seen (all paths), and those whose target contains `part`.
  std::size_t requests() const { return count_.load(); }
  std::size_t requests_for(const std::string& part) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& t : targets_) {
      n += t.find(part) != std::string::npos ? 1 : 0;
    }
    return n;
  }
  // Every answer waits this long first.
  void set_delay(std::chrono::milliseconds d) { delay_ms_ = d.count(); }
  // The next `n` requests answer 429 with Retry-After: `seconds`.
  void throttle(int n, int seconds) {
    throttle_left_ = n;
    retry_after_ = seconds;
  }
  // Every request answers `status` (0: normal service).
  void fail_with(int status) { fail_status_ = status; }
  FakeKdsFetcher& kds() { return *kds_; }
  // Also serves this TCB Info and QE identity for ?tcbEvaluationDataNumber=<their number>.
  void add_baseline(dcap::TeeKind tee, const collateral::IntelSignedJson& tcb_info,
                    const collateral::IntelSignedJson& qe_identity) {
    std::lock_guard lock(mu_);
    pcs_->add_baseline(tee, tcb_info, qe_identity);
  }

 private:
  service::http::HttpResponse handle(const service::http::HttpRequest& req) {
    std::string target = req.path;
    char sep = '?';
    for (const auto& [k, v] : req.query) {
      target += sep + k + "=" + v;
      sep = '&';
    }
    {
      std::lock_guard lock(mu_);
      targets_.push_back(target);
    }
    ++count_;
    if (const auto d = delay_ms_.load(); d > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(d));
    }
    service::http::HttpResponse r;
    if (throttle_left_.fetch_sub(1) > 0) {
      r.status = 429;
      r.set_header("retry-after", std::to_string(retry_after_.load()));
      return r;
    }
    if (const int s = fail_status_.load(); s != 0) {
      r.status = s;
      return r;
    }
    Result<collateral::FetchResponse> got = [&]() -> Result<collateral::FetchResponse> {
      std::lock_guard lock(mu_);
      if (req.path.starts_with("/vcek/") || req.path.starts_with("/vlek/")) {
        return kds_->get(base_ + target);
      }
      return pcs_->get(base_ + target);
    }();
    if (!got) {
      r.status = 400;
      r.body = got.error().to_string();
      return r;
    }
    r.status = got->status;
    for (const auto& [k, v] : got->headers) {
      r.set_header(k, v);
    }
    r.body.assign(got->body.begin(), got->body.end());
    return r;
  }

  std::unique_ptr<service::http::HttpServer> server_;
  std::string base_;
  std::unique_ptr<FakeIntelPcs> pcs_;
  std::unique_ptr<FakeKdsFetcher> kds_;
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  std::atomic<std::size_t> count_{0};
  std::atomic<std::int64_t> delay_ms_{0};
  std::atomic<int> throttle_left_{0};
  std::atomic<int> retry_after_{0};
  std::atomic<int> fail_status_{0};
};

// The SgxEnclave / OpenEnclave / TdxVm verifiers trusting a test PKI's root, as
// Dependencies::verifiers takes them (each forwards to one shared registry).
class ForwardingVerifier final : public appraisal::EvidenceVerifier {
 public:
  ForwardingVerifier(std::shared_ptr<appraisal::VerifierRegistry> registry,
                     appraisal::AttestationType type)
      : registry_(std::move(registry)), inner_(registry_->find(type)) {}
  appraisal::AttestationType type() const override { return inner_->type(); }
  std::span<const std::string_view> media_types() const override { return inner_->media_types(); }
  Result<appraisal::VerifiedEvidence> verify(const appraisal::EvidenceRequest& request,
                                             const appraisal::VerifyContext& context,
                                             evidence::CheckLog& log) const override {
    return inner_->verify(request, context, log);
  }

 private:
  std::shared_ptr<appraisal::VerifierRegistry> registry_;
  const appraisal::EvidenceVerifier* inner_;
};

inline std::vector<std::unique_ptr<appraisal::EvidenceVerifier>> dcap_test_verifiers(
    const crypto::Certificate& root) {
  auto registry = std::make_shared<appraisal::VerifierRegistry>();
  appraisal::add_dcap_verifiers(*registry, {root});
  std::vector<std::unique_ptr<appraisal::EvidenceVerifier>> out;
  for (auto t : {appraisal::AttestationType::kSgxEnclave, appraisal::AttestationType::kOpenEnclave,
                 appraisal::AttestationType::kTdxVm}) {
    out.push_back(std::make_unique<ForwardingVerifier>(registry, t));
  }
  return out;
}

}  // namespace vouch::testing
