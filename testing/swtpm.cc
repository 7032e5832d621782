#include "testing/swtpm.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "base/encoding.h"

namespace vouch::testing {
namespace {

bool have(const char* tool) {
  const std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

// Asks the kernel for a free loopback port (bind to 0), then releases it for swtpm.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&  // NOLINT: sockets API
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {  // NOLINT
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool port_free(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;  // NOLINT
  close(fd);
  return ok;
}

bool can_connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;  // NOLINT
  close(fd);
  return ok;
}

std::string run_capture(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    *status = -1;
    return out;
  }
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
    out.append(buf.data(), n);
  }
  const int rc = pclose(p);
  *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

}  // namespace

std::unique_ptr<Swtpm> Swtpm::start(std::string* why_not) {
  for (const char* tool : {"swtpm", "swtpm_setup", "swtpm_localca", "tpm2_quote"}) {
    if (!have(tool)) {
      *why_not = std::string(tool) + " is not installed (scripts/install-deps installs it)";
      return nullptr;
    }
  }
  std::unique_ptr<Swtpm> tpm(new Swtpm());
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vouch-swtpm-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    *why_not = "mkdtemp failed";
    return nullptr;
  }
  tpm->dir_ = buf.data();
  const std::string& d = tpm->dir_;
  std::filesystem::create_directories(d + "/state");
  std::filesystem::create_directories(d + "/localca");
  write_text(d + "/localca.conf", "statedir = " + d + "/localca\nsigningkey = " + d +
                                      "/localca/signkey.pem\nissuercert = " + d +
                                      "/localca/issuercert.pem\ncertserial = " + d +
                                      "/localca/certserial\n");
  write_text(d + "/setup.conf",
             "create_certs_tool = /usr/bin/swtpm_localca\n"
             "create_certs_tool_config = " +
                 d +
                 "/localca.conf\n"
                 "create_certs_tool_options = /etc/swtpm-localca.options\n"
                 "active_pcr_banks = sha1,sha256,sha384\n");
  int status = 0;
  const std::string setup =
      run_capture("swtpm_setup --tpm2 --tpmstate " + d +
                      "/state --create-ek-cert --create-platform-cert "
                      "--lock-nvram --config " +
                      d + "/setup.conf --overwrite --pcr-banks sha1,sha256,sha384",
                  &status);
  if (status != 0) {
    *why_not = "swtpm_setup failed: " + setup;
    return nullptr;
  }
  for (int attempt = 0; attempt < 5 && tpm->pid_ < 0; ++attempt) {
    // tcti-swtpm talks to the control channel on port + 1.
    const int port = free_port();
    const int ctrl = port + 1;
    if (port == 0 || port >= 65535 || !port_free(ctrl)) {
      continue;
    }
    const std::string server = "type=tcp,port=" + std::to_string(port) + ",bindaddr=127.0.0.1";
    const std::string control = "type=tcp,port=" + std::to_string(ctrl) + ",bindaddr=127.0.0.1";
    const std::string state = "dir=" + d + "/state";
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test process
      const std::string log = d + "/swtpm.log";
      if (FILE* f = std::freopen(log.c_str(), "w", stdout)) {
        (void)f;
      }
      dup2(STDOUT_FILENO, STDERR_FILENO);
      execlp("swtpm", "swtpm", "socket", "--tpm2", "--tpmstate", state.c_str(), "--server",
             server.c_str(), "--ctrl", control.c_str(), "--flags", "not-need-init,startup-clear",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      int wstatus = 0;
      if (waitpid(pid, &wstatus, WNOHANG) == pid) {
        break;  // exited: port taken or broken install; try again
      }
      up = can_connect(port);
    }
    if (up) {
      tpm->pid_ = pid;
      tpm->port_ = port;
    } else {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  if (tpm->pid_ < 0) {
    *why_not = "swtpm did not start listening on 127.0.0.1";
    return nullptr;
  }
  return tpm;
}

Swtpm::~Swtpm() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string Swtpm::tcti() const {
  return "swtpm:host=127.0.0.1,port=" + std::to_string(port_);
}

Swtpm::Run Swtpm::tpm2(const std::string& command_line) const {
  Run r;
  r.output = run_capture("cd '" + dir_ + "' && TPM2TOOLS_TCTI='" + tcti() + "' " + command_line,
                         &r.status);
  return r;
}

std::string Swtpm::tpm2_ok(const std::string& command_line) const {
  Run r = tpm2(command_line);
  EXPECT_EQ(r.status, 0) << command_line << "\n" << r.output;
  return r.output;
}

std::map<std::uint32_t, Bytes> Swtpm::read_pcrs(const std::string& bank,
                                                const std::string& indices) const {
  const std::string out = tpm2_ok("tpm2_pcrread " + bank + ":" + indices);
  std::map<std::uint32_t, Bytes> pcrs;
  static const std::regex kLine(R"(^\s*(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$)");
  std::istringstream lines(out);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, kLine)) {
      auto value = hex_decode(m[2].str());
      if (value) {
        pcrs[static_cast<std::uint32_t>(std::stoul(m[1].str()))] = std::move(*value);
      }
    }
  }
  return pcrs;
}

}  // namespace vouch::testing
