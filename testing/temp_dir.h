#pragma once

#include <string>

namespace vouch::testing {

// TempDir creates a fresh directory under $TMPDIR (or /tmp) and removes it, recursively, when
// destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const noexcept { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes bytes or text to a file; aborts the test binary on failure.
void write_file(const std::string& path, const std::string& content);
// A file's text ("" when it cannot be read), and the same without trailing line ends and spaces
// (one-line files such as <data-dir>/bootstrap-admin-key).
std::string read_text(const std::string& path);
std::string read_trimmed(const std::string& path);

}  // namespace vouch::testing
