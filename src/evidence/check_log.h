#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace vouch::evidence {

enum class CheckOutcome : std::uint8_t { kPass, kFail, kSkipped };
std::string_view outcome_name(CheckOutcome o) noexcept;  // "pass", "fail", "skipped"

// CheckRecord is one line of a verification report.
struct CheckRecord {
  std::string id;
  CheckOutcome outcome;
  std::string detail;
};

// CheckLog records, in order, every check a verifier ran, failed or skipped, so a report can say
// what was checked and what was not (a check that did not run is never silent).
class CheckLog {
 public:
  void pass(CheckId id, std::string detail = {});
  void skip(CheckId id, std::string why);
  // Records e as the failing check (under e's own id) and returns it.
  Error fail(Error e);
  const std::vector<CheckRecord>& records() const noexcept { return records_; }
  bool has(CheckId id) const;

 private:
  std::vector<CheckRecord> records_;
};

// CheckSteps runs a verifier's planned steps against a CheckLog: each step passes or fails; after
// the first failure the remaining planned steps are recorded as skipped.
class CheckSteps {
 public:
  CheckSteps(CheckLog& log, std::span<const CheckId> plan) : log_(log), plan_(plan) {}
  ~CheckSteps();
  CheckSteps(const CheckSteps&) = delete;
  CheckSteps& operator=(const CheckSteps&) = delete;

  // Records `step` as passed (with detail) when r holds a value, otherwise records the error as
  // failed; passes r through so callers can VOUCH_TRY it.
  template <typename T>
  Result<T> check(CheckId step, Result<T> r, std::string detail = {}) {
    done_.push_back(step);
    if (r.has_value()) {
      log_.pass(step, std::move(detail));
      return r;
    }
    failed_ = true;
    return tl::unexpected(log_.fail(std::move(r).error()));
  }
  void pass(CheckId step, std::string detail = {}) {
    done_.push_back(step);
    log_.pass(step, std::move(detail));
  }
  void skip(CheckId step, std::string why) {
    done_.push_back(step);
    log_.skip(step, std::move(why));
  }

 private:
  CheckLog& log_;
  std::span<const CheckId> plan_;
  std::vector<CheckId> done_;
  bool failed_ = false;
};

}  // namespace vouch::evidence
