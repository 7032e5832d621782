#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "base/bytes.h"

namespace vouch::testing {

// Directory of the shared real-evidence vectors: $VOUCH_VECTORS_DIR, else ../shared/vectors next
// to the source tree. nullopt when it does not exist.
std::optional<std::string> vectors_dir();

// Absolute path of a file under the vectors directory (vectors_dir() must be set).
std::string vector_path(const std::string& relative);

// Reads a vector file; fails the test (ADD_FAILURE) and returns empty on error.
Bytes read_vector(const std::string& relative);
std::string read_vector_text(const std::string& relative);

// Root of the source tree (for testdata/).
std::string source_dir();

}  // namespace vouch::testing

// Skips the current test, visibly, when ../shared/vectors is absent.
#define VOUCH_REQUIRE_VECTORS()                                                               \
  do {                                                                                        \
    if (!::vouch::testing::vectors_dir()) {                                                   \
      GTEST_SKIP() << "shared vectors not found (set VOUCH_VECTORS_DIR or place "             \
                      "../shared/vectors next to the checkout); skipping real-evidence test"; \
    }                                                                                         \
  } while (false)
