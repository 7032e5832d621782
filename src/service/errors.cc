#include "service/errors.h"

#include <nlohmann/json.hpp>

#include "service/check_ids.h"

namespace vouch::service {
namespace {

thread_local std::string t_request_id;  // set by RequestScope on the handling thread

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void add_retry_after(http::HttpResponse& r) {
  if (r.status == 429 || r.status == 503) {
    r.set_header("retry-after", r.status == 429 ? "1" : "5");
  }
}

}  // namespace

int http_status(const Error& error) noexcept {
  const std::string_view id = error.check.str();
  if (error.check == checks::kCredentials) {
    return 401;
  }
  if (error.check == checks::kRole) {
    return 403;
  }
  if (error.check == checks::kRateLimited) {
    return 429;
  }
  switch (error.kind) {
    case ErrorKind::kMalformedEvidence:
    case ErrorKind::kEvidenceRejected:
    case ErrorKind::kPolicyDenied:
    case ErrorKind::kInvalidArgument:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kAlreadyExists:
      return 409;
    case ErrorKind::kFailedPrecondition:
      // Replayed or expired challenges are the caller's problem, not a conflict of state.
      return starts_with(id, "store.session.") || starts_with(id, "store.enrollment.") ? 400 : 409;
    case ErrorKind::kCollateralUnavailable:
    case ErrorKind::kRevocationUnavailable:
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

std::string_view maa_error_code(const Error& error) noexcept {
  const int status = http_status(error);
  const std::string_view id = error.check.str();
  if (status == 401) {
    return "Unauthorized";
  }
  if (status == 403) {
    return "Forbidden";
  }
  if (status == 404) {
    return "NotFound";
  }
  if (status == 409) {
    return "Conflict";
  }
  if (status == 429) {
    return "TooManyRequests";
  }
  if (status == 503) {
    return "ServiceUnavailable";
  }
  if (status >= 500) {
    return "InternalError";
  }
  if (error.kind == ErrorKind::kPolicyDenied) {
    return "PolicyEvaluationError";
  }
  if (starts_with(id, "policy.")) {
    return "PolicyParsingError";
  }
  if (error.check == checks::kPolicyJws || error.check == checks::kPolicyCertificate ||
      error.check == checks::kPolicySigner) {
    return "InvalidOperation";
  }
  return "InvalidParameter";
}

http::HttpResponse maa_error(const Error& error) {
  const std::string_view code = maa_error_code(error);
  const std::string check(error.check.str());
  nlohmann::json body = {{"error",
                          {{"code", code},
                           {"message", error.detail.empty() ? check : check + ": " + error.detail},
                           {"target", check},
                           {"innererror", {{"code", check}}}}}};
  auto r = http::HttpResponse::json(http_status(error), body);
  r.set_header("x-ms-error-code", std::string(code));
  add_retry_after(r);
  return r;
}

RequestScope::RequestScope(std::string_view request_id) {
  t_request_id = request_id;
}
RequestScope::~RequestScope() {
  t_request_id.clear();
}

http::HttpResponse problem(const Error& error, std::string_view request_id, int status_override) {
  if (request_id.empty()) {
    request_id = t_request_id;
  }
  const int status = status_override != 0 ? status_override : http_status(error);
  const std::string check(error.check.str());
  nlohmann::json body = {{"type", "urn:vouch:check:" + check},
                         {"title", std::string(error_kind_name(error.kind))},
                         {"status", status},
                         {"detail", error.detail},
                         {"check", check},
                         {"kind", std::string(error_kind_name(error.kind))}};
  if (!request_id.empty()) {
    body["instance"] = "urn:vouch:request:" + std::string(request_id);
  }
  auto r = http::HttpResponse::json(status, body, "application/problem+json");
  add_retry_after(r);
  return r;
}

}  // namespace vouch::service
