#pragma once

#include "base/error.h"

// Check ids of the attester (src/attester, `vouch attest`). Local failures carry these; a refusal
// by the verifier or the relying party keeps the remote check id (FlowResult::check) and maps its
// kind onto an ErrorKind (flows.h).
namespace vouch::attester::checks {

// TPM (tss2-esys). Details name the TPM response code (Tss2_RC_Decode).
inline constexpr CheckId kTpmTcti{"attester.tpm.tcti"};              // bad TCTI string
inline constexpr CheckId kTpmOpen{"attester.tpm.open"};              // TCTI or ESYS initialisation
inline constexpr CheckId kTpmEk{"attester.tpm.ek"};                  // EK CreatePrimary
inline constexpr CheckId kTpmEkCert{"attester.tpm.ek_certificate"};  // NV read of the EK cert
inline constexpr CheckId kTpmAk{"attester.tpm.ak"};                  // AK Create / Load
inline constexpr CheckId kTpmSession{"attester.tpm.session"};        // policy session, PolicySecret
inline constexpr CheckId kTpmActivate{"attester.tpm.activate"};      // ActivateCredential
inline constexpr CheckId kTpmQuote{"attester.tpm.quote"};            // Quote
inline constexpr CheckId kTpmPcrRead{"attester.tpm.pcr_read"};       // PCR_Read
inline constexpr CheckId kTpmPcrSelection{"attester.tpm.pcr_selection"};  // bad --pcrs text
inline constexpr CheckId kTpmMarshal{"attester.tpm.marshal"};             // tss2-mu (un)marshalling
inline constexpr CheckId kEventLog{"attester.tpm.event_log"};  // event log present, unreadable

// configfs-tsm and /dev/sev-guest.
inline constexpr CheckId kTsmNotPresent{"attester.tsm.not_present"};  // no configfs-tsm report dir
inline constexpr CheckId kTsmEntry{"attester.tsm.entry"};             // mkdir/rmdir of the entry
inline constexpr CheckId kTsmIo{"attester.tsm.io"};                   // reading/writing attributes
inline constexpr CheckId kTsmGeneration{"attester.tsm.generation"};   // another writer raced us
inline constexpr CheckId kTsmInput{"attester.tsm.input"};             // bad report data / privlevel
inline constexpr CheckId kSevGuestNotPresent{"attester.sev_guest.not_present"};
inline constexpr CheckId kSevGuestIoctl{"attester.sev_guest.ioctl"};
inline constexpr CheckId kSevGuestResponse{"attester.sev_guest.response"};

// Binding of the runtime data (ephemeral key) to the nonce.
inline constexpr CheckId kBindingKey{"attester.binding.key"};
inline constexpr CheckId kBindingNonce{"attester.binding.nonce"};

// HTTP exchanges with the verifier and the relying party.
inline constexpr CheckId kTransport{"attester.http.transport"};  // the transport failed
inline constexpr CheckId kRetries{"attester.http.retries"};      // still 429/503 after all attempts
inline constexpr CheckId kResponse{"attester.http.response"};    // unexpected status or JSON shape
inline constexpr CheckId kRemote{"attester.http.refused"};       // a problem+json refusal (the
                                                                 // remote check id is kept aside)
// Outcomes.
inline constexpr CheckId kVerdictReject{"attester.verdict.reject"};  // verifier verdict "reject"
inline constexpr CheckId kVerdictDeny{"attester.verdict.deny"};      // verifier verdict "deny"
inline constexpr CheckId kDecrypt{"attester.secret.decrypt"};        // the JWE did not decrypt
inline constexpr CheckId kEnrollment{"attester.tpm.enrollment"};     // enrolment answer unusable
inline constexpr CheckId kArgument{"attester.argument"};             // bad flow options

}  // namespace vouch::attester::checks
