#pragma once

// AMD Key Distribution Service (KDS) collateral: the AmdKds interface the SEV-SNP verifier asks
// for VCEK/VLEK certificates, the ASK/ASVK + ARK product chains and the CRLs, and its
// implementations:
//   SuppliedAmdKds  certificates that came with the evidence (MAA VcekCertChain, the extended
//                   report's certificate table, CLI files), falling back to another source;
// and, in collateral/amd_kds_sources.h (picked by composition roots only):
//   OnlineAmdKds    KDS-shaped HTTP client over the Fetcher seam (URL builders below);
//   CachingAmdKds   decorator caching by (product, chip id, TCB) and CRLs until nextUpdate;
//   OfflineAmdKds   a directory laid out like the KDS paths, for air-gapped deployments.
// Certificates and CRLs are returned as raw DER: verification lives in evidence/sevsnp, never here.
// Transient failures are kCollateralUnavailable (collateral.fetch / collateral.amd_kds); a KDS
// answer "no such certificate" is kNotFound.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/time.h"
#include "collateral/amd_types.h"
#include "collateral/fetcher.h"

namespace vouch::collateral {

namespace checks {
inline constexpr CheckId kAmdKds{"collateral.amd_kds"};         // a KDS answer was unusable
inline constexpr CheckId kAmdKdsUrl{"collateral.amd_kds.url"};  // not a KDS URL we understand
inline constexpr CheckId kAmdKdsNotFound{"collateral.amd_kds.not_found"};
inline constexpr CheckId kAmdKdsStale{
    "collateral.amd_kds.stale"};  // cached past nextUpdate + grace
}  // namespace checks

// Where a piece of collateral came from (reported as a claim by the verifier).
enum class AmdSource : std::uint8_t { kEvidence, kKds, kOffline };
std::string_view amd_source_name(AmdSource s) noexcept;  // "evidence", "kds", "offline"

// A DER certificate and its provenance.
struct AmdCertificate {
  Bytes der;
  AmdSource source = AmdSource::kKds;
};

// The intermediate (ASK for VCEKs, ASVK for VLEKs) and the ARK of one product, as DER.
struct AmdProductChain {
  Bytes intermediate_der;
  Bytes ark_der;
  AmdSource source = AmdSource::kKds;
};

// A DER CRL issued by the product's ARK (it lists revoked ASKs/ASVKs).
struct AmdCrl {
  Bytes der;
  AmdSource source = AmdSource::kKds;
};

// AmdKds answers the SEV-SNP verifier's collateral questions. Implementations are thread-safe.
class AmdKds {
 public:
  virtual ~AmdKds() = default;
  // The ASK (kVcek) or ASVK (kVlek) and the ARK of `product`.
  [[nodiscard]] virtual Result<AmdProductChain> product_chain(AmdProduct product,
                                                              AmdKeyKind kind) = 0;
  // The VCEK of the chip `chip_id` at the TCB `reported_tcb` (the report's REPORTED_TCB).
  [[nodiscard]] virtual Result<AmdCertificate> vcek(AmdProduct product, const ChipId& chip_id,
                                                    std::uint64_t reported_tcb) = 0;
  // The VLEK for `reported_tcb` (only a cloud provider can fetch these from AMD).
  [[nodiscard]] virtual Result<AmdCertificate> vlek(AmdProduct product,
                                                    std::uint64_t reported_tcb) = 0;
  // The CRL of `product` for the ASK (kVcek) or ASVK (kVlek) path.
  [[nodiscard]] virtual Result<AmdCrl> crl(AmdProduct product, AmdKeyKind kind) = 0;
};

// --- KDS URLs (go-sev-guest kds shape: builders and their inverse parsers) ---

inline constexpr std::string_view kAmdKdsBaseUrl = "https://kdsintf.amd.com";

// <base>/{vcek|vlek}/v1/<Product>/cert_chain
std::string kds_product_chain_url(std::string_view base, AmdProduct product, AmdKeyKind kind);
// <base>/vcek/v1/<Product>/<hwid hex>?[fmcSPL=..&]blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..
// (hwid: the whole chip id, or its first 8 bytes on Turin)
std::string kds_vcek_url(std::string_view base, AmdProduct product, const ChipId& chip_id,
                         std::uint64_t reported_tcb);
// <base>/vlek/v1/<Product>/cert?[fmcSPL=..&]blSPL=..&teeSPL=..&snpSPL=..&ucodeSPL=..
std::string kds_vlek_url(std::string_view base, AmdProduct product, std::uint64_t reported_tcb);
// <base>/{vcek|vlek}/v1/<Product>/crl
std::string kds_crl_url(std::string_view base, AmdProduct product, AmdKeyKind kind);

// A parsed KDS request URL (the inverse of the builders above).
struct KdsProductChainRequest {
  AmdProduct product;
  AmdKeyKind kind;
};
struct KdsVcekRequest {
  AmdProduct product;
  Bytes hwid;  // 64 bytes, or 8 on Turin
  std::uint64_t reported_tcb;
};
struct KdsVlekRequest {
  AmdProduct product;
  std::uint64_t reported_tcb;
};
struct KdsCrlRequest {
  AmdProduct product;
  AmdKeyKind kind;
};
using KdsRequest =
    std::variant<KdsProductChainRequest, KdsVcekRequest, KdsVlekRequest, KdsCrlRequest>;

// Parses a URL built by the functions above against `base`. Fails with collateral.amd_kds.url
// (kInvalidArgument) naming what does not fit: host, path, product, hwid, query parameters (each
// SPL exactly once, 0-255, and fmcSPL exactly when the product is Turin).
[[nodiscard]] Result<KdsRequest> parse_kds_url(std::string_view base, std::string_view url);

// Splits a KDS cert_chain body (PEM: the ASK or ASVK, then the ARK; nothing else) into DER.
[[nodiscard]] Result<AmdProductChain> parse_kds_cert_chain(ByteSpan pem);

// Splits PEM text into the DER bodies of its CERTIFICATE blocks, in order, without parsing them
// as X.509 (cheap: used on every request for certificates supplied with the evidence). Fails with
// collateral.amd_kds on another block type or bad base64.
[[nodiscard]] Result<std::vector<Bytes>> pem_certificates_to_der(ByteSpan pem);

// --- implementations ---

// SuppliedAmdKds serves the certificates that came with the evidence and asks `fallback` (may be
// null) for anything else. The verifier checks every certificate; nothing here is trusted.
class SuppliedAmdKds final : public AmdKds {
 public:
  struct Certificates {
    std::optional<Bytes> vcek_der;
    std::optional<Bytes> vlek_der;
    std::optional<Bytes> intermediate_der;  // ASK or ASVK
    std::optional<Bytes> ark_der;
  };
  SuppliedAmdKds(Certificates certs, AmdKds* fallback)
      : certs_(std::move(certs)), fallback_(fallback) {}

  // From MAA's VcekCertChain: PEM VCEK (or VLEK), ASK (or ASVK), ARK in that order (trailing
  // ones optional). The first certificate answers both vcek() and vlek(): the verifier checks
  // which kind it is against the report's SIGNING_KEY.
  [[nodiscard]] static Result<SuppliedAmdKds> from_pem_chain(ByteSpan pem, AmdKds* fallback);

  Result<AmdProductChain> product_chain(AmdProduct product, AmdKeyKind kind) override;
  Result<AmdCertificate> vcek(AmdProduct product, const ChipId& chip_id,
                              std::uint64_t reported_tcb) override;
  Result<AmdCertificate> vlek(AmdProduct product, std::uint64_t reported_tcb) override;
  Result<AmdCrl> crl(AmdProduct product, AmdKeyKind kind) override;

 private:
  Certificates certs_;
  AmdKds* fallback_;
};

}  // namespace vouch::collateral
