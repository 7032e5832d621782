#include "evidence/tpm/pcr_values.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

#include "base/encoding.h"
#include "evidence/tpm/check_ids.h"

namespace vouch::tpm {
namespace {

auto bad(std::string why) {
  return malformed(checks::kPcrValuesFormat, std::move(why));
}

Status parse_bank(const nlohmann::json& obj, crypto::HashAlg bank, const std::string& where,
                  std::map<std::uint32_t, Bytes>& out) {
  if (!obj.is_object()) {
    return bad(where + " must be a JSON object of PCR index to hex digest");
  }
  for (const auto& [key, value] : obj.items()) {
    std::uint32_t index = 0;
    const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (key.empty() || ec != std::errc{} || ptr != key.data() + key.size() || index > 31) {
      return bad(where + ": key '" + key.substr(0, 16) + "' is not a PCR index 0-31");
    }
    if (!value.is_string()) {
      return bad(where + "[" + key + "] must be a hex string");
    }
    auto digest = hex_decode(value.get<std::string>());
    if (!digest) {
      return bad(where + "[" + key + "]: " + digest.error().detail);
    }
    if (digest->size() != crypto::digest_size(bank)) {
      return bad(where + "[" + key + "] is " + std::to_string(digest->size()) + " bytes, a " +
                 std::string(crypto::hash_name(bank)) + " PCR has " +
                 std::to_string(crypto::digest_size(bank)));
    }
    out[index] = std::move(*digest);
  }
  return ok();
}

}  // namespace

Result<PcrValues> parse_pcr_values_json(std::string_view json, crypto::HashAlg default_bank) {
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return bad("PCR values are not valid JSON");
  }
  if (!doc.is_object() || doc.empty()) {
    return bad("PCR values must be a non-empty JSON object");
  }
  PcrValues out;
  // Nested form when the first key names a bank.
  if (crypto::hash_from_name(doc.begin().key())) {
    for (const auto& [name, bank_obj] : doc.items()) {
      const auto bank = crypto::hash_from_name(name);
      if (!bank) {
        return bad("'" + name.substr(0, 16) + "' is not a PCR bank name");
      }
      VOUCH_RETURN_IF_ERROR(parse_bank(bank_obj, *bank, name, out[*bank]));
    }
    return out;
  }
  VOUCH_RETURN_IF_ERROR(parse_bank(doc, default_bank, std::string(crypto::hash_name(default_bank)),
                                   out[default_bank]));
  return out;
}

}  // namespace vouch::tpm
