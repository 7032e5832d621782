#pragma once

// Intel TCB Info v3 (Intel PCS API v4, "TCB Info" for SGX and TDX): the signed body of
// {"tcbInfo": {...}, "signature": "..."}.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "evidence/dcap/tcb_status.h"

namespace vouch::dcap {

enum class TcbInfoId : std::uint8_t { kSgx, kTdx };
std::string_view tcb_info_id_name(TcbInfoId id) noexcept;  // "SGX", "TDX"

// One TCB level: minimum SVNs and the status a platform at or above them has.
struct TcbLevel {
  std::array<std::uint8_t, 16> sgx_svns{};  // sgxtcbcomponents[i].svn
  std::uint16_t pce_svn = 0;
  std::optional<std::array<std::uint8_t, 16>> tdx_svns;  // tdxtcbcomponents (TDX only)
  Timestamp tcb_date;
  TcbStatus status = TcbStatus::kOutOfDate;
  std::vector<std::string> advisory_ids;
  friend bool operator==(const TcbLevel&, const TcbLevel&) = default;
};

// tcbInfo.tdxModule: the TDX module signer and attributes (module version 0).
struct TdxModule {
  std::array<std::uint8_t, 48> mrsigner{};
  std::array<std::uint8_t, 8> attributes{};
  std::array<std::uint8_t, 8> attributes_mask{};
  friend bool operator==(const TdxModule&, const TdxModule&) = default;
};

// A TCB level of a TDX module identity (minimum module ISVSVN = TEE_TCB_SVN[0]).
struct TdxModuleTcbLevel {
  std::uint8_t isv_svn = 0;
  Timestamp tcb_date;
  TcbStatus status = TcbStatus::kOutOfDate;  // UpToDate, OutOfDate or Revoked
  std::vector<std::string> advisory_ids;
  friend bool operator==(const TdxModuleTcbLevel&, const TdxModuleTcbLevel&) = default;
};

// tcbInfo.tdxModuleIdentities[i]: identity "TDX_<major version as 2 hex digits>" (TDX 1.5).
struct TdxModuleIdentity {
  std::string id;
  std::array<std::uint8_t, 48> mrsigner{};
  std::array<std::uint8_t, 8> attributes{};
  std::array<std::uint8_t, 8> attributes_mask{};
  std::vector<TdxModuleTcbLevel> levels;
  friend bool operator==(const TdxModuleIdentity&, const TdxModuleIdentity&) = default;
};

struct TcbInfo {
  TcbInfoId id = TcbInfoId::kSgx;
  std::uint32_t version = 3;
  Timestamp issue_date;
  Timestamp next_update;
  std::array<std::uint8_t, 6> fmspc{};
  std::array<std::uint8_t, 2> pce_id{};
  std::uint32_t tcb_type = 0;
  std::uint32_t tcb_evaluation_data_number = 0;
  std::optional<TdxModule> tdx_module;                   // TDX only
  std::vector<TdxModuleIdentity> tdx_module_identities;  // TDX only, may be empty
  std::vector<TcbLevel> levels;  // in the order Intel lists them (descending)
  friend bool operator==(const TcbInfo&, const TcbInfo&) = default;
};

// Parses the tcbInfo body (version 3; id "SGX" or "TDX"; tcbType 0; 16 SGX components per level
// and, for TDX, 16 TDX components). Fails with dcap.tcb_info.format (kMalformedEvidence) naming
// the JSON path.
[[nodiscard]] Result<TcbInfo> parse_tcb_info(std::string_view body);
// The tcbInfo body as compact JSON in Intel's member order and spelling (uppercase hex);
// parse_tcb_info(to_json(x)) == x. (Intel's signature covers Intel's bytes; this is for test
// fixtures and for serving parsed collateral, not for re-signing.)
std::string to_json(const TcbInfo& info);

}  // namespace vouch::dcap
