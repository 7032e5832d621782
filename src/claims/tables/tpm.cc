#include <array>

#include "claims/tables/tables.h"

namespace vouch::claims::tables {
namespace {

using T = ClaimType;

// TPM 2.0 quote and TCG event log claims (evidence/tpm). Keep sorted by name.
constexpr std::array kTpmClaims = {
    ClaimSpec{"tpm.ak.certificate.issuer", T::kString, "tpm",
              "Issuer of the AK certificate that chained to a trust anchor"},
    ClaimSpec{"tpm.ak.certificate.subject", T::kString, "tpm",
              "Subject of the AK certificate that chained to a trust anchor"},
    ClaimSpec{"tpm.ak.name", T::kBytes, "tpm",
              "TPM Name of the AK (nameAlg || H(TPMT_PUBLIC)); present when the AK was given as a "
              "TPM public area"},
    ClaimSpec{"tpm.ak.spki", T::kBytes, "tpm", "The AK public key as DER SubjectPublicKeyInfo"},
    ClaimSpec{"tpm.ak.trust", T::kString, "tpm",
              "How the AK was trusted: 'certificate' (chained to an anchor) or 'pinned' (the "
              "caller supplied the exact key)"},
    ClaimSpec{"tpm.clock", T::kInteger, "tpm", "TPMS_CLOCK_INFO.clock (milliseconds)"},
    ClaimSpec{"tpm.clock.reset_count", T::kInteger, "tpm", "TPMS_CLOCK_INFO.resetCount"},
    ClaimSpec{"tpm.clock.restart_count", T::kInteger, "tpm", "TPMS_CLOCK_INFO.restartCount"},
    ClaimSpec{"tpm.clock.safe", T::kBool, "tpm", "TPMS_CLOCK_INFO.safe"},
    ClaimSpec{
        "tpm.eventlog.boot_applications", T::kList, "tpm",
        "Digests (quoted bank) of EV_EFI_BOOT_SERVICES_APPLICATION events in PCR 4, in order"},
    ClaimSpec{"tpm.eventlog.error_separators", T::kList, "tpm",
              "PCR indices (0-7) whose EV_SEPARATOR carries FFFFFFFF: the firmware reported an "
              "error while measuring"},
    ClaimSpec{"tpm.eventlog.events", T::kInteger, "tpm",
              "Number of records in the event log, including the Spec ID header"},
    ClaimSpec{"tpm.eventlog.exit_boot_services_unlogged", T::kBool, "tpm",
              "The firmware extended the ExitBootServices actions into PCR 5 without logging "
              "them; the replay added them to match the quote"},
    ClaimSpec{"tpm.eventlog.pcrs_not_covered", T::kList, "tpm",
              "Quoted PCR indices the event log never extends (e.g. PCR 10, measured by IMA): the "
              "log says nothing about them"},
    ClaimSpec{"tpm.eventlog.pcrs_verified", T::kList, "tpm",
              "Quoted PCR indices whose value the event log replay reproduced"},
    ClaimSpec{"tpm.eventlog.secure_boot", T::kBool, "tpm",
              "UEFI SecureBoot variable as measured into PCR 7 before the separator"},
    ClaimSpec{"tpm.eventlog.secure_boot_variables", T::kMap, "tpm",
              "Digests of the UEFI secure boot variables (SecureBoot, PK, KEK, db, dbx) measured "
              "into PCR 7, by name"},
    ClaimSpec{"tpm.eventlog.separators", T::kList, "tpm",
              "PCR indices (0-7) that carry a valid EV_SEPARATOR"},
    ClaimSpec{"tpm.firmware_version", T::kBytes, "tpm",
              "TPMS_ATTEST.firmwareVersion (8 bytes, big-endian, vendor-defined)"},
    ClaimSpec{"tpm.pcr_bank", T::kString, "tpm", "Hash algorithm of the quoted PCR bank"},
    ClaimSpec{"tpm.pcrs", T::kMap, "tpm",
              "Quoted PCR values: bank name -> PCR index (decimal string) -> digest"},
    ClaimSpec{"tpm.quote.nonce", T::kBytes, "tpm",
              "TPMS_ATTEST.extraData, equal to the expected nonce (empty when none was expected)"},
    ClaimSpec{"tpm.quote.pcr_digest", T::kBytes, "tpm", "TPMS_QUOTE_INFO.pcrDigest"},
    ClaimSpec{"tpm.quote.qualified_signer", T::kBytes, "tpm", "TPMS_ATTEST.qualifiedSigner"},
    ClaimSpec{"tpm.quote.signature_scheme", T::kString, "tpm",
              "Signature scheme and digest of the quote signature (e.g. rsassa-sha256)"},
};

}  // namespace

std::span<const ClaimSpec> tpm() {
  return kTpmClaims;
}

}  // namespace vouch::claims::tables
