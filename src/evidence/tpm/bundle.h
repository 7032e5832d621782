#pragma once

// Vouch's TPM evidence bundle: one JSON document carrying everything a TPM quote needs, for the
// RATS challenge-response API and the attester. Media type:
//
//   application/vnd.vouch.tpm-quote+json
//   {
//     "quote": "<base64>",                      TPMS_ATTEST or TPM2B_ATTEST (tpm2_quote -m)
//     "signature": "<base64>",                  TPMT_SIGNATURE (tpm2_quote -s)
//     "ak_public": "<base64>",                  TPMT_PUBLIC, TPM2B_PUBLIC or DER SPKI ...
//     "ak_certificate_chain": ["<base64 DER>"], ... and/or the AK certificate, leaf first
//     "pcrs": {"sha256": {"0": "<hex>", ...}},  PCR values by bank (optional)
//     "event_log": "<base64>"                   TCG PC Client event log (optional)
//   }
//
// Base64 may be standard or URL-safe, padded or not. Unknown members are rejected so a typo
// cannot drop evidence silently. docs/evidence/tpm.md documents the format.

#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "evidence/tpm/verify.h"

namespace vouch::tpm {

inline constexpr std::string_view kBundleMediaType = "application/vnd.vouch.tpm-quote+json";

// TpmBundle is a parsed bundle (bytes decoded, nothing verified yet).
struct TpmBundle {
  Bytes quote;
  Bytes signature;
  std::optional<Bytes> ak_public;
  std::vector<Bytes> ak_certificate_chain;  // DER, leaf first
  std::optional<PcrValues> pcrs;
  std::optional<Bytes> event_log;
};

// Parses a bundle. Errors: tpm.bundle (kMalformedEvidence) naming the member, for bad JSON,
// wrong types, bad base64, unknown members, a missing quote/signature, no AK at all, or a member
// over its size bound.
[[nodiscard]] Result<TpmBundle> parse_bundle(std::string_view json);

// Serializes a bundle (standard base64, PCR values as lowercase hex).
std::string serialize_bundle(const TpmBundle& bundle);

}  // namespace vouch::tpm
