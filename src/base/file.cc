#include "base/file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace vouch {

Result<std::string> read_text_file(const std::string& path, std::size_t max_size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorKind::kInvalidArgument, checks::kFileRead,
                "cannot open '" + path + "': " + std::strerror(errno));
  }
  std::string data;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (data.size() + n > max_size) {
      return fail(ErrorKind::kInvalidArgument, checks::kFileRead,
                  "'" + path + "' is larger than " + std::to_string(max_size) + " bytes");
    }
    data.append(buf, n);
  }
  if (in.bad()) {
    return fail(ErrorKind::kInvalidArgument, checks::kFileRead, "error reading '" + path + "'");
  }
  return data;
}

Result<Bytes> read_file(const std::string& path, std::size_t max_size) {
  VOUCH_TRY(std::string text, read_text_file(path, max_size));
  return Bytes(text.begin(), text.end());
}

}  // namespace vouch
