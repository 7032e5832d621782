#pragma once

// TpmDevice over tss2-esys. The TCTI is chosen by a string:
//   swtpm:host=H,port=P    tss2-tcti-swtpm (swtpm's TCP server; the control port is P+1)
//   mssim:host=H,port=P    tss2-tcti-mssim
//   device[:PATH]          tss2-tcti-device, PATH defaulting to /dev/tpmrm0 (the kernel's
//                          resource manager, so transient objects of other users do not collide)
// and loaded with Tss2_TctiLdr_Initialize. Every ESYS/TCTI handle lives in an RAII owner; transient
// objects and sessions are flushed when the EsysTpm is destroyed.

#include <memory>
#include <string>
#include <string_view>

#include "attester/tpm.h"

namespace vouch::attester {

// Normalises a TCTI string for Tss2_TctiLdr_Initialize ("device" -> "device:/dev/tpmrm0").
// Errors: attester.tpm.tcti.
[[nodiscard]] Result<std::string> tcti_config(std::string_view tcti);

// The TPM response code and its decoding: "0x0000098e (tpm:session(1):the authorization HMAC
// check failed ...)".
std::string describe_rc(std::uint32_t rc);

class EsysTpm final : public TpmDevice {
 public:
  // Opens the TPM, creates the EK (CreatePrimary under the endorsement hierarchy) and an AK under
  // it (Create + Load, each authorised by PolicySecret(TPM_RH_ENDORSEMENT)). Errors:
  // attester.tpm.tcti, attester.tpm.open, attester.tpm.ek, attester.tpm.session, attester.tpm.ak.
  [[nodiscard]] static Result<std::unique_ptr<EsysTpm>> open(
      std::string_view tcti, AkAlgorithm ak = AkAlgorithm::kRsa2048);
  ~EsysTpm() override;
  EsysTpm(const EsysTpm&) = delete;
  EsysTpm& operator=(const EsysTpm&) = delete;

  Result<EkInfo> endorsement_key() override;
  Result<Bytes> ak_public() override;
  Result<Bytes> activate_credential(ByteSpan id_object, ByteSpan encrypted_secret) override;
  Result<Quote> quote(const std::vector<tpm::PcrSelection>& selection,
                      ByteSpan extra_data) override;
  Result<tpm::PcrValues> read_pcrs(const std::vector<tpm::PcrSelection>& selection) override;

  struct Impl;

 private:
  explicit EsysTpm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch::attester
