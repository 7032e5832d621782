#pragma once

// TPM 2.0 evidence collection. TpmDevice is what the flows need from a TPM; EsysTpm implements it
// over tss2-esys (esys.h) and tests substitute a fake. The AK hierarchy follows tpm2_createak: the
// EK is the RSA-2048 default EK (TCG EK Credential Profile template L-1, endorsement hierarchy),
// the AK a restricted signing key created and loaded under it (docs/adr/0014-attester.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "evidence/tpm/abi.h"
#include "evidence/tpm/bundle.h"
#include "evidence/tpm/verify.h"

namespace vouch::attester {

// Parses a PCR selection: "sha256:0-7", "sha256:0,1,2,7+sha1:0" (banks separated by '+', indices
// by ',', ranges with '-', indices 0..23). Errors: attester.tpm.pcr_selection.
[[nodiscard]] Result<std::vector<tpm::PcrSelection>> parse_pcr_selection(std::string_view text);
// The default selection, sha256:0-7.
std::vector<tpm::PcrSelection> default_pcr_selection();

enum class AkAlgorithm : std::uint8_t { kRsa2048, kEccP256 };

// What enrolment (/tpm/v1/enrollments) needs from the TPM.
struct EkInfo {
  Bytes ek_public;                   // TPM2B_PUBLIC
  std::optional<Bytes> certificate;  // DER from NV 0x01c00002, when provisioned
};

// TpmDevice is one TPM with an EK and an AK loaded for the lifetime of the object.
class TpmDevice {
 public:
  virtual ~TpmDevice() = default;
  virtual Result<EkInfo> endorsement_key() = 0;
  // The AK's TPM2B_PUBLIC.
  virtual Result<Bytes> ak_public() = 0;
  // ActivateCredential with the AK as the activated object and the EK as the decryption key.
  // `id_object` and `encrypted_secret` are the TPM2B contents (without the size prefix).
  virtual Result<Bytes> activate_credential(ByteSpan id_object, ByteSpan encrypted_secret) = 0;
  // Quote over `selection` with `extra_data` as qualifying data: TPMS_ATTEST and TPMT_SIGNATURE.
  struct Quote {
    Bytes attest;
    Bytes signature;
  };
  virtual Result<Quote> quote(const std::vector<tpm::PcrSelection>& selection,
                              ByteSpan extra_data) = 0;
  virtual Result<tpm::PcrValues> read_pcrs(const std::vector<tpm::PcrSelection>& selection) = 0;
};

// Where the event log lives on Linux (securityfs).
inline constexpr std::string_view kDefaultEventLogPath =
    "/sys/kernel/security/tpm0/binary_bios_measurements";

// Collects a TPM evidence bundle: quote over `selection` with extraData = `extra_data`, the PCR
// values read right after, and the event log at `event_log_path` when that file exists (empty
// path: no log). An existing but unreadable log is an error (attester.tpm.event_log).
[[nodiscard]] Result<tpm::TpmBundle> collect_bundle(TpmDevice& tpm,
                                                    const std::vector<tpm::PcrSelection>& selection,
                                                    ByteSpan extra_data,
                                                    const std::string& event_log_path);

}  // namespace vouch::attester
