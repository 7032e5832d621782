#include "collateral/amd_kds.h"

#include <charconv>

#include "base/encoding.h"

namespace vouch::collateral {
namespace {

std::string_view kind_path(AmdKeyKind kind) {
  return kind == AmdKeyKind::kVcek ? "/vcek/v1/" : "/vlek/v1/";
}

std::string product_base(std::string_view base, AmdProduct product, AmdKeyKind kind) {
  std::string url(base);
  url += kind_path(kind);
  url += amd_product_name(product);
  return url;
}

std::string tcb_query(AmdProduct product, std::uint64_t tcb) {
  const TcbParts p = decompose_tcb(product, tcb);
  std::string q;
  if (p.fmc) {
    q += "fmcSPL=" + std::to_string(*p.fmc) + "&";
  }
  q += "blSPL=" + std::to_string(p.bootloader) + "&teeSPL=" + std::to_string(p.tee) +
       "&snpSPL=" + std::to_string(p.snp) + "&ucodeSPL=" + std::to_string(p.microcode);
  return q;
}

Error bad_url(std::string_view url, const std::string& why) {
  return Error{ErrorKind::kInvalidArgument, checks::kAmdKdsUrl,
               "not a KDS URL (" + why + "): " + std::string(url)};
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    out.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) {
      return out;
    }
    start = pos + 1;
  }
}

Result<std::uint64_t> parse_tcb_query(std::string_view url, AmdProduct product,
                                      std::string_view query) {
  std::map<std::string_view, std::uint8_t> values;
  for (std::string_view pair : split(query, '&')) {
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return fail(bad_url(url, "query parameter without a value"));
    }
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (key != "fmcSPL" && key != "blSPL" && key != "teeSPL" && key != "snpSPL" &&
        key != "ucodeSPL") {
      return fail(bad_url(url, "unexpected query parameter '" + std::string(key) + "'"));
    }
    unsigned number = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size() || value.empty() || number > 255 ||
        (value.size() > 1 && value.front() == '0')) {
      return fail(bad_url(url, "SPL '" + std::string(value) + "' is not a number 0-255"));
    }
    if (!values.emplace(key, static_cast<std::uint8_t>(number)).second) {
      return fail(bad_url(url, "query parameter '" + std::string(key) + "' repeated"));
    }
  }
  const bool turin = product == AmdProduct::kTurin;
  if (values.size() != (turin ? 5u : 4u) || !values.contains("blSPL") ||
      !values.contains("teeSPL") || !values.contains("snpSPL") || !values.contains("ucodeSPL") ||
      values.contains("fmcSPL") != turin) {
    return fail(bad_url(url, turin ? "needs fmcSPL, blSPL, teeSPL, snpSPL and ucodeSPL"
                                   : "needs blSPL, teeSPL, snpSPL and ucodeSPL"));
  }
  TcbParts parts;
  if (turin) {
    parts.fmc = values.at("fmcSPL");
  }
  parts.bootloader = values.at("blSPL");
  parts.tee = values.at("teeSPL");
  parts.snp = values.at("snpSPL");
  parts.microcode = values.at("ucodeSPL");
  return compose_tcb(product, parts);
}

}  // namespace

std::string_view amd_source_name(AmdSource s) noexcept {
  switch (s) {
    case AmdSource::kEvidence:
      return "evidence";
    case AmdSource::kKds:
      return "kds";
    case AmdSource::kOffline:
      return "offline";
  }
  return "kds";
}

std::string kds_product_chain_url(std::string_view base, AmdProduct product, AmdKeyKind kind) {
  return product_base(base, product, kind) + "/cert_chain";
}

std::string kds_vcek_url(std::string_view base, AmdProduct product, const ChipId& chip_id,
                         std::uint64_t reported_tcb) {
  const ByteSpan hwid = ByteSpan(chip_id).first(amd_hwid_size(product));
  return product_base(base, product, AmdKeyKind::kVcek) + "/" + hex_encode(hwid) + "?" +
         tcb_query(product, reported_tcb);
}

std::string kds_vlek_url(std::string_view base, AmdProduct product, std::uint64_t reported_tcb) {
  return product_base(base, product, AmdKeyKind::kVlek) + "/cert?" +
         tcb_query(product, reported_tcb);
}

std::string kds_crl_url(std::string_view base, AmdProduct product, AmdKeyKind kind) {
  return product_base(base, product, kind) + "/crl";
}

Result<KdsRequest> parse_kds_url(std::string_view base, std::string_view url) {
  if (url.substr(0, base.size()) != base) {
    return fail(bad_url(url, "does not start with " + std::string(base)));
  }
  std::string_view rest = url.substr(base.size());
  AmdKeyKind kind;
  if (rest.starts_with("/vcek/v1/")) {
    kind = AmdKeyKind::kVcek;
  } else if (rest.starts_with("/vlek/v1/")) {
    kind = AmdKeyKind::kVlek;
  } else {
    return fail(bad_url(url, "path must start with /vcek/v1/ or /vlek/v1/"));
  }
  rest.remove_prefix(9);
  std::string_view query;
  const std::size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const auto pieces = split(rest, '/');
  if (pieces.size() != 2) {
    return fail(bad_url(url, "path must be <product>/<endpoint>"));
  }
  const auto product = amd_product_from_name(pieces[0]);
  if (!product) {
    return fail(bad_url(url, "unknown product '" + std::string(pieces[0]) + "'"));
  }
  const std::string_view endpoint = pieces[1];
  const bool has_query = q != std::string_view::npos;
  if (endpoint == "cert_chain" || endpoint == "crl") {
    if (has_query) {
      return fail(bad_url(url, "unexpected query"));
    }
    if (endpoint == "crl") {
      return KdsRequest{KdsCrlRequest{*product, kind}};
    }
    return KdsRequest{KdsProductChainRequest{*product, kind}};
  }
  if (!has_query) {
    return fail(bad_url(url, "missing TCB query"));
  }
  VOUCH_TRY(const std::uint64_t tcb, parse_tcb_query(url, *product, query));
  if (kind == AmdKeyKind::kVlek) {
    if (endpoint != "cert") {
      return fail(bad_url(url, "VLEK endpoint must be 'cert'"));
    }
    return KdsRequest{KdsVlekRequest{*product, tcb}};
  }
  auto hwid = hex_decode(endpoint);
  if (!hwid || hwid->size() != amd_hwid_size(*product) ||
      hex_encode(*hwid) != endpoint) {  // lowercase only, as KDS URLs are built
    return fail(bad_url(url, "hwid must be " + std::to_string(2 * amd_hwid_size(*product)) +
                                 " lowercase hex digits"));
  }
  return KdsRequest{KdsVcekRequest{*product, std::move(*hwid), tcb}};
}

Result<std::vector<Bytes>> pem_certificates_to_der(ByteSpan pem) {
  const std::string_view text(reinterpret_cast<const char*>(pem.data()), pem.size());  // NOLINT
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kCertBegin = "-----BEGIN CERTIFICATE-----";
  constexpr std::string_view kCertEnd = "-----END CERTIFICATE-----";
  std::vector<Bytes> out;
  std::size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    if (text.substr(pos, kCertBegin.size()) != kCertBegin) {
      return fail(ErrorKind::kMalformedEvidence, checks::kAmdKds,
                  "PEM block at offset " + std::to_string(pos) + " is not a CERTIFICATE");
    }
    const std::size_t body = pos + kCertBegin.size();
    const std::size_t end = text.find(kCertEnd, body);
    if (end == std::string_view::npos) {
      return fail(ErrorKind::kMalformedEvidence, checks::kAmdKds,
                  "PEM certificate at offset " + std::to_string(pos) + " has no END line");
    }
    std::string b64;
    for (char c : text.substr(body, end - body)) {
      if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
        b64.push_back(c);
      }
    }
    auto der = base64_decode(b64);
    if (!der || der->empty()) {
      return fail(ErrorKind::kMalformedEvidence, checks::kAmdKds,
                  "PEM certificate at offset " + std::to_string(pos) + " is not valid base64");
    }
    out.push_back(std::move(*der));
    pos = end + kCertEnd.size();
  }
  return out;
}

Result<AmdProductChain> parse_kds_cert_chain(ByteSpan pem) {
  VOUCH_TRY(auto ders, pem_certificates_to_der(pem));
  if (ders.size() != 2) {
    return fail(ErrorKind::kMalformedEvidence, checks::kAmdKds,
                "a KDS cert_chain holds 2 certificates (ASK or ASVK, then ARK), found " +
                    std::to_string(ders.size()));
  }
  return AmdProductChain{std::move(ders[0]), std::move(ders[1]), AmdSource::kKds};
}

// --- SuppliedAmdKds ---

Result<SuppliedAmdKds> SuppliedAmdKds::from_pem_chain(ByteSpan pem, AmdKds* fallback) {
  VOUCH_TRY(auto ders, pem_certificates_to_der(pem));
  if (ders.empty() || ders.size() > 3) {
    return fail(ErrorKind::kMalformedEvidence, checks::kAmdKds,
                "a VCEK certificate chain holds 1 to 3 PEM certificates (VCEK, ASK, ARK), found " +
                    std::to_string(ders.size()));
  }
  Certificates certs;
  certs.vcek_der = ders[0];
  certs.vlek_der = std::move(ders[0]);
  if (ders.size() > 1) {
    certs.intermediate_der = std::move(ders[1]);
  }
  if (ders.size() > 2) {
    certs.ark_der = std::move(ders[2]);
  }
  return SuppliedAmdKds(std::move(certs), fallback);
}

namespace {
Error not_supplied(std::string_view what) {
  return Error{ErrorKind::kNotFound, checks::kAmdKdsNotFound,
               std::string(what) +
                   " was not supplied with the evidence and no other source is "
                   "configured"};
}
}  // namespace

Result<AmdProductChain> SuppliedAmdKds::product_chain(AmdProduct product, AmdKeyKind kind) {
  if (certs_.intermediate_der && certs_.ark_der) {
    return AmdProductChain{*certs_.intermediate_der, *certs_.ark_der, AmdSource::kEvidence};
  }
  if (fallback_ != nullptr) {
    return fallback_->product_chain(product, kind);
  }
  return fail(not_supplied("the ASK/ASVK and ARK"));
}

Result<AmdCertificate> SuppliedAmdKds::vcek(AmdProduct product, const ChipId& chip_id,
                                            std::uint64_t reported_tcb) {
  if (certs_.vcek_der) {
    return AmdCertificate{*certs_.vcek_der, AmdSource::kEvidence};
  }
  if (fallback_ != nullptr) {
    return fallback_->vcek(product, chip_id, reported_tcb);
  }
  return fail(not_supplied("the VCEK"));
}

Result<AmdCertificate> SuppliedAmdKds::vlek(AmdProduct product, std::uint64_t reported_tcb) {
  if (certs_.vlek_der) {
    return AmdCertificate{*certs_.vlek_der, AmdSource::kEvidence};
  }
  if (fallback_ != nullptr) {
    return fallback_->vlek(product, reported_tcb);
  }
  return fail(not_supplied("the VLEK"));
}

Result<AmdCrl> SuppliedAmdKds::crl(AmdProduct product, AmdKeyKind kind) {
  if (fallback_ != nullptr) {
    return fallback_->crl(product, kind);
  }
  return fail(ErrorKind::kCollateralUnavailable, checks::kAmdKdsNotFound,
              "no CRL source is configured (evidence never carries the AMD CRL)");
}

}  // namespace vouch::collateral
