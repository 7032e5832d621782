#include "collateral/intel_pcs.h"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "base/encoding.h"

namespace vouch::collateral {
namespace {

constexpr std::string_view kV4 = "/certification/v4/";

Result<PcsRequest> bad_url(std::string_view url, std::string_view why) {
  return fail(ErrorKind::kInvalidArgument, checks::kPcsUrl,
              "'" + std::string(url) + "' is not a PCS v4 URL: " + std::string(why));
}

// Splits "a=1&b=2" into a map; duplicates are an error.
Result<std::map<std::string, std::string, std::less<>>> parse_query(std::string_view url,
                                                                    std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return fail(ErrorKind::kInvalidArgument, checks::kPcsUrl,
                  "'" + std::string(url) + "': query parameter without '='");
    }
    if (!out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1))).second) {
      return fail(ErrorKind::kInvalidArgument, checks::kPcsUrl,
                  "'" + std::string(url) + "': repeated query parameter");
    }
  }
  return out;
}

template <std::size_t N>
bool hex_array(std::string_view text, std::array<std::uint8_t, N>& out) {
  auto b = hex_decode(text);
  if (!b || b->size() != N) {
    return false;
  }
  std::copy(b->begin(), b->end(), out.begin());
  return true;
}

std::string pce_svn_hex(std::uint16_t svn) {
  const std::array<std::uint8_t, 2> le = {static_cast<std::uint8_t>(svn),
                                          static_cast<std::uint8_t>(svn >> 8)};
  return hex_encode(le);
}

// The PCS query parameter of a baseline ("" for latest).
std::string baseline_query(const TcbBaseline& b) {
  switch (b.kind) {
    case TcbBaseline::Kind::kEarly:
      return "update=early";
    case TcbBaseline::Kind::kNumber:
      return "tcbEvaluationDataNumber=" + std::to_string(b.number);
    case TcbBaseline::Kind::kLatest:
      break;
  }
  return {};
}

Error baseline_error(std::string_view text) {
  return Error{ErrorKind::kInvalidArgument, checks::kPcsBaseline,
               "'" + std::string(text) +
                   "' is not a TCB baseline (latest, early or a tcbEvaluationDataNumber)"};
}

}  // namespace

std::string tcb_baseline_name(const TcbBaseline& baseline) {
  switch (baseline.kind) {
    case TcbBaseline::Kind::kEarly:
      return "early";
    case TcbBaseline::Kind::kNumber:
      return std::to_string(baseline.number);
    case TcbBaseline::Kind::kLatest:
      break;
  }
  return "latest";
}

Result<TcbBaseline> parse_tcb_baseline(std::string_view text) {
  if (text == "latest" || text == "standard") {
    return TcbBaseline::latest();
  }
  if (text == "early") {
    return TcbBaseline::early();
  }
  std::uint32_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n == 0 ||
      n > 0x7fffffffU) {
    return tl::unexpected(baseline_error(text));
  }
  return TcbBaseline::evaluation_data_number(n);
}

Result<std::vector<TcbEvaluationDataNumber>> read_tcb_evaluation_data_numbers(
    const IntelSignedJson& list) {
  const auto bad = [](std::string why) {
    return fail(ErrorKind::kCollateralUnavailable, checks::kPcsResponse,
                "tcbEvaluationDataNumbers: " + std::move(why));
  };
  const nlohmann::json j = nlohmann::json::parse(list.json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return bad("not a JSON object");
  }
  const auto body = j.find("tcbEvaluationDataNumbers");
  if (body == j.end() || !body->is_object()) {
    return bad("no tcbEvaluationDataNumbers object");
  }
  const auto numbers = body->find("tcbEvalNumbers");
  if (numbers == body->end() || !numbers->is_array()) {
    return bad("no tcbEvalNumbers array");
  }
  std::vector<TcbEvaluationDataNumber> out;
  for (const nlohmann::json& e : *numbers) {
    if (!e.is_object()) {
      return bad("an entry is not an object");
    }
    const auto n = e.find("tcbEvaluationDataNumber");
    const auto recovery = e.find("tcbRecoveryEventDate");
    const auto date = e.find("tcbDate");
    if (n == e.end() || !n->is_number_unsigned() || n->get<std::uint64_t>() > 0x7fffffffU ||
        recovery == e.end() || !recovery->is_string() || date == e.end() || !date->is_string()) {
      return bad("an entry lacks tcbEvaluationDataNumber, tcbRecoveryEventDate or tcbDate");
    }
    auto r = parse_rfc3339(recovery->get<std::string>());
    auto d = parse_rfc3339(date->get<std::string>());
    if (!r || !d) {
      return bad("an entry has an unreadable date");
    }
    out.push_back({static_cast<std::uint32_t>(n->get<std::uint64_t>()), *r, *d});
  }
  return out;
}

std::string_view intel_tee_name(IntelTee tee) noexcept {
  return tee == IntelTee::kTdx ? "tdx" : "sgx";
}

std::string_view intel_ca_name(IntelCa ca) noexcept {
  return ca == IntelCa::kPlatform ? "platform" : "processor";
}

PcsUrls pcs_urls_for(std::string base) {
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  PcsUrls urls;
  if (base != urls.base) {
    urls.root_ca_crl = base + "/sgx/certification/v4/rootcacrl";
    urls.base = std::move(base);
  }
  return urls;
}

std::string pck_certificate_url(const PcsUrls& urls, const PckCertificateRequest& r) {
  return urls.base +
         "/sgx/certification/v4/pckcert?encrypted_ppid=" + hex_encode(r.encrypted_ppid) +
         "&cpusvn=" + hex_encode(r.cpu_svn) + "&pcesvn=" + pce_svn_hex(r.pce_svn) +
         "&pceid=" + hex_encode(r.pce_id);
}

std::string pck_crl_url(const PcsUrls& urls, IntelCa ca) {
  return urls.base + "/sgx/certification/v4/pckcrl?ca=" + std::string(intel_ca_name(ca)) +
         "&encoding=der";
}

std::string tcb_info_url(const PcsUrls& urls, IntelTee tee, const Fmspc& fmspc,
                         const TcbBaseline& baseline) {
  const std::string b = baseline_query(baseline);
  return urls.base + "/" + std::string(intel_tee_name(tee)) +
         "/certification/v4/tcb?fmspc=" + hex_encode(fmspc) + (b.empty() ? "" : "&" + b);
}

std::string qe_identity_url(const PcsUrls& urls, IntelTee tee, const TcbBaseline& baseline) {
  const std::string b = baseline_query(baseline);
  return urls.base + "/" + std::string(intel_tee_name(tee)) + "/certification/v4/qe/identity" +
         (b.empty() ? "" : "?" + b);
}

std::string tcb_evaluation_data_numbers_url(const PcsUrls& urls, IntelTee tee) {
  return urls.base + "/" + std::string(intel_tee_name(tee)) +
         "/certification/v4/tcbevaluationdatanumbers";
}

Result<PcsRequest> parse_pcs_url(const PcsUrls& urls, std::string_view url) {
  PcsRequest req;
  if (url == urls.root_ca_crl) {
    req.kind = PcsRequest::Kind::kRootCaCrl;
    return req;
  }
  if (url.substr(0, urls.base.size()) != urls.base || url.size() <= urls.base.size() ||
      url[urls.base.size()] != '/') {
    return bad_url(url, "wrong base");
  }
  std::string_view rest = url.substr(urls.base.size() + 1);
  if (rest.substr(0, 3) == "sgx") {
    req.tee = IntelTee::kSgx;
  } else if (rest.substr(0, 3) == "tdx") {
    req.tee = IntelTee::kTdx;
  } else {
    return bad_url(url, "neither /sgx/ nor /tdx/");
  }
  rest.remove_prefix(3);
  if (rest.substr(0, kV4.size()) != kV4) {
    return bad_url(url, "not /certification/v4/");
  }
  rest.remove_prefix(kV4.size());
  const std::size_t q = rest.find('?');
  const std::string_view path = rest.substr(0, q);
  VOUCH_TRY(auto query, parse_query(url, q == std::string_view::npos ? std::string_view()
                                                                     : rest.substr(q + 1)));
  auto param = [&](std::string_view name) -> const std::string* {
    const auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  };
  // The baseline parameters of tcb and qe/identity: tcbEvaluationDataNumber or update, not both.
  std::size_t baseline_params = 0;
  if (const std::string* n = param("tcbEvaluationDataNumber")) {
    auto b = parse_tcb_baseline(*n);
    if (!b || b->kind != TcbBaseline::Kind::kNumber) {
      return bad_url(url, "tcbEvaluationDataNumber must be a positive decimal number");
    }
    req.baseline = *b;
    ++baseline_params;
  }
  if (const std::string* u = param("update")) {
    if (*u != "early" && *u != "standard") {
      return bad_url(url, "update must be early or standard");
    }
    req.baseline = *u == "early" ? TcbBaseline::early() : TcbBaseline::latest();
    ++baseline_params;
  }
  if (baseline_params > 1) {
    return bad_url(url, "tcbEvaluationDataNumber and update exclude each other");
  }
  if (path == "tcbevaluationdatanumbers" && query.empty()) {
    req.kind = PcsRequest::Kind::kTcbEvaluationDataNumbers;
    return req;
  }
  if (path == "qe/identity" && query.size() == baseline_params) {
    req.kind = PcsRequest::Kind::kQeIdentity;
    return req;
  }
  if (path == "tcb" && query.size() == 1 + baseline_params && param("fmspc") != nullptr) {
    req.kind = PcsRequest::Kind::kTcbInfo;
    if (!hex_array(*param("fmspc"), req.fmspc)) {
      return bad_url(url, "fmspc must be 12 hex digits");
    }
    return req;
  }
  if (req.tee != IntelTee::kSgx) {
    return bad_url(url, "only /sgx/ serves PCK certificates and CRLs");
  }
  if (path == "pckcrl" && param("ca") != nullptr &&
      query.size() == (param("encoding") != nullptr ? 2u : 1u)) {
    req.kind = PcsRequest::Kind::kPckCrl;
    if (*param("ca") == "processor") {
      req.ca = IntelCa::kProcessor;
    } else if (*param("ca") == "platform") {
      req.ca = IntelCa::kPlatform;
    } else {
      return bad_url(url, "ca must be processor or platform");
    }
    if (param("encoding") != nullptr && *param("encoding") != "der") {
      return bad_url(url, "encoding must be der");
    }
    return req;
  }
  if (path == "pckcert" && query.size() == 4) {
    req.kind = PcsRequest::Kind::kPckCertificate;
    const std::string* ppid = param("encrypted_ppid");
    const std::string* cpusvn = param("cpusvn");
    const std::string* pcesvn = param("pcesvn");
    const std::string* pceid = param("pceid");
    std::array<std::uint8_t, 2> svn{};
    if (ppid == nullptr || cpusvn == nullptr || pcesvn == nullptr || pceid == nullptr) {
      return bad_url(url, "pckcert needs encrypted_ppid, cpusvn, pcesvn and pceid");
    }
    auto ppid_bytes = hex_decode(*ppid);
    if (!ppid_bytes || !hex_array(*cpusvn, req.pck.cpu_svn) || !hex_array(*pcesvn, svn) ||
        !hex_array(*pceid, req.pck.pce_id)) {
      return bad_url(url, "pckcert parameters must be hex of the right sizes");
    }
    req.pck.encrypted_ppid = std::move(*ppid_bytes);
    req.pck.pce_svn = static_cast<std::uint16_t>(svn[0] | (svn[1] << 8));
    return req;
  }
  return bad_url(url, "unknown path or parameters");
}

Result<std::string> url_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (in.size() - i < 3) {
        return fail(ErrorKind::kCollateralUnavailable, checks::kPcsResponse,
                    "truncated percent escape in a header value");
      }
      auto b = hex_decode(in.substr(i + 1, 2));
      if (!b) {
        return fail(ErrorKind::kCollateralUnavailable, checks::kPcsResponse,
                    "bad percent escape in a header value");
      }
      out += static_cast<char>((*b)[0]);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::string url_encode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

}  // namespace vouch::collateral
