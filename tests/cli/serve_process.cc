#include "tests/cli/serve_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "service/http/client.h"

extern char** environ;  // NOLINT: POSIX

#include "testing/temp_dir.h"

namespace vouch::testing {
namespace {

// The inherited environment with `changes` applied ("" unsets).
std::vector<std::string> environment(const std::map<std::string, std::string>& changes) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (changes.count(name) == 0) {
      out.push_back(entry);
    }
  }
  for (const auto& [name, value] : changes) {
    if (!value.empty()) {
      out.push_back(name + "=" + value);
    }
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// Starts VOUCH_BINARY with stdout and stderr to files; returns the pid or -1.
pid_t spawn(std::vector<std::string> args, const std::map<std::string, std::string>& env,
            const std::string& out_file, const std::string& err_file) {
  args.insert(args.begin(), VOUCH_BINARY);
  std::vector<std::string> envs = environment(env);
  std::vector<char*> argv = c_strings(args);
  std::vector<char*> envp = c_strings(envs);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  if (err_file == out_file) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
  }
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, VOUCH_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for `pid` up to `timeout`; the exit code, or -1 when it is still running (or died by a
// signal).
int wait_for(pid_t pid, std::chrono::milliseconds timeout, bool& exited) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  exited = false;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      exited = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (r < 0) {
      exited = true;
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

std::uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {  // NOLINT: sockets API
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {  // NOLINT
      port = ntohs(addr.sin_port);
    }
  }
  close(fd);
  return port;
}

ServeProcess::ServeProcess(ServeOptions options) : tls_(!options.dev) {
  data_dir_ = dir_.file("data");
  log_file_ = dir_.file("serve.log");
  port_ = free_port();
  std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:" + std::to_string(port_),
                                   "--data-dir", data_dir_};
  if (options.dev) {
    args.emplace_back("--dev");
  }
  // The test's own environment must not reconfigure the server.
  options.env.emplace("VOUCH_SERVER_TLS_MODE", "");
  options.env.emplace("VOUCH_STORAGE_URL", "");
  pid_ = spawn(args, options.env, log_file_, log_file_);
  if (pid_ <= 0) {
    error_ = "cannot start " + std::string(VOUCH_BINARY);
    return;
  }
  // Ready when /readyz answers 200 and the bootstrap key is on disk.
  service::http::ClientOptions probe;
  probe.insecure = true;  // only to learn that it is up; tests verify TLS themselves
  probe.connect_timeout = std::chrono::milliseconds(500);
  probe.read_timeout = std::chrono::milliseconds(2000);
  service::http::HttpClient client(probe);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    bool exited = false;
    const int code = wait_for(pid_, std::chrono::milliseconds(0), exited);
    if (exited) {
      stopped_ = true;
      exit_status_ = code;
      error_ = "vouch serve exited with " + std::to_string(code) + ": " + log();
      return;
    }
    auto r = client.get(url() + "/readyz");
    if (r && r->status == 200) {
      admin_key_ = read_trimmed(data_dir_ + "/bootstrap-admin-key");
      if (!admin_key_.empty()) {
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "vouch serve did not become ready: " + log();
}

ServeProcess::~ServeProcess() {
  stop();
}

std::string ServeProcess::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

int ServeProcess::stop() {
  if (stopped_ || pid_ <= 0) {
    return exit_status_;
  }
  stopped_ = true;
  kill(pid_, SIGTERM);
  bool exited = false;
  exit_status_ = wait_for(pid_, std::chrono::seconds(30), exited);
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    exit_status_ = -1;
  }
  return exit_status_;
}

std::string ServeProcess::log() const {
  return read_text(log_file_);
}

ProcessRun run_vouch(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env) {
  TempDir dir;
  ProcessRun run;
  const pid_t pid = spawn(args, env, dir.file("out"), dir.file("err"));
  if (pid <= 0) {
    run.err = "cannot start " + std::string(VOUCH_BINARY);
    return run;
  }
  bool exited = false;
  run.code = wait_for(pid, std::chrono::seconds(60), exited);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  run.out = read_text(dir.file("out"));
  run.err = read_text(dir.file("err"));
  return run;
}

}  // namespace vouch::testing
