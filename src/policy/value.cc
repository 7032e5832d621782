#include "policy/value.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "policy/json_text.h"

namespace vouch::policy {

std::string_view value_kind_name(ValueKind kind) noexcept {
  switch (kind) {
    case ValueKind::kEmpty:
      return "Empty";
    case ValueKind::kBoolean:
      return "Boolean";
    case ValueKind::kInteger:
      return "Integer";
    case ValueKind::kString:
      return "String";
    case ValueKind::kSet:
      return "Set";
  }
  return "Empty";
}

Value Value::boolean(bool b) {
  return Value(Variant(b));
}

Value Value::integer(std::int64_t i) {
  return Value(Variant(i));
}

Value Value::string(std::string s) {
  return Value(Variant(std::move(s)));
}

Value Value::json(nlohmann::json j) {
  Value v(Variant(dump_json(j)));
  v.json_ = std::make_shared<const nlohmann::json>(std::move(j));
  return v;
}

Value Value::set(std::vector<Value> elements) {
  std::vector<Value> kept;
  kept.reserve(elements.size());
  for (auto& e : elements) {
    if (e.kind() == ValueKind::kSet) {
      for (const auto& inner : *e.if_set()) {
        kept.push_back(inner);
      }
    } else if (e.kind() != ValueKind::kEmpty) {
      kept.push_back(std::move(e));
    }
  }
  return Value(Variant(std::move(kept)));
}

std::vector<Value> Value::take_elements() && {
  if (auto* elements = std::get_if<std::vector<Value>>(&v_)) {
    return std::move(*elements);
  }
  return {};
}

ValueKind Value::kind() const noexcept {
  switch (v_.index()) {
    case 1:
      return ValueKind::kBoolean;
    case 2:
      return ValueKind::kInteger;
    case 3:
      return ValueKind::kString;
    case 4:
      return ValueKind::kSet;
    default:
      return ValueKind::kEmpty;
  }
}

bool Value::is_scalar() const noexcept {
  const ValueKind k = kind();
  return k == ValueKind::kBoolean || k == ValueKind::kInteger || k == ValueKind::kString;
}

nlohmann::json Value::to_json() const {
  if (const bool* b = if_boolean()) {
    return *b;
  }
  if (const std::int64_t* i = if_integer()) {
    return *i;
  }
  if (const std::string* s = if_string()) {
    return *s;
  }
  if (const auto* elements = if_set()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *elements) {
      out.push_back(e.to_json());
    }
    return out;
  }
  return nullptr;
}

std::string Value::to_display(std::size_t max_chars) const {
  if (const bool* b = if_boolean()) {
    return *b ? "true" : "false";
  }
  if (const std::int64_t* i = if_integer()) {
    return std::to_string(*i);
  }
  if (const std::string* s = if_string()) {
    std::string out = "\"";
    const std::size_t shown = s->size() > max_chars ? max_chars : s->size();
    for (std::size_t k = 0; k < shown; ++k) {
      const char c = (*s)[k];
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c == '\n' ? ' ' : c;
    }
    out += '"';
    if (shown < s->size()) {
      out += "... (" + std::to_string(s->size()) + " bytes)";
    }
    return out;
  }
  if (const auto* elements = if_set()) {
    std::string out = "{";
    for (std::size_t k = 0; k < elements->size(); ++k) {
      if (k > 0) {
        out += ", ";
      }
      if (out.size() > max_chars) {
        out += "... (" + std::to_string(elements->size()) + " values)";
        break;
      }
      out += (*elements)[k].to_display(max_chars);
    }
    return out + "}";
  }
  return "<empty>";
}

std::string_view issuer_name(Issuer issuer) noexcept {
  switch (issuer) {
    case Issuer::kAttestationService:
      return "AttestationService";
    case Issuer::kAttestationPolicy:
      return "AttestationPolicy";
    case Issuer::kCustomClaim:
      return "CustomClaim";
  }
  return "AttestationService";
}

std::optional<Issuer> parse_issuer(std::string_view name) noexcept {
  for (const Issuer i :
       {Issuer::kAttestationService, Issuer::kAttestationPolicy, Issuer::kCustomClaim}) {
    if (issuer_name(i) == name) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace vouch::policy
