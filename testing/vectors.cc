#include "testing/vectors.h"

#include <cstdlib>
#include <filesystem>

#include "base/file.h"

namespace vouch::testing {

std::optional<std::string> vectors_dir() {
  std::string dir;
  if (const char* env = std::getenv("VOUCH_VECTORS_DIR"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = VOUCH_DEFAULT_VECTORS_DIR;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return std::nullopt;
  }
  return std::filesystem::canonical(dir, ec).string();
}

std::string vector_path(const std::string& relative) {
  return vectors_dir().value_or("/nonexistent") + "/" + relative;
}

Bytes read_vector(const std::string& relative) {
  auto data = read_file(vector_path(relative));
  if (!data) {
    ADD_FAILURE() << "cannot read vector " << relative << ": " << data.error().detail;
    return {};
  }
  return std::move(*data);
}

std::string read_vector_text(const std::string& relative) {
  auto data = read_text_file(vector_path(relative));
  if (!data) {
    ADD_FAILURE() << "cannot read vector " << relative << ": " << data.error().detail;
    return {};
  }
  return std::move(*data);
}

std::string source_dir() {
  return VOUCH_SOURCE_DIR;
}

}  // namespace vouch::testing
