#pragma once

#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch {

// Reads a whole file. Fails with kInvalidArgument / file.read naming the path, or when the file
// is larger than max_size (untrusted files are never read without a bound).
[[nodiscard]] Result<Bytes> read_file(const std::string& path, std::size_t max_size = 64u << 20);
// Reads a whole file as text (same rules).
[[nodiscard]] Result<std::string> read_text_file(const std::string& path,
                                                 std::size_t max_size = 64u << 20);

}  // namespace vouch
