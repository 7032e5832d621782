#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch {

// Reads a whole file. Fails with kInvalidArgument / file.read naming the path, or when the file
// is larger than max_size (untrusted files are never read without a bound).
[[nodiscard]] Result<Bytes> read_file(const std::string& path, std::size_t max_size = 64u << 20);
// Reads a whole file as text (same rules).
[[nodiscard]] Result<std::string> read_text_file(const std::string& path,
                                                 std::size_t max_size = 64u << 20);
// Writes `content` to a file only its owner may read and write (mode 0600), replacing it. For
// keys and credentials. Fails with kUnavailable / file.write naming the path.
[[nodiscard]] Status write_private_file(const std::string& path, std::string_view content);

}  // namespace vouch
