#pragma once

// Member lookup in untrusted JSON objects whose names match in any letter case (Azure
// Attestation's request members: its SDKs send "inittimeData" for "initTimeData").

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/text.h"

namespace vouch {

// The member of `object` named `name` in any case: value is nullptr when absent; `repeated` when
// two members match (in different cases), which callers refuse as ambiguous.
struct JsonMember {
  const nlohmann::json* value = nullptr;
  bool repeated = false;
};

inline JsonMember find_member_icase(const nlohmann::json& object, std::string_view name) {
  JsonMember out;
  if (!object.is_object()) {
    return out;
  }
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (ascii_iequals(it.key(), name)) {
      out.repeated = out.value != nullptr;
      if (out.repeated) {
        return out;
      }
      out.value = &it.value();
    }
  }
  return out;
}

}  // namespace vouch
