#include "evidence/check_log.h"

namespace vouch::evidence {

std::string_view outcome_name(CheckOutcome o) noexcept {
  switch (o) {
    case CheckOutcome::kPass:
      return "pass";
    case CheckOutcome::kFail:
      return "fail";
    case CheckOutcome::kSkipped:
      return "skipped";
  }
  return "skipped";
}

void CheckLog::pass(CheckId id, std::string detail) {
  records_.push_back({std::string(id.str()), CheckOutcome::kPass, std::move(detail)});
}

void CheckLog::skip(CheckId id, std::string why) {
  records_.push_back({std::string(id.str()), CheckOutcome::kSkipped, std::move(why)});
}

Error CheckLog::fail(Error e) {
  records_.push_back({std::string(e.check.str()), CheckOutcome::kFail, e.detail});
  return e;
}

bool CheckLog::has(CheckId id) const {
  for (const CheckRecord& r : records_) {
    if (r.id == id.str()) {
      return true;
    }
  }
  return false;
}

CheckSteps::~CheckSteps() {
  if (!failed_) {
    return;
  }
  for (CheckId id : plan_) {
    bool done = false;
    for (CheckId d : done_) {
      done = done || d == id;
    }
    if (!done && !log_.has(id)) {
      log_.skip(id, "not run: an earlier check failed");
    }
  }
}

}  // namespace vouch::evidence
