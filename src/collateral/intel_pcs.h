#pragma once

// Intel PCS (Provisioning Certification Service) API v4 collateral: typed provider interface and
// its implementations. Providers return the raw signed bytes plus the issuer chain exactly as PCS
// serves them; verification (signatures, chains, CRLs, freshness, TCB matching) lives in
// evidence/dcap, never here.
//
//   GET {base}/sgx/certification/v4/pckcert?encrypted_ppid=&cpusvn=&pcesvn=&pceid=
//       -> PEM PCK certificate; SGX-PCK-Certificate-Issuer-Chain, SGX-TCBm, SGX-FMSPC,
//          SGX-PCK-Certificate-CA-Type headers
//   GET {base}/sgx/certification/v4/pckcrl?ca=processor|platform&encoding=der
//       -> DER CRL; SGX-PCK-CRL-Issuer-Chain
//   GET {base}/sgx|tdx/certification/v4/tcb?fmspc=<hex>[&tcbEvaluationDataNumber=N|&update=early]
//       -> {"tcbInfo": ..., "signature": ...}; TCB-Info-Issuer-Chain (also
//       SGX-TCB-Info-Issuer-Chain)
//   GET {base}/sgx|tdx/certification/v4/qe/identity[?tcbEvaluationDataNumber=N|?update=early]
//       -> {"enclaveIdentity": ..., "signature": ...}; SGX-Enclave-Identity-Issuer-Chain
//   GET {base}/sgx|tdx/certification/v4/tcbevaluationdatanumbers
//       -> {"tcbEvaluationDataNumbers": ..., "signature": ...};
//          TCB-Evaluation-Data-Numbers-Issuer-Chain
//   GET {rootcacrl url} -> DER root CA CRL (certificates.trustedservices.intel.com)
// Issuer chains travel URL-encoded (percent-encoded PEM) in headers and are decoded here.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"

namespace vouch::collateral {

// Which TEE a TCB Info or QE identity is for (the /sgx/ or /tdx/ path).
enum class IntelTee : std::uint8_t { kSgx, kTdx };
// Which PCK CA issued a PCK certificate (the pckcrl "ca" parameter).
enum class IntelCa : std::uint8_t { kProcessor, kPlatform };

std::string_view intel_tee_name(IntelTee tee) noexcept;  // "sgx", "tdx"
std::string_view intel_ca_name(IntelCa ca) noexcept;     // "processor", "platform"

using Fmspc = std::array<std::uint8_t, 6>;

// TcbBaseline selects which TCB evaluation data a TCB Info and QE identity are requested for
// (Azure's "TCB baseline"): the source's default (PCS update=standard, "latest"), the early
// update (update=early), or one tcbEvaluationDataNumber (PCS v4 ?tcbEvaluationDataNumber=N).
struct TcbBaseline {
  enum class Kind : std::uint8_t { kLatest, kEarly, kNumber };
  Kind kind = Kind::kLatest;
  std::uint32_t number = 0;  // kNumber only

  static TcbBaseline latest() noexcept { return {}; }
  static TcbBaseline early() noexcept { return {Kind::kEarly, 0}; }
  static TcbBaseline evaluation_data_number(std::uint32_t n) noexcept { return {Kind::kNumber, n}; }
  bool is_latest() const noexcept { return kind == Kind::kLatest; }
  friend bool operator==(const TcbBaseline&, const TcbBaseline&) = default;
};
// "latest", "early" or the number in decimal (the tcbIdentifier of GET /tcbbaselines).
std::string tcb_baseline_name(const TcbBaseline& baseline);
// Parses tcb_baseline_name()'s output ("standard" also means latest); collateral.pcs.baseline
// (kInvalidArgument) for anything else, and for numbers outside 1..2^31-1.
[[nodiscard]] Result<TcbBaseline> parse_tcb_baseline(std::string_view text);

// A signed JSON document (TCB Info or enclave identity) as PCS serves it.
struct IntelSignedJson {
  std::string json;          // {"tcbInfo"|"enclaveIdentity": {...}, "signature": "<hex>"}
  std::string issuer_chain;  // PEM: TCB Signing certificate, then the root
};

// A CRL (DER or PEM) and the PEM chain of its issuer (empty for the root CA CRL, which the root
// signs itself).
struct IntelCrl {
  Bytes crl;
  std::string issuer_chain;
};

// A PCK certificate with what PCS says about it.
struct IntelPckCertificate {
  std::string certificate;   // PEM
  std::string issuer_chain;  // PEM: PCK CA, root
  std::string tcbm;          // hex: CPUSVN (16 bytes) || PCESVN (2 bytes, LE)
  std::string fmspc;         // hex
  std::string ca_type;       // "processor" or "platform"
};

// The platform identity a PCK certificate is requested for (PCS "pckcert" GET form).
struct PckCertificateRequest {
  Bytes encrypted_ppid;  // RSA-3072 encrypted PPID (384 bytes)
  std::array<std::uint8_t, 16> cpu_svn{};
  std::uint16_t pce_svn = 0;
  std::array<std::uint8_t, 2> pce_id{};
};

// IntelPcs is the typed source of Intel collateral. Implementations (collateral/
// intel_pcs_sources.h, picked by composition roots only): OnlineIntelPcs (over the Fetcher seam),
// OfflineIntelPcs (a directory) and CachingIntelPcs (in memory, decorating another).
// Failures to obtain collateral are kCollateralUnavailable; a source that answers "no such
// item" (HTTP 404, missing file) is kNotFound.
class IntelPcs {
 public:
  virtual ~IntelPcs() = default;
  [[nodiscard]] virtual Result<IntelPckCertificate> pck_certificate(
      const PckCertificateRequest& request) = 0;
  [[nodiscard]] virtual Result<IntelCrl> pck_crl(IntelCa ca) = 0;
  // TCB Info and QE identity for a baseline (TcbBaseline{} is the latest).
  [[nodiscard]] virtual Result<IntelSignedJson> tcb_info(IntelTee tee, const Fmspc& fmspc,
                                                         const TcbBaseline& baseline) = 0;
  [[nodiscard]] virtual Result<IntelSignedJson> qe_identity(IntelTee tee,
                                                            const TcbBaseline& baseline) = 0;
  // The TCB evaluation data numbers the source offers (signed like TCB Info, body member
  // "tcbEvaluationDataNumbers").
  [[nodiscard]] virtual Result<IntelSignedJson> tcb_evaluation_data_numbers(IntelTee tee) = 0;
  [[nodiscard]] virtual Result<IntelCrl> root_ca_crl() = 0;
};

// One entry of a tcbEvaluationDataNumbers list.
struct TcbEvaluationDataNumber {
  std::uint32_t number = 0;
  Timestamp tcb_recovery_event_date;
  Timestamp tcb_date;
};
// Reads the entries (tcbEvaluationDataNumbers.tcbEvalNumbers) of a signed list without
// verifying its signature (the list is informational: the baseline a verification used is
// enforced through the TCB Info's own, verified, number). collateral.pcs.response when the list
// cannot be read.
[[nodiscard]] Result<std::vector<TcbEvaluationDataNumber>> read_tcb_evaluation_data_numbers(
    const IntelSignedJson& list);

namespace checks {
inline constexpr CheckId kPcsStatus{"collateral.pcs.status"};       // non-200 answer
inline constexpr CheckId kPcsResponse{"collateral.pcs.response"};   // missing header, bad body
inline constexpr CheckId kPcsNotFound{"collateral.pcs.not_found"};  // 404 / missing file
inline constexpr CheckId kPcsStale{"collateral.pcs.stale"};  // cached item past nextUpdate + grace
inline constexpr CheckId kPcsUrl{"collateral.pcs.url"};      // not a PCS URL we understand
inline constexpr CheckId kPcsBaseline{"collateral.pcs.baseline"};  // not a TCB baseline name
}  // namespace checks

// --- Intel PCS v4 URLs (and their inverse parsers, used by fakes and the offline layout) ---

struct PcsUrls {
  std::string base = "https://api.trustedservices.intel.com";
  std::string root_ca_crl = "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der";
};
// The URLs of a PCS or PCCS at `base` (no trailing slash): Intel's own API keeps Intel's root CA
// CRL URL; anything else (a PCCS, another `vouch serve`) serves the root CA CRL at
// <base>/sgx/certification/v4/rootcacrl.
PcsUrls pcs_urls_for(std::string base);
std::string pck_certificate_url(const PcsUrls& urls, const PckCertificateRequest& request);
std::string pck_crl_url(const PcsUrls& urls, IntelCa ca);
std::string tcb_info_url(const PcsUrls& urls, IntelTee tee, const Fmspc& fmspc,
                         const TcbBaseline& baseline = {});
std::string qe_identity_url(const PcsUrls& urls, IntelTee tee, const TcbBaseline& baseline = {});
std::string tcb_evaluation_data_numbers_url(const PcsUrls& urls, IntelTee tee);

// What a PCS URL asks for (the inverse of the builders above).
struct PcsRequest {
  enum class Kind : std::uint8_t {
    kPckCertificate,
    kPckCrl,
    kTcbInfo,
    kQeIdentity,
    kRootCaCrl,
    kTcbEvaluationDataNumbers
  };
  Kind kind = Kind::kTcbInfo;
  IntelTee tee = IntelTee::kSgx;
  TcbBaseline baseline;  // kTcbInfo, kQeIdentity
  IntelCa ca = IntelCa::kProcessor;
  Fmspc fmspc{};
  PckCertificateRequest pck;
};
// Parses a URL produced by the builders for `urls`; collateral.pcs.url (kInvalidArgument) for
// anything else.
[[nodiscard]] Result<PcsRequest> parse_pcs_url(const PcsUrls& urls, std::string_view url);

// Percent-decoding of header values (issuer chains) and percent-encoding (for fakes).
[[nodiscard]] Result<std::string> url_decode(std::string_view in);
std::string url_encode(std::string_view in);

}  // namespace vouch::collateral
