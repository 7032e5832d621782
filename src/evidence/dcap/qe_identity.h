#pragma once

// Intel enclave identity v2 (Intel PCS API v4 "QE Identity" and "TD QE Identity"): the signed
// body of {"enclaveIdentity": {...}, "signature": "..."}.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "evidence/dcap/tcb_status.h"

namespace vouch::dcap {

enum class EnclaveIdentityId : std::uint8_t { kQe, kTdQe, kQve };
std::string_view enclave_identity_id_name(EnclaveIdentityId id) noexcept;  // "QE", "TD_QE", "QVE"

struct EnclaveIdentityTcbLevel {
  std::uint16_t isv_svn = 0;
  Timestamp tcb_date;
  TcbStatus status = TcbStatus::kOutOfDate;  // UpToDate, OutOfDate or Revoked
  std::vector<std::string> advisory_ids;
  friend bool operator==(const EnclaveIdentityTcbLevel&, const EnclaveIdentityTcbLevel&) = default;
};

struct EnclaveIdentity {
  EnclaveIdentityId id = EnclaveIdentityId::kQe;
  std::uint32_t version = 2;
  Timestamp issue_date;
  Timestamp next_update;
  std::uint32_t tcb_evaluation_data_number = 0;
  std::array<std::uint8_t, 4> miscselect{};  // as listed: the report's 4 bytes (LE)
  std::array<std::uint8_t, 4> miscselect_mask{};
  std::array<std::uint8_t, 16> attributes{};
  std::array<std::uint8_t, 16> attributes_mask{};
  std::array<std::uint8_t, 32> mrsigner{};
  std::uint16_t isv_prod_id = 0;
  std::vector<EnclaveIdentityTcbLevel> levels;  // descending ISVSVN, as Intel lists them
  friend bool operator==(const EnclaveIdentity&, const EnclaveIdentity&) = default;
};

// Parses the enclaveIdentity body (version 2). Fails with dcap.qe_identity.format
// (kMalformedEvidence) naming the JSON path.
[[nodiscard]] Result<EnclaveIdentity> parse_enclave_identity(std::string_view body);
// The enclaveIdentity body as compact JSON in Intel's member order and spelling;
// parse_enclave_identity(to_json(x)) == x.
std::string to_json(const EnclaveIdentity& identity);

}  // namespace vouch::dcap
