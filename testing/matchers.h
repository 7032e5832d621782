#pragma once

#include <gmock/gmock.h>

#include "base/result.h"

namespace vouch::testing {

// FailsWith(kind, check) matches a Result or Status that holds an Error with exactly this kind
// and check id. Tests assert ids, never detail text.
MATCHER_P2(FailsWith, kind, check,
           std::string("fails with ") + std::string(::vouch::error_kind_name(kind)) + " / " +
               std::string(check.str())) {
  if (arg.has_value()) {
    *result_listener << "which succeeded";
    return false;
  }
  const ::vouch::Error& e = arg.error();
  *result_listener << "which failed with " << ::vouch::error_kind_name(e.kind) << " / "
                   << e.check.str() << " (" << e.detail << ")";
  return e.kind == kind && e.check == check;
}

// FailsWithCheck(check) matches any kind with this check id.
MATCHER_P(FailsWithCheck, check, std::string("fails with check ") + std::string(check.str())) {
  if (arg.has_value()) {
    *result_listener << "which succeeded";
    return false;
  }
  *result_listener << "which failed with " << arg.error().check.str() << " (" << arg.error().detail
                   << ")";
  return arg.error().check == check;
}

// Succeeds matches a Result or Status holding a value; prints the error otherwise.
MATCHER(Succeeds, "succeeds") {
  if (!arg.has_value()) {
    *result_listener << "which failed with " << arg.error().check.str() << " ("
                     << arg.error().detail << ")";
    return false;
  }
  return true;
}

}  // namespace vouch::testing
