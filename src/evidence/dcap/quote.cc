#include "evidence/dcap/quote.h"

#include <string>

#include "base/byte_reader.h"
#include "base/byte_writer.h"
#include "evidence/dcap/check_ids.h"
#include "evidence/dcap/overloaded.h"

namespace vouch::dcap {
namespace {

// Reserved ranges of the SGX report body: (offset, length).
constexpr std::size_t kReserved1 = 12;  // 20..32
constexpr std::size_t kReserved2 = 32;  // 96..128
constexpr std::size_t kReserved3 = 32;  // 160..192
constexpr std::size_t kReserved4 = 42;  // 262..304

Error reserved_error(const ByteReader& r, std::string_view field) {
  return Error{
      ErrorKind::kMalformedEvidence, checks::kQuoteReserved,
      std::string(field) + " has a non-zero byte at offset " + std::to_string(r.nonzero_at())};
}

// Reads n reserved bytes that must be zero.
Status reserved(ByteReader& r, std::size_t n, std::string_view field) {
  if (r.zeros(n)) {
    return ok();
  }
  if (r.last_need() != 0) {
    return fail(r.truncated(checks::kQuoteTruncated, field));
  }
  return fail(reserved_error(r, field));
}

template <std::size_t N>
Status field(ByteReader& r, std::array<std::uint8_t, N>& out, std::string_view name) {
  if (!r.array(out)) {
    return fail(r.truncated(checks::kQuoteTruncated, name));
  }
  return ok();
}

Status u16(ByteReader& r, std::uint16_t& out, std::string_view name) {
  if (!r.u16le(out)) {
    return fail(r.truncated(checks::kQuoteTruncated, name));
  }
  return ok();
}

Status u32(ByteReader& r, std::uint32_t& out, std::string_view name) {
  if (!r.u32le(out)) {
    return fail(r.truncated(checks::kQuoteTruncated, name));
  }
  return ok();
}

// Reads a little-endian u16 length and returns a reader bounded to that many bytes.
Status u16_prefixed(ByteReader& r, ByteReader& out, std::string_view name) {
  ByteReader saved = r;
  std::uint16_t len = 0;
  if (!r.u16le(len)) {
    return fail(r.truncated(checks::kQuoteTruncated, std::string(name) + ".size"));
  }
  if (!r.child(len, out)) {
    Error e = r.truncated(checks::kQuoteTruncated, name);
    r = saved;
    return fail(std::move(e));
  }
  return ok();
}

Result<QuoteHeader> read_header(ByteReader& r) {
  QuoteHeader h;
  VOUCH_RETURN_IF_ERROR(u16(r, h.version, "header.version"));
  VOUCH_RETURN_IF_ERROR(u16(r, h.att_key_type, "header.att_key_type"));
  VOUCH_RETURN_IF_ERROR(u32(r, h.tee_type, "header.tee_type"));
  VOUCH_RETURN_IF_ERROR(u16(r, h.qe_svn, "header.qe_svn"));
  VOUCH_RETURN_IF_ERROR(u16(r, h.pce_svn, "header.pce_svn"));
  VOUCH_RETURN_IF_ERROR(field(r, h.qe_vendor_id, "header.qe_vendor_id"));
  VOUCH_RETURN_IF_ERROR(field(r, h.user_data, "header.user_data"));
  if (h.version < 3 || h.version > 5) {
    return malformed(checks::kQuoteVersion, "header.version at offset 0 is " +
                                                std::to_string(h.version) +
                                                "; versions 3, 4 and 5 are supported");
  }
  if (h.att_key_type != kAttestationKeyEcdsaP256) {
    return malformed(checks::kQuoteKeyType, "header.att_key_type at offset 2 is " +
                                                std::to_string(h.att_key_type) +
                                                "; only 2 (ECDSA-256-with-P-256) is supported");
  }
  const bool sgx = h.tee_type == kTeeTypeSgx;
  const bool tdx = h.tee_type == kTeeTypeTdx;
  if (!sgx && !tdx) {
    return malformed(checks::kQuoteTeeType, "header.tee_type at offset 4 is " +
                                                std::to_string(h.tee_type) +
                                                "; expected 0 (SGX) or 0x81 (TDX)");
  }
  if (h.version == 3 && !sgx) {
    return malformed(checks::kQuoteTeeType,
                     "header.tee_type at offset 4: a version 3 quote must be SGX (0)");
  }
  return h;
}

Result<EnclaveReport> read_enclave_report(ByteReader& r, std::string_view what) {
  const std::string p(what);
  EnclaveReport b;
  VOUCH_RETURN_IF_ERROR(field(r, b.cpu_svn, p + ".cpu_svn"));
  VOUCH_RETURN_IF_ERROR(u32(r, b.misc_select, p + ".misc_select"));
  VOUCH_RETURN_IF_ERROR(reserved(r, kReserved1, p + ".reserved1"));
  VOUCH_RETURN_IF_ERROR(field(r, b.isv_ext_prod_id, p + ".isv_ext_prod_id"));
  VOUCH_RETURN_IF_ERROR(field(r, b.attributes, p + ".attributes"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_enclave, p + ".mr_enclave"));
  VOUCH_RETURN_IF_ERROR(reserved(r, kReserved2, p + ".reserved2"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_signer, p + ".mr_signer"));
  VOUCH_RETURN_IF_ERROR(reserved(r, kReserved3, p + ".reserved3"));
  VOUCH_RETURN_IF_ERROR(field(r, b.config_id, p + ".config_id"));
  VOUCH_RETURN_IF_ERROR(u16(r, b.isv_prod_id, p + ".isv_prod_id"));
  VOUCH_RETURN_IF_ERROR(u16(r, b.isv_svn, p + ".isv_svn"));
  VOUCH_RETURN_IF_ERROR(u16(r, b.config_svn, p + ".config_svn"));
  VOUCH_RETURN_IF_ERROR(reserved(r, kReserved4, p + ".reserved4"));
  VOUCH_RETURN_IF_ERROR(field(r, b.isv_family_id, p + ".isv_family_id"));
  VOUCH_RETURN_IF_ERROR(field(r, b.report_data, p + ".report_data"));
  return b;
}

Result<Td10Report> read_td10(ByteReader& r) {
  Td10Report b;
  VOUCH_RETURN_IF_ERROR(field(r, b.tee_tcb_svn, "body.tee_tcb_svn"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_seam, "body.mr_seam"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_signer_seam, "body.mr_signer_seam"));
  VOUCH_RETURN_IF_ERROR(field(r, b.seam_attributes, "body.seam_attributes"));
  VOUCH_RETURN_IF_ERROR(field(r, b.td_attributes, "body.td_attributes"));
  VOUCH_RETURN_IF_ERROR(field(r, b.xfam, "body.xfam"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_td, "body.mr_td"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_config_id, "body.mr_config_id"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_owner, "body.mr_owner"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_owner_config, "body.mr_owner_config"));
  for (std::size_t i = 0; i < b.rtmr.size(); ++i) {
    VOUCH_RETURN_IF_ERROR(field(r, b.rtmr[i], "body.rtmr" + std::to_string(i)));
  }
  VOUCH_RETURN_IF_ERROR(field(r, b.report_data, "body.report_data"));
  return b;
}

Result<Td15Report> read_td15(ByteReader& r) {
  Td15Report b;
  VOUCH_TRY(b.base, read_td10(r));
  VOUCH_RETURN_IF_ERROR(field(r, b.tee_tcb_svn2, "body.tee_tcb_svn2"));
  VOUCH_RETURN_IF_ERROR(field(r, b.mr_service_td, "body.mr_service_td"));
  return b;
}

// Reads u16 type, u32 size and a child reader over the data.
Status read_cert_data_header(ByteReader& r, std::uint16_t& type, ByteReader& data,
                             std::string_view what) {
  const std::string p(what);
  VOUCH_RETURN_IF_ERROR(u16(r, type, p + ".type"));
  if (!r.u32le_prefixed(data)) {
    return fail(r.truncated(checks::kQuoteTruncated, p + ".data"));
  }
  return ok();
}

// Reads the QE report certification data from r up to the end of its certification data.
Result<QeReportCertificationData> read_qe_cert_data(ByteReader& r) {
  QeReportCertificationData q;
  VOUCH_TRY(q.qe_report, read_enclave_report(r, "qe_report"));
  VOUCH_RETURN_IF_ERROR(field(r, q.qe_report_signature, "qe_report_signature"));
  ByteReader auth;
  VOUCH_RETURN_IF_ERROR(u16_prefixed(r, auth, "qe_auth_data"));
  q.qe_auth_data = to_bytes(auth.rest());
  ByteReader cert;
  const std::size_t type_at = r.offset();
  VOUCH_RETURN_IF_ERROR(
      read_cert_data_header(r, q.certification_data.type, cert, "certification_data"));
  const std::uint16_t t = q.certification_data.type;
  if (t < kCertDataPpidCleartext || t > kCertDataPckChain) {
    return malformed(checks::kCertificationData,
                     "certification_data.type at offset " + std::to_string(type_at) + " is " +
                         std::to_string(t) + "; expected 1-5 inside QE report certification data");
  }
  q.certification_data.data = to_bytes(cert.rest());
  return q;
}

}  // namespace

namespace {

Result<QuoteAuthData> read_auth_data(ByteReader& sig, std::uint16_t version) {
  QuoteAuthData a;
  VOUCH_RETURN_IF_ERROR(field(sig, a.signature, "signature_data.signature"));
  VOUCH_RETURN_IF_ERROR(field(sig, a.attestation_key, "signature_data.attestation_key"));
  if (version == 3) {
    VOUCH_TRY(a.qe, read_qe_cert_data(sig));
  } else {
    std::uint16_t type = 0;
    ByteReader inner;
    const std::size_t type_at = sig.offset();
    VOUCH_RETURN_IF_ERROR(
        read_cert_data_header(sig, type, inner, "signature_data.certification_data"));
    if (type != kCertDataQeReport) {
      return malformed(checks::kCertificationData,
                       "signature_data.certification_data.type at offset " +
                           std::to_string(type_at) + " is " + std::to_string(type) +
                           "; a version " + std::to_string(version) +
                           " quote carries type 6 (QE report certification data)");
    }
    VOUCH_TRY(a.qe, read_qe_cert_data(inner));
    if (!inner.empty()) {
      return fail(inner.trailing(checks::kCertificationData, "the QE report certification data"));
    }
  }
  if (!sig.empty()) {
    return fail(sig.trailing(checks::kQuoteSignatureData, "the signature data"));
  }
  return a;
}

void write_enclave_report(ByteWriter& w, const EnclaveReport& b) {
  w.bytes(b.cpu_svn).u32le(b.misc_select).zeros(kReserved1).bytes(b.isv_ext_prod_id);
  w.bytes(b.attributes).bytes(b.mr_enclave).zeros(kReserved2).bytes(b.mr_signer);
  w.zeros(kReserved3).bytes(b.config_id).u16le(b.isv_prod_id).u16le(b.isv_svn);
  w.u16le(b.config_svn).zeros(kReserved4).bytes(b.isv_family_id).bytes(b.report_data);
}

void write_td10(ByteWriter& w, const Td10Report& b) {
  w.bytes(b.tee_tcb_svn).bytes(b.mr_seam).bytes(b.mr_signer_seam).bytes(b.seam_attributes);
  w.bytes(b.td_attributes).bytes(b.xfam).bytes(b.mr_td).bytes(b.mr_config_id).bytes(b.mr_owner);
  w.bytes(b.mr_owner_config);
  for (const Mr48& r : b.rtmr) {
    w.bytes(r);
  }
  w.bytes(b.report_data);
}

void write_td15(ByteWriter& w, const Td15Report& b) {
  write_td10(w, b.base);
  w.bytes(b.tee_tcb_svn2).bytes(b.mr_service_td);
}

void write_header(ByteWriter& w, const QuoteHeader& h) {
  w.u16le(h.version).u16le(h.att_key_type).u32le(h.tee_type).u16le(h.qe_svn).u16le(h.pce_svn);
  w.bytes(h.qe_vendor_id).bytes(h.user_data);
}

void write_qe_cert_data(ByteWriter& w, const QeReportCertificationData& q) {
  write_enclave_report(w, q.qe_report);
  w.bytes(q.qe_report_signature);
  w.u16le(static_cast<std::uint16_t>(q.qe_auth_data.size())).bytes(q.qe_auth_data);
  w.u16le(q.certification_data.type);
  w.u32le(static_cast<std::uint32_t>(q.certification_data.data.size()));
  w.bytes(q.certification_data.data);
}

void write_auth_data(ByteWriter& w, const QuoteAuthData& a, std::uint16_t version) {
  ByteWriter sig;
  sig.bytes(a.signature).bytes(a.attestation_key);
  if (version == 3) {
    write_qe_cert_data(sig, a.qe);
  } else {
    const Bytes inner = serialize(a.qe);
    sig.u16le(kCertDataQeReport).u32le(static_cast<std::uint32_t>(inner.size())).bytes(inner);
  }
  w.u32le(static_cast<std::uint32_t>(sig.data().size())).bytes(sig.data());
}

}  // namespace

Result<EnclaveReport> parse_enclave_report(ByteSpan data) {
  ByteReader r(data);
  VOUCH_TRY(EnclaveReport b, read_enclave_report(r, "report"));
  if (!r.empty()) {
    return fail(r.trailing(checks::kQuoteTruncated, "the 384-byte report body"));
  }
  return b;
}

Bytes serialize(const EnclaveReport& report) {
  ByteWriter w;
  write_enclave_report(w, report);
  return std::move(w).take();
}

Result<QeReportCertificationData> parse_qe_report_certification_data(ByteSpan data) {
  ByteReader r(data);
  VOUCH_TRY(QeReportCertificationData q, read_qe_cert_data(r));
  if (!r.empty()) {
    return fail(r.trailing(checks::kCertificationData, "the QE report certification data"));
  }
  return q;
}

Bytes serialize(const QeReportCertificationData& data) {
  ByteWriter w;
  write_qe_cert_data(w, data);
  return std::move(w).take();
}

Result<ParsedQuote> parse_quote(ByteSpan data) {
  ByteReader r(data);
  VOUCH_TRY(QuoteHeader h, read_header(r));
  const bool sgx = h.tee_type == kTeeTypeSgx;
  Quote quote;
  switch (h.version) {
    case 3: {
      QuoteV3 q{h, {}, {}};
      VOUCH_TRY(q.body, read_enclave_report(r, "body"));
      quote = std::move(q);
      break;
    }
    case 4: {
      QuoteV4 q{h, EnclaveReport{}, {}};
      if (sgx) {
        VOUCH_TRY(q.body, read_enclave_report(r, "body"));
      } else {
        VOUCH_TRY(q.body, read_td10(r));
      }
      quote = std::move(q);
      break;
    }
    default: {  // 5 (read_header admits 3-5 only)
      QuoteV5 q{h, EnclaveReport{}, {}};
      std::uint16_t type = 0;
      VOUCH_RETURN_IF_ERROR(u16(r, type, "body_type"));
      ByteReader body;
      if (!r.u32le_prefixed(body)) {
        return fail(r.truncated(checks::kQuoteTruncated, "body"));
      }
      std::size_t expected = 0;
      if (type == kBodyTypeSgx && sgx) {
        expected = kEnclaveReportSize;
      } else if (type == kBodyTypeTd10 && !sgx) {
        expected = kTd10ReportSize;
      } else if (type == kBodyTypeTd15 && !sgx) {
        expected = kTd15ReportSize;
      } else {
        return malformed(checks::kQuoteBodyType,
                         "body_type at offset 48 is " + std::to_string(type) +
                             ", which does not fit tee_type " + std::to_string(h.tee_type));
      }
      if (body.remaining() != expected) {
        return malformed(checks::kQuoteBodyType, "body_size at offset 50 is " +
                                                     std::to_string(body.remaining()) +
                                                     " for body type " + std::to_string(type) +
                                                     ", expected " + std::to_string(expected));
      }
      if (type == kBodyTypeSgx) {
        VOUCH_TRY(q.body, read_enclave_report(body, "body"));
      } else if (type == kBodyTypeTd10) {
        VOUCH_TRY(q.body, read_td10(body));
      } else {
        VOUCH_TRY(q.body, read_td15(body));
      }
      quote = std::move(q);
      break;
    }
  }
  QuoteLayout layout;
  layout.signed_len = r.offset();
  ByteReader sig;
  if (!r.u32le_prefixed(sig)) {
    return fail(r.truncated(checks::kQuoteTruncated, "signature_data"));
  }
  layout.qe_report_offset = layout.signed_len + 4 + 128 + (h.version == 3 ? 0 : 6);
  VOUCH_TRY(QuoteAuthData auth, read_auth_data(sig, h.version));
  std::visit([&](auto& q) { q.auth = std::move(auth); }, quote);
  layout.used_len = r.offset();
  return ParsedQuote{std::move(quote), layout};
}

Bytes serialize(const Quote& quote) {
  ByteWriter w;
  std::visit(Overloaded{
                 [&](const QuoteV3& q) {
                   write_header(w, q.header);
                   write_enclave_report(w, q.body);
                   write_auth_data(w, q.auth, 3);
                 },
                 [&](const QuoteV4& q) {
                   write_header(w, q.header);
                   std::visit(
                       Overloaded{[&](const EnclaveReport& b) { write_enclave_report(w, b); },
                                  [&](const Td10Report& b) { write_td10(w, b); }},
                       q.body);
                   write_auth_data(w, q.auth, 4);
                 },
                 [&](const QuoteV5& q) {
                   write_header(w, q.header);
                   std::visit(Overloaded{[&](const EnclaveReport& b) {
                                           w.u16le(kBodyTypeSgx).u32le(kEnclaveReportSize);
                                           write_enclave_report(w, b);
                                         },
                                         [&](const Td10Report& b) {
                                           w.u16le(kBodyTypeTd10).u32le(kTd10ReportSize);
                                           write_td10(w, b);
                                         },
                                         [&](const Td15Report& b) {
                                           w.u16le(kBodyTypeTd15).u32le(kTd15ReportSize);
                                           write_td15(w, b);
                                         }},
                              q.body);
                   write_auth_data(w, q.auth, 5);
                 },
             },
             quote);
  return std::move(w).take();
}

const QuoteHeader& header_of(const Quote& quote) noexcept {
  return std::visit([](const auto& q) -> const QuoteHeader& { return q.header; }, quote);
}

const QuoteAuthData& auth_of(const Quote& quote) noexcept {
  return std::visit([](const auto& q) -> const QuoteAuthData& { return q.auth; }, quote);
}

const EnclaveReport* sgx_body(const Quote& quote) noexcept {
  return std::visit(
      Overloaded{
          [](const QuoteV3& q) -> const EnclaveReport* { return &q.body; },
          [](const auto& q) -> const EnclaveReport* { return std::get_if<EnclaveReport>(&q.body); },
      },
      quote);
}

const Td10Report* td_body(const Quote& quote) noexcept {
  return std::visit(
      Overloaded{
          [](const QuoteV3&) -> const Td10Report* { return nullptr; },
          [](const QuoteV4& q) -> const Td10Report* { return std::get_if<Td10Report>(&q.body); },
          [](const QuoteV5& q) -> const Td10Report* {
            if (const auto* b = std::get_if<Td15Report>(&q.body)) {
              return &b->base;
            }
            return std::get_if<Td10Report>(&q.body);
          },
      },
      quote);
}

const Td15Report* td15_body(const Quote& quote) noexcept {
  const auto* v5 = std::get_if<QuoteV5>(&quote);
  return v5 != nullptr ? std::get_if<Td15Report>(&v5->body) : nullptr;
}

}  // namespace vouch::dcap
