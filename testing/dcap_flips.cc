#include "testing/dcap_flips.h"

#include <functional>

namespace vouch::testing {
namespace {

// Offsets of the base64 payload bytes of every PEM block in `text` (markers and line breaks are
// not signed: a PEM decoder skips them).
std::vector<std::size_t> pem_payload(std::string_view text) {
  std::vector<std::size_t> out;
  std::size_t pos = 0;
  while ((pos = text.find("-----BEGIN", pos)) != std::string_view::npos) {
    const std::size_t body = text.find('\n', pos);
    const std::size_t end = text.find("-----END", pos);
    if (body == std::string_view::npos || end == std::string_view::npos) {
      break;
    }
    for (std::size_t i = body + 1; i < end; ++i) {
      if (text[i] != '\n' && text[i] != '\r') {
        out.push_back(i);
      }
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace

FlipReport flip_every_signed_region(const dcap::Verifier& verifier, dcap::TeeKind tee,
                                    ByteSpan quote, const dcap::QuoteCollateral& collateral,
                                    Timestamp at, std::size_t step) {
  FlipReport report;
  const dcap::ParsedQuote parsed = dcap::parse_quote(quote).value();
  const dcap::QuoteLayout& l = parsed.layout;
  const auto& auth = dcap::auth_of(parsed.quote);
  auto verifies = [&](ByteSpan q, const dcap::QuoteCollateral& c) {
    evidence::CheckLog log;
    ++report.flips;
    return verifier.verify(q, tee, c, {at, false}, log).has_value();
  };
  auto flip_quote_at = [&](const char* name, std::size_t i) {
    Bytes q(quote.begin(), quote.end());
    q[i] ^= 0x01;
    if (verifies(q, collateral)) {
      report.accepted.push_back(std::string(name) + "@" + std::to_string(i));
    }
  };
  auto flip_quote = [&](const char* name, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      flip_quote_at(name, i);
    }
  };
  // The signature data starts 4 bytes after the signed region; the QE report certification data
  // of v4/v5 quotes has a 6-byte header in front of the QE report.
  const std::size_t key_at = l.signed_len + 4 + 64;
  const std::size_t auth_at = l.qe_report_offset + 384 + 64 + 2;
  flip_quote("header+body", 0, l.signed_len);
  flip_quote("quote signature", l.signed_len + 4, key_at);
  flip_quote("attestation key", key_at, key_at + 64);
  flip_quote("qe report", l.qe_report_offset, l.qe_report_offset + 384);
  flip_quote("qe report signature", l.qe_report_offset + 384, l.qe_report_offset + 448);
  flip_quote("qe auth data", auth_at, auth_at + auth.qe.qe_auth_data.size());
  const std::size_t cd_at = auth_at + auth.qe.qe_auth_data.size() + 6;
  const std::string_view cd(reinterpret_cast<const char*>(quote.data()) + cd_at,  // NOLINT
                            auth.qe.certification_data.data.size());
  const std::vector<std::size_t> pck_payload = pem_payload(cd);
  for (std::size_t k = 0; k < pck_payload.size(); k += step) {
    flip_quote_at("pck chain", cd_at + pck_payload[k]);
  }

  // Collateral: each item's bytes.
  auto flip_text = [&](const char* name, std::function<std::string&(dcap::QuoteCollateral&)> get,
                       bool pem) {
    dcap::QuoteCollateral c = collateral;
    std::string& s = get(c);
    std::vector<std::size_t> offsets;
    if (pem) {
      offsets = pem_payload(s);
    } else {
      for (std::size_t i = 0; i < s.size(); ++i) {
        offsets.push_back(i);
      }
    }
    for (std::size_t k = 0; k < offsets.size(); k += step) {
      const std::size_t i = offsets[k];
      s[i] = static_cast<char>(s[i] ^ 0x01);
      if (verifies(quote, c)) {
        report.accepted.push_back(std::string(name) + "@" + std::to_string(i));
      }
      s[i] = static_cast<char>(s[i] ^ 0x01);
    }
  };
  auto flip_bytes = [&](const char* name, std::function<Bytes&(dcap::QuoteCollateral&)> get) {
    dcap::QuoteCollateral c = collateral;
    Bytes& b = get(c);
    for (std::size_t i = 0; i < b.size(); i += step) {
      b[i] ^= 0x01;
      if (verifies(quote, c)) {
        report.accepted.push_back(std::string(name) + "@" + std::to_string(i));
      }
      b[i] ^= 0x01;
    }
  };
  if (collateral.tcb_info) {
    flip_text(
        "tcb info", [](dcap::QuoteCollateral& c) -> std::string& { return c.tcb_info->json; },
        false);
    flip_text(
        "tcb info chain",
        [](dcap::QuoteCollateral& c) -> std::string& { return c.tcb_info->issuer_chain; }, true);
  }
  if (collateral.qe_identity) {
    flip_text(
        "qe identity", [](dcap::QuoteCollateral& c) -> std::string& { return c.qe_identity->json; },
        false);
    flip_text(
        "qe identity chain",
        [](dcap::QuoteCollateral& c) -> std::string& { return c.qe_identity->issuer_chain; }, true);
  }
  if (collateral.pck_crl) {
    flip_bytes("pck crl", [](dcap::QuoteCollateral& c) -> Bytes& { return c.pck_crl->crl; });
  }
  if (collateral.root_ca_crl) {
    flip_bytes("root ca crl",
               [](dcap::QuoteCollateral& c) -> Bytes& { return c.root_ca_crl->crl; });
  }
  return report;
}

}  // namespace vouch::testing
