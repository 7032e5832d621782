#pragma once

// Byte layouts of Intel DCAP ECDSA quotes (Intel SGX ECDSA Quote Library API, appendix "Quote
// Format"; Intel TDX DCAP Quoting Library API, "TD Quote Format" v4 and v5), parsed with ByteReader
// (little-endian) and serialized back with ByteWriter. For every accepted input,
// serialize(parse(b).quote) equals the first layout.used_len bytes of b.
//
//   v3 (SGX):      header(48) | SGX report body(384) | u32 sig_len | signature data
//   v4 (SGX, TDX): header(48) | SGX body(384) or TD 1.0 body(584) | u32 sig_len | signature data
//   v5:            header(48) | u16 body_type | u32 body_size | body | u32 sig_len | signature data
//
// Signature data: quote signature r||s (64) | attestation key x||y (64) | QE report certification
// data, inline in v3 and wrapped as certification data type 6 in v4/v5. Bytes after the signature
// data are padding (quotes come in fixed-size buffers): they are not signed, tolerated and
// reported as layout.used_len < input size.

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "base/bytes.h"
#include "base/result.h"

namespace vouch::dcap {

inline constexpr std::uint32_t kTeeTypeSgx = 0x00000000;
inline constexpr std::uint32_t kTeeTypeTdx = 0x00000081;
inline constexpr std::uint16_t kAttestationKeyEcdsaP256 = 2;
inline constexpr std::uint16_t kBodyTypeSgx = 1;   // v5 body: SGX report body (384 bytes)
inline constexpr std::uint16_t kBodyTypeTd10 = 2;  // v5 body: TD report 1.0 (584 bytes)
inline constexpr std::uint16_t kBodyTypeTd15 = 3;  // v5 body: TD report 1.5 (648 bytes)
inline constexpr std::uint16_t kCertDataPpidCleartext = 1;
inline constexpr std::uint16_t kCertDataPpidRsa2048 = 2;
inline constexpr std::uint16_t kCertDataPpidRsa3072 = 3;
inline constexpr std::uint16_t kCertDataPckLeaf = 4;
inline constexpr std::uint16_t kCertDataPckChain = 5;  // PEM: PCK leaf, PCK CA, root
inline constexpr std::uint16_t kCertDataQeReport = 6;  // nested QE report certification data
inline constexpr std::size_t kHeaderSize = 48;
inline constexpr std::size_t kEnclaveReportSize = 384;
inline constexpr std::size_t kTd10ReportSize = 584;
inline constexpr std::size_t kTd15ReportSize = 648;

// Quote header (48 bytes). In v4/v5 TDX quotes qe_svn and pce_svn are reserved (zero in practice).
struct QuoteHeader {
  std::uint16_t version = 0;
  std::uint16_t att_key_type = 0;
  std::uint32_t tee_type = 0;
  std::uint16_t qe_svn = 0;
  std::uint16_t pce_svn = 0;
  std::array<std::uint8_t, 16> qe_vendor_id{};
  std::array<std::uint8_t, 20> user_data{};
  friend bool operator==(const QuoteHeader&, const QuoteHeader&) = default;
};

// SGX REPORT_BODY (384 bytes): the body of SGX quotes and the QE report. Reserved ranges
// (20..32, 96..128, 160..192, 262..304) must be zero.
struct EnclaveReport {
  std::array<std::uint8_t, 16> cpu_svn{};          // 0
  std::uint32_t misc_select = 0;                   // 16
  std::array<std::uint8_t, 16> isv_ext_prod_id{};  // 32 (KSS)
  std::array<std::uint8_t, 16> attributes{};       // 48: flags (8, LE) || xfrm (8, LE)
  std::array<std::uint8_t, 32> mr_enclave{};       // 64
  std::array<std::uint8_t, 32> mr_signer{};        // 128
  std::array<std::uint8_t, 64> config_id{};        // 192 (KSS)
  std::uint16_t isv_prod_id = 0;                   // 256
  std::uint16_t isv_svn = 0;                       // 258
  std::uint16_t config_svn = 0;                    // 260 (KSS)
  std::array<std::uint8_t, 16> isv_family_id{};    // 304 (KSS)
  std::array<std::uint8_t, 64> report_data{};      // 320
  friend bool operator==(const EnclaveReport&, const EnclaveReport&) = default;
};

using Mr48 = std::array<std::uint8_t, 48>;

// TD report body of TDX 1.0 (584 bytes).
struct Td10Report {
  std::array<std::uint8_t, 16> tee_tcb_svn{};     // 0: [0] module SVN, [1] module major version
  Mr48 mr_seam{};                                 // 16
  Mr48 mr_signer_seam{};                          // 64
  std::array<std::uint8_t, 8> seam_attributes{};  // 112
  std::array<std::uint8_t, 8> td_attributes{};    // 120
  std::array<std::uint8_t, 8> xfam{};             // 128
  Mr48 mr_td{};                                   // 136
  Mr48 mr_config_id{};                            // 184
  Mr48 mr_owner{};                                // 232
  Mr48 mr_owner_config{};                         // 280
  std::array<Mr48, 4> rtmr{};                     // 328, 376, 424, 472
  std::array<std::uint8_t, 64> report_data{};     // 520
  friend bool operator==(const Td10Report&, const Td10Report&) = default;
};

// TD report body of TDX 1.5 (648 bytes): the 1.0 body plus TEE_TCB_SVN_2 and MR_SERVICETD.
struct Td15Report {
  Td10Report base;
  std::array<std::uint8_t, 16> tee_tcb_svn2{};  // 584
  Mr48 mr_service_td{};                         // 600
  friend bool operator==(const Td15Report&, const Td15Report&) = default;
};

// Certification data of types 1-5: opaque bytes (type 5 is a PEM chain, decoded at verification).
struct CertificationData {
  std::uint16_t type = kCertDataPckChain;
  Bytes data;
  friend bool operator==(const CertificationData&, const CertificationData&) = default;
};

// QE report certification data: the QE's report, its signature by the PCK key, the QE
// authentication data and the certification data that identifies the PCK.
struct QeReportCertificationData {
  EnclaveReport qe_report;
  std::array<std::uint8_t, 64> qe_report_signature{};  // r || s, big-endian
  Bytes qe_auth_data;
  CertificationData certification_data;
  friend bool operator==(const QeReportCertificationData&,
                         const QeReportCertificationData&) = default;
};

// The quote's signature data.
struct QuoteAuthData {
  std::array<std::uint8_t, 64> signature{};        // ECDSA r || s over header || body
  std::array<std::uint8_t, 64> attestation_key{};  // P-256 x || y
  QeReportCertificationData qe;
  friend bool operator==(const QuoteAuthData&, const QuoteAuthData&) = default;
};

// Version 3: SGX only.
struct QuoteV3 {
  QuoteHeader header;
  EnclaveReport body;
  QuoteAuthData auth;
  friend bool operator==(const QuoteV3&, const QuoteV3&) = default;
};
// Version 4: SGX (tee_type 0) or TDX 1.0 (tee_type 0x81).
struct QuoteV4 {
  QuoteHeader header;
  std::variant<EnclaveReport, Td10Report> body;
  QuoteAuthData auth;
  friend bool operator==(const QuoteV4&, const QuoteV4&) = default;
};
// Version 5: the body type says which body follows.
struct QuoteV5 {
  QuoteHeader header;
  std::variant<EnclaveReport, Td10Report, Td15Report> body;
  QuoteAuthData auth;
  friend bool operator==(const QuoteV5&, const QuoteV5&) = default;
};

// Quote is the closed sum of the quote versions Vouch accepts; adding a version is a compile
// error until every visitor handles it.
using Quote = std::variant<QuoteV3, QuoteV4, QuoteV5>;

// Where the signed parts of a parsed quote are in its input buffer.
struct QuoteLayout {
  std::size_t signed_len = 0;        // header || (body type, size) || body: what the quote
                                     // signature covers
  std::size_t qe_report_offset = 0;  // start of the 384-byte QE report
  std::size_t used_len = 0;          // bytes up to the end of the signature data
};

struct ParsedQuote {
  Quote quote;
  QuoteLayout layout;
};

// Parses a quote of version 3, 4 or 5 with an ECDSA-P256 attestation key. Bytes after the
// signature data are tolerated (see above); anything shorter than the sizes say fails with
// dcap.quote.truncated. Other errors: dcap.quote.version, dcap.quote.att_key_type,
// dcap.quote.tee_type, dcap.quote.body_type, dcap.quote.reserved, dcap.quote.signature_data,
// dcap.quote.certification_data — each naming the field and byte offset.
[[nodiscard]] Result<ParsedQuote> parse_quote(ByteSpan data);
// Serializes a quote (the exact inverse of parse_quote up to layout.used_len).
Bytes serialize(const Quote& quote);

// Parses exactly one 384-byte SGX report body (reserved ranges must be zero).
[[nodiscard]] Result<EnclaveReport> parse_enclave_report(ByteSpan data);
Bytes serialize(const EnclaveReport& report);

// Parses QE report certification data exactly (the payload of certification data type 6):
// QE report, its signature, QE authentication data and certification data of type 1-5.
[[nodiscard]] Result<QeReportCertificationData> parse_qe_report_certification_data(ByteSpan data);
Bytes serialize(const QeReportCertificationData& data);

// Accessors over every version.
const QuoteHeader& header_of(const Quote& quote) noexcept;
const QuoteAuthData& auth_of(const Quote& quote) noexcept;
// The SGX report body, or nullptr for a TDX quote.
const EnclaveReport* sgx_body(const Quote& quote) noexcept;
// The TD 1.0 part of a TDX body (1.0 or 1.5), or nullptr for an SGX quote.
const Td10Report* td_body(const Quote& quote) noexcept;
// The TD 1.5 body, or nullptr.
const Td15Report* td15_body(const Quote& quote) noexcept;
// The bytes the quote signature covers: the first layout.signed_len bytes of the input.
inline ByteSpan signed_region(ByteSpan data, const QuoteLayout& layout) noexcept {
  return data.first(layout.signed_len);
}

}  // namespace vouch::dcap
