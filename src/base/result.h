#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

#include "base/error.h"

namespace vouch {

// Result<T> is a value or an Error. Functions that can fail return it, marked [[nodiscard]];
// exceptions never cross module boundaries (docs/adr/0002-errors-as-values.md).
template <typename T>
using Result = tl::expected<T, Error>;

// Status is a Result with no value.
using Status = Result<void>;

// Builds the unexpected side of a Result.
inline tl::unexpected<Error> fail(ErrorKind kind, CheckId check, std::string detail) {
  return tl::unexpected<Error>(Error{kind, check, std::move(detail)});
}
inline tl::unexpected<Error> fail(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

// Shorthands for the two evidence failure kinds.
inline tl::unexpected<Error> malformed(CheckId check, std::string detail) {
  return fail(ErrorKind::kMalformedEvidence, check, std::move(detail));
}
inline tl::unexpected<Error> rejected(CheckId check, std::string detail) {
  return fail(ErrorKind::kEvidenceRejected, check, std::move(detail));
}

inline Status ok() {
  return {};
}

// retag(check) is a map_error callback that relabels an error with the caller's check id, so a
// module can report its own stable id for a failure found by a lower layer.
inline auto retag(CheckId check) {
  return [check](Error e) {
    e.check = check;
    return e;
  };
}

}  // namespace vouch

#define VOUCH_CONCAT_INNER_(a, b) a##b
#define VOUCH_CONCAT_(a, b) VOUCH_CONCAT_INNER_(a, b)

// VOUCH_TRY(decl, expr) evaluates `expr` exactly once; on error returns it from the enclosing
// function, otherwise declares `decl` initialised from the value.
#define VOUCH_TRY(decl, expr) VOUCH_TRY_IMPL_(VOUCH_CONCAT_(vouch_try_, __LINE__), decl, expr)
#define VOUCH_TRY_IMPL_(tmp, decl, expr)             \
  auto tmp = (expr);                                 \
  if (!tmp.has_value()) {                            \
    return ::tl::unexpected(std::move(tmp).error()); \
  }                                                  \
  decl = std::move(tmp).value()

// VOUCH_RETURN_IF_ERROR(expr) evaluates `expr` exactly once and returns its error, if any.
#define VOUCH_RETURN_IF_ERROR(expr)                              \
  do {                                                           \
    auto vouch_status_ = (expr);                                 \
    if (!vouch_status_.has_value()) {                            \
      return ::tl::unexpected(std::move(vouch_status_).error()); \
    }                                                            \
  } while (false)
