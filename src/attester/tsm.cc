#include "attester/tsm.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <random>

#include "attester/check_ids.h"
#include "base/byte_reader.h"
#include "base/file.h"

namespace vouch::attester {
namespace {

constexpr std::size_t kMaxBlob = std::size_t{1} << 20;

std::string errno_text(int e) {
  return std::strerror(e);  // NOLINT(concurrency-mt-unsafe): message text only
}

Status write_attr(const std::string& path, ByteSpan data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0) {
    return fail(ErrorKind::kUnavailable, checks::kTsmIo, path + ": " + errno_text(errno));
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      return fail(ErrorKind::kUnavailable, checks::kTsmIo, path + ": write: " + errno_text(e));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    return fail(ErrorKind::kUnavailable, checks::kTsmIo, path + ": close: " + errno_text(errno));
  }
  return ok();
}

Result<Bytes> read_attr(const std::string& path) {
  auto b = read_file(path, kMaxBlob);
  if (!b) {
    return fail(ErrorKind::kUnavailable, checks::kTsmIo, path + ": " + b.error().detail);
  }
  return b;
}

Result<std::uint64_t> read_generation(const std::string& dir) {
  VOUCH_TRY(Bytes b, read_attr(dir + "/generation"));
  std::string text(b.begin(), b.end());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
    return fail(ErrorKind::kUnavailable, checks::kTsmIo,
                dir + "/generation: not a number: '" + text + "'");
  }
  return v;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string fresh_entry_name() {
  std::random_device rd;
  return "vouch-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
}

}  // namespace

Result<TsmReport> tsm_report(const std::array<std::uint8_t, 64>& report_data,
                             const TsmOptions& options) {
  struct stat st {};
  if (::stat(options.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return fail(ErrorKind::kFailedPrecondition, checks::kTsmNotPresent,
                "configfs-tsm is not available: no directory " + options.root +
                    " (needs Linux 6.7+ in a TDX or SEV-SNP guest, configfs mounted)");
  }
  if (options.privlevel && *options.privlevel > 3) {
    return fail(ErrorKind::kInvalidArgument, checks::kTsmInput, "privlevel must be 0..3");
  }
  const std::string name = options.entry.empty() ? fresh_entry_name() : options.entry;
  if (name.find('/') != std::string::npos || name == "." || name == "..") {
    return fail(ErrorKind::kInvalidArgument, checks::kTsmInput, "bad entry name '" + name + "'");
  }
  const std::string dir = options.root + "/" + name;
  bool created = false;
  if (!exists(dir)) {
    if (::mkdir(dir.c_str(), 0700) != 0) {
      return fail(ErrorKind::kUnavailable, checks::kTsmEntry,
                  "mkdir " + dir + ": " + errno_text(errno));
    }
    created = true;
  }
  // Removes an entry we created, whatever happens below.
  struct Remover {
    const std::string& dir;
    bool active;
    ~Remover() {
      if (active) {
        (void)::rmdir(dir.c_str());
      }
    }
  } remover{dir, created};

  auto body = [&]() -> Result<TsmReport> {
    VOUCH_TRY(const std::uint64_t before, read_generation(dir));
    std::uint64_t writes = 0;
    if (options.privlevel) {
      const std::string level = std::to_string(*options.privlevel);
      VOUCH_RETURN_IF_ERROR(write_attr(dir + "/privlevel", as_bytes(level)));
      ++writes;
    }
    VOUCH_RETURN_IF_ERROR(write_attr(dir + "/inblob", report_data));
    ++writes;
    VOUCH_TRY(const std::uint64_t written, read_generation(dir));
    // On a real configfs each write bumps the counter; an entry we made ourselves must show
    // exactly our writes. (A pre-populated entry, e.g. a fake tree, is only checked below.)
    if (created && written != before + writes) {
      return fail(ErrorKind::kUnavailable, checks::kTsmGeneration,
                  dir + ": generation went from " + std::to_string(before) + " to " +
                      std::to_string(written) + " over our " + std::to_string(writes) +
                      " write(s): another process is writing this entry");
    }
    if (options.after_write) {
      options.after_write(dir);
    }
    TsmReport r;
    VOUCH_TRY(r.outblob, read_attr(dir + "/outblob"));
    if (exists(dir + "/auxblob")) {
      VOUCH_TRY(r.auxblob, read_attr(dir + "/auxblob"));
    }
    VOUCH_TRY(Bytes provider, read_attr(dir + "/provider"));
    r.provider.assign(provider.begin(), provider.end());
    while (!r.provider.empty() && (r.provider.back() == '\n' || r.provider.back() == ' ')) {
      r.provider.pop_back();
    }
    VOUCH_TRY(r.generation, read_generation(dir));
    if (r.generation != written) {
      return fail(ErrorKind::kUnavailable, checks::kTsmGeneration,
                  dir + ": generation changed from " + std::to_string(written) + " to " +
                      std::to_string(r.generation) +
                      " while reading the report: another process wrote this entry; retry");
    }
    if (r.outblob.empty()) {
      return fail(ErrorKind::kUnavailable, checks::kTsmIo, dir + "/outblob is empty");
    }
    return r;
  };
  auto result = body();
  if (created) {
    remover.active = false;
    if (::rmdir(dir.c_str()) != 0 && result) {
      return fail(ErrorKind::kUnavailable, checks::kTsmEntry,
                  "rmdir " + dir + ": " + errno_text(errno));
    }
  }
  return result;
}

unsigned long snp_get_report_request() noexcept {
  return _IOWR('S', 0x0, SnpGuestRequestIoctl);  // NOLINT: kernel ioctl encoding macro
}

Result<Bytes> parse_snp_report_response(ByteSpan data) {
  ByteReader r(data);
  std::uint32_t status_value = 0;
  std::uint32_t size_value = 0;
  if (!r.u32le(status_value) || !r.u32le(size_value) || data.size() < 32) {
    return fail(ErrorKind::kUnavailable, checks::kSevGuestResponse, "response truncated");
  }
  const std::uint32_t* status = &status_value;
  const std::uint32_t* size = &size_value;
  if (*status != 0) {
    return fail(ErrorKind::kUnavailable, checks::kSevGuestResponse,
                "MSG_REPORT_RSP status " + std::to_string(*status) +
                    (*status == 0x16 ? " (invalid parameters)" : ""));
  }
  if (*size != kSnpReportSize || data.size() < 32 + kSnpReportSize) {
    return fail(
        ErrorKind::kUnavailable, checks::kSevGuestResponse,
        "report_size " + std::to_string(*size) + ", expected " + std::to_string(kSnpReportSize));
  }
  return Bytes(data.begin() + 32, data.begin() + 32 + kSnpReportSize);
}

Result<Bytes> sev_guest_report(const std::array<std::uint8_t, 64>& report_data, std::uint32_t vmpl,
                               const std::string& device) {
  const int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENODEV || e == ENXIO) {
      return fail(ErrorKind::kFailedPrecondition, checks::kSevGuestNotPresent,
                  device +
                      " is not present: not an SEV-SNP guest, or the sev-guest driver is "
                      "not loaded");
    }
    return fail(ErrorKind::kUnavailable, checks::kSevGuestNotPresent,
                "open " + device + ": " + errno_text(e));
  }
  SnpReportReq req{};
  std::memcpy(req.user_data, report_data.data(), report_data.size());
  req.vmpl = vmpl;
  auto resp = std::make_unique<SnpReportResp>();
  std::memset(resp.get(), 0, sizeof(SnpReportResp));
  SnpGuestRequestIoctl io{};
  io.msg_version = 1;
  io.req_data = reinterpret_cast<std::uintptr_t>(&req);         // NOLINT: kernel ABI
  io.resp_data = reinterpret_cast<std::uintptr_t>(resp.get());  // NOLINT: kernel ABI
  int rc = 0;
  do {
    rc = ::ioctl(fd, snp_get_report_request(), &io);  // NOLINT: variadic ioctl
  } while (rc < 0 && errno == EINTR);
  const int e = errno;
  ::close(fd);
  if (rc < 0) {
    const auto fw = static_cast<std::uint32_t>(io.exitinfo2 & 0xffffffffU);
    const auto vmm = static_cast<std::uint32_t>(io.exitinfo2 >> 32);
    return fail(ErrorKind::kUnavailable, checks::kSevGuestIoctl,
                "SNP_GET_REPORT: " + errno_text(e) + " (fw_error " + std::to_string(fw) +
                    ", vmm_error " + std::to_string(vmm) + ")");
  }
  return parse_snp_report_response(ByteSpan(resp->data, sizeof resp->data));
}

}  // namespace vouch::attester
