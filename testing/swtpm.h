#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>

#include "base/bytes.h"

namespace vouch::testing {

// Swtpm runs a real software TPM (swtpm) for one test: a fresh state directory with EK
// certificates from a per-test local CA, listening on 127.0.0.1 on free ports, killed and removed
// when the object is destroyed. tpm2-tools drive it.
class Swtpm {
 public:
  // Starts a TPM with SHA-1, SHA-256 and SHA-384 PCR banks. Returns nullptr and sets *why_not
  // when swtpm or tpm2-tools are not installed or the TPM does not come up.
  static std::unique_ptr<Swtpm> start(std::string* why_not);
  ~Swtpm();
  Swtpm(const Swtpm&) = delete;
  Swtpm& operator=(const Swtpm&) = delete;

  struct Run {
    int status = -1;
    std::string output;  // stdout and stderr together
  };
  // Runs a tpm2-tools command line (e.g. "tpm2_pcrread sha256:0") in dir() against this TPM.
  Run tpm2(const std::string& command_line) const;
  // Like tpm2(), but records a test failure when the command fails.
  std::string tpm2_ok(const std::string& command_line) const;

  // Reads PCR values of one bank ("sha256") for the given comma-separated indices.
  std::map<std::uint32_t, Bytes> read_pcrs(const std::string& bank,
                                           const std::string& indices) const;

  const std::string& dir() const noexcept { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string tcti() const;
  // The local CA that signed the EK certificates.
  std::string ca_root_pem() const { return dir_ + "/localca/swtpm-localca-rootca-cert.pem"; }
  std::string ca_issuer_pem() const { return dir_ + "/localca/issuercert.pem"; }

 private:
  Swtpm() = default;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vouch::testing
