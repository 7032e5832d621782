#include "evidence/sgx/openenclave.h"

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "evidence/dcap/quote.h"
#include "evidence/sgx/check_ids.h"

namespace vouch::sgx {
namespace {

constexpr std::size_t kMaxClaims = 1024;

Result<std::vector<OeCustomClaim>> parse_claims(ByteSpan buffer) {
  ByteReader r(buffer);
  std::uint64_t version = 0;
  std::uint64_t num = 0;
  if (!r.u64le(version) || !r.u64le(num)) {
    return fail(r.truncated(checks::kOpenEnclaveClaims, "custom claims header"));
  }
  if (version != 1) {
    return malformed(checks::kOpenEnclaveClaims,
                     "custom claims version " + std::to_string(version) + ", expected 1");
  }
  if (num > kMaxClaims) {
    return malformed(checks::kOpenEnclaveClaims,
                     "custom claims count " + std::to_string(num) + " is too large");
  }
  std::vector<OeCustomClaim> out;
  for (std::uint64_t i = 0; i < num; ++i) {
    std::uint64_t name_size = 0;
    std::uint64_t value_size = 0;
    ByteSpan name;
    ByteSpan value;
    const std::string field = "custom claim " + std::to_string(i);
    if (!r.u64le(name_size) || !r.u64le(value_size) || name_size > r.remaining() ||
        !r.bytes(static_cast<std::size_t>(name_size), name) || value_size > r.remaining() ||
        !r.bytes(static_cast<std::size_t>(value_size), value)) {
      return fail(r.truncated(checks::kOpenEnclaveClaims, field));
    }
    // OE writes names with their terminating NUL.
    if (name.empty() || name.back() != 0) {
      return malformed(checks::kOpenEnclaveClaims, field + ": name is not NUL-terminated");
    }
    OeCustomClaim c;
    c.name.assign(name.begin(), name.end() - 1);
    c.value = to_bytes(value);
    out.push_back(std::move(c));
  }
  if (!r.empty()) {
    return fail(r.trailing(checks::kOpenEnclaveClaims, "the custom claims"));
  }
  return out;
}

}  // namespace

Result<OeEnvelope> parse_openenclave(ByteSpan data) {
  ByteReader r(data);
  std::uint32_t version = 0;
  if (!r.u32le(version)) {
    return fail(r.truncated(checks::kOpenEnclaveParse, "header.version"));
  }
  OeEnvelope out;
  if (version == kOeReportHeaderVersion) {
    std::uint32_t type = 0;
    std::uint64_t size = 0;
    if (!r.u32le(type) || !r.u64le(size)) {
      return fail(r.truncated(checks::kOpenEnclaveParse, "oe_report_header"));
    }
    if (type != kOeReportTypeSgxRemote) {
      return malformed(checks::kOpenEnclaveFormat,
                       "report_type at offset 4 is " + std::to_string(type) +
                           "; only 2 (SGX remote attestation) carries a quote");
    }
    if (size != r.remaining()) {
      return malformed(checks::kOpenEnclaveParse,
                       "report_size at offset 8 is " + std::to_string(size) + ", but " +
                           std::to_string(r.remaining()) + " bytes follow");
    }
    out.format = OeFormat::kReport;
    out.quote = r.rest();
    VOUCH_TRY(dcap::ParsedQuote q, dcap::parse_quote(out.quote));
    if (q.layout.used_len != out.quote.size()) {
      return malformed(checks::kOpenEnclaveParse,
                       std::to_string(out.quote.size() - q.layout.used_len) +
                           " bytes after the quote inside the OE report");
    }
    return out;
  }
  if (version != kOeAttestationHeaderVersion) {
    return malformed(checks::kOpenEnclaveParse,
                     "header version " + std::to_string(version) +
                         " is neither an OE report (1) nor OE evidence (3)");
  }
  std::array<std::uint8_t, 16> format{};
  std::uint64_t size = 0;
  if (!r.array(format) || !r.u64le(size)) {
    return fail(r.truncated(checks::kOpenEnclaveParse, "oe_attestation_header"));
  }
  if (format != kOeFormatSgxEcdsa) {
    return malformed(checks::kOpenEnclaveFormat,
                     "format id at offset 4 is not OE_FORMAT_UUID_SGX_ECDSA");
  }
  if (size != r.remaining()) {
    return malformed(checks::kOpenEnclaveParse,
                     "data_size at offset 20 is " + std::to_string(size) + ", but " +
                         std::to_string(r.remaining()) + " bytes follow");
  }
  out.format = OeFormat::kEvidence;
  const ByteSpan body = r.rest();
  VOUCH_TRY(dcap::ParsedQuote q, dcap::parse_quote(body));
  out.quote = body.first(q.layout.used_len);
  const ByteSpan claims = body.subspan(q.layout.used_len);
  if (!claims.empty()) {
    out.custom_claims_buffer = to_bytes(claims);
    VOUCH_TRY(out.custom_claims, parse_claims(claims));
  }
  return out;
}

Bytes serialize_oe_report(ByteSpan quote) {
  ByteWriter w;
  w.u32le(kOeReportHeaderVersion).u32le(kOeReportTypeSgxRemote).u64le(quote.size()).bytes(quote);
  return std::move(w).take();
}

Bytes serialize_oe_custom_claims(const std::vector<OeCustomClaim>& claims) {
  ByteWriter w;
  w.u64le(1).u64le(claims.size());
  for (const OeCustomClaim& c : claims) {
    w.u64le(c.name.size() + 1).u64le(c.value.size()).bytes(as_bytes(c.name)).u8(0).bytes(c.value);
  }
  return std::move(w).take();
}

Bytes serialize_oe_evidence(ByteSpan quote, const std::vector<OeCustomClaim>& claims) {
  const Bytes claims_buffer = claims.empty() ? Bytes() : serialize_oe_custom_claims(claims);
  ByteWriter w;
  w.u32le(kOeAttestationHeaderVersion).bytes(kOeFormatSgxEcdsa);
  w.u64le(quote.size() + claims_buffer.size()).bytes(quote).bytes(claims_buffer);
  return std::move(w).take();
}

}  // namespace vouch::sgx
