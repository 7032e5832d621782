#pragma once

// How failures leave the service: Azure Attestation's error shape on MAA routes, RFC 9457
// problem+json elsewhere. Both name the failed check id and never carry a stack trace.

#include <string_view>

#include "base/error.h"
#include "service/http/message.h"

namespace vouch::service {

// The HTTP status for an error: 400 malformed or rejected input and policy denials, 401/403 for
// credentials and roles, 404, 409, 429, 503 when a dependency is down or collateral is
// unavailable, 500 for internal errors.
int http_status(const Error& error) noexcept;

// The MAA error code: InvalidParameter, PolicyEvaluationError, PolicyParsingError,
// InvalidOperation, Unauthorized, Forbidden, NotFound, Conflict, TooManyRequests,
// ServiceUnavailable, InternalError.
std::string_view maa_error_code(const Error& error) noexcept;

// {"error": {"code", "message", "target": check id, "innererror": {"code": check id}}} with the
// x-ms-error-code header (as api-version 2025-06-01 adds), plus Retry-After on 429/503.
http::HttpResponse maa_error(const Error& error);

// application/problem+json: type (urn:vouch:check:<id>), title, status, detail, check, kind,
// instance (the request id; when empty, the one of the request this thread is handling).
// status_override replaces http_status(error) where an API documents another status (the
// relying party answers 401 for a bad token and 403 for a denial).
http::HttpResponse problem(const Error& error, std::string_view request_id,
                           int status_override = 0);

// RequestScope names the request the current thread is handling, for problem()'s instance.
class RequestScope {
 public:
  explicit RequestScope(std::string_view request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;
};

}  // namespace vouch::service
