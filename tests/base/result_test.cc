#include "base/result.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "testing/matchers.h"
#include "testing/temp_dir.h"

namespace vouch {
namespace {

using ::vouch::testing::FailsWith;

constexpr CheckId kTestCheck{"test.check"};

Result<int> maybe(bool good, int* calls) {
  ++*calls;
  if (!good) {
    return fail(ErrorKind::kEvidenceRejected, kTestCheck, "bad");
  }
  return 7;
}

Result<int> twice(bool good, int* calls) {
  VOUCH_TRY(int v, maybe(good, calls));
  return v * 2;
}

Status check(bool good, int* calls) {
  VOUCH_RETURN_IF_ERROR(maybe(good, calls));
  return ok();
}

TEST(Result, TryEvaluatesOnceAndPropagates) {
  int calls = 0;
  EXPECT_EQ(twice(true, &calls).value(), 14);
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(twice(false, &calls), FailsWith(ErrorKind::kEvidenceRejected, kTestCheck));
  EXPECT_EQ(calls, 2);
  EXPECT_THAT(check(false, &calls), FailsWith(ErrorKind::kEvidenceRejected, kTestCheck));
  EXPECT_EQ(calls, 3);
}

TEST(Result, ContextAndRetag) {
  Error e{ErrorKind::kMalformedEvidence, kTestCheck, "detail"};
  Error e2 = std::move(e).with_context("AK");
  EXPECT_EQ(e2.detail, "AK: detail");
  constexpr CheckId kOther{"test.other"};
  Result<int> r = fail(ErrorKind::kMalformedEvidence, kTestCheck, "x");
  EXPECT_THAT(r.map_error(retag(kOther)), FailsWith(ErrorKind::kMalformedEvidence, kOther));
}

TEST(File, ReadsBoundedFiles) {
  testing::TempDir dir;
  testing::write_file(dir.file("a"), "hello");
  EXPECT_EQ(read_text_file(dir.file("a")).value(), "hello");
  EXPECT_THAT(read_text_file(dir.file("a"), 4),
              FailsWith(ErrorKind::kInvalidArgument, checks::kFileRead));
  EXPECT_THAT(read_file(dir.file("missing")),
              FailsWith(ErrorKind::kInvalidArgument, checks::kFileRead));
}

}  // namespace
}  // namespace vouch
