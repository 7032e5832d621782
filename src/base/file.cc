#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

Status write_private_file(const std::string& path, std::string_view content) {
  // Created 0600 from the start, so the secret is never readable by others, not even briefly.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return tl::unexpected(
        Error{ErrorKind::kUnavailable, checks::kFileWrite, path + ": " + std::strerror(errno)});
  }
  std::size_t done = 0;
  bool ok = ::fchmod(fd, 0600) == 0;
  while (ok && done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    ok = n > 0;
    done += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    return tl::unexpected(
        Error{ErrorKind::kUnavailable, checks::kFileWrite, path + ": cannot write"});
  }
  return {};
}

}  // namespace vouch
