#include "evidence/tpm/bundle.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/json_parse.h"
#include "evidence/tpm/check_ids.h"
#include "evidence/tpm/pcr_values.h"

namespace vouch::tpm {
namespace {

constexpr CheckId kBundle{"tpm.bundle"};
constexpr std::size_t kMaxStructure = 64 * 1024;  // quote, signature, AK, one certificate
constexpr std::size_t kMaxEventLog = 4 * 1024 * 1024;
constexpr std::size_t kMaxChain = 8;

auto bad(std::string why) {
  return malformed(kBundle, std::move(why));
}

Result<Bytes> b64_member(const nlohmann::json& v, const std::string& name, std::size_t max) {
  if (!v.is_string()) {
    return bad("'" + name + "' must be a base64 string");
  }
  const std::string& text = v.get_ref<const std::string&>();
  if (text.size() > (max / 3 + 1) * 4 + 4) {
    return bad("'" + name + "' is larger than " + std::to_string(max) + " bytes");
  }
  auto bytes = base64_decode_any(text);
  if (!bytes) {
    return bad("'" + name + "': " + bytes.error().detail);
  }
  return std::move(*bytes);
}

}  // namespace

Result<TpmBundle> parse_bundle(std::string_view json) {
  const nlohmann::json doc = parse_json(json);
  if (doc.is_discarded() || !doc.is_object()) {
    return bad("the TPM evidence bundle is not a JSON object");
  }
  TpmBundle out;
  bool have_quote = false;
  bool have_signature = false;
  for (const auto& [key, value] : doc.items()) {
    if (key == "quote") {
      VOUCH_TRY(out.quote, b64_member(value, key, kMaxStructure));
      have_quote = true;
    } else if (key == "signature") {
      VOUCH_TRY(out.signature, b64_member(value, key, kMaxStructure));
      have_signature = true;
    } else if (key == "ak_public") {
      VOUCH_TRY(Bytes ak, b64_member(value, key, kMaxStructure));
      out.ak_public = std::move(ak);
    } else if (key == "ak_certificate_chain") {
      if (!value.is_array() || value.empty() || value.size() > kMaxChain) {
        return bad("'ak_certificate_chain' must be an array of 1 to " + std::to_string(kMaxChain) +
                   " base64 certificates");
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        VOUCH_TRY(Bytes der,
                  b64_member(value[i], key + "[" + std::to_string(i) + "]", kMaxStructure));
        out.ak_certificate_chain.push_back(std::move(der));
      }
    } else if (key == "pcrs") {
      if (!value.is_object()) {
        return bad("'pcrs' must be an object of bank name to PCR values");
      }
      auto pcrs = parse_pcr_values_json(value.dump(), crypto::HashAlg::kSha256);
      if (!pcrs) {
        return bad("'pcrs': " + pcrs.error().detail);
      }
      out.pcrs = std::move(*pcrs);
    } else if (key == "event_log") {
      VOUCH_TRY(Bytes log, b64_member(value, key, kMaxEventLog));
      out.event_log = std::move(log);
    } else {
      return bad("unknown member '" + key.substr(0, 32) + "'");
    }
  }
  if (!have_quote || !have_signature) {
    return bad("'quote' and 'signature' are required");
  }
  if (!out.ak_public && out.ak_certificate_chain.empty()) {
    return bad("one of 'ak_public' or 'ak_certificate_chain' is required");
  }
  return out;
}

std::string serialize_bundle(const TpmBundle& b) {
  nlohmann::json j;
  j["quote"] = base64_encode(b.quote);
  j["signature"] = base64_encode(b.signature);
  if (b.ak_public) {
    j["ak_public"] = base64_encode(*b.ak_public);
  }
  if (!b.ak_certificate_chain.empty()) {
    j["ak_certificate_chain"] = nlohmann::json::array();
    for (const Bytes& der : b.ak_certificate_chain) {
      j["ak_certificate_chain"].push_back(base64_encode(der));
    }
  }
  if (b.pcrs) {
    nlohmann::json banks = nlohmann::json::object();
    for (const auto& [bank, values] : *b.pcrs) {
      nlohmann::json v = nlohmann::json::object();
      for (const auto& [index, digest] : values) {
        v[std::to_string(index)] = hex_encode(digest);
      }
      banks[std::string(crypto::hash_name(bank))] = std::move(v);
    }
    j["pcrs"] = std::move(banks);
  }
  if (b.event_log) {
    j["event_log"] = base64_encode(*b.event_log);
  }
  return j.dump();
}

}  // namespace vouch::tpm
