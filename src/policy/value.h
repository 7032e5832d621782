#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The value model of the claim-rule language (docs/adr/0006-policy-language.md):
// - Integer (64-bit signed), String, Boolean: the three claim value types of Azure Attestation.
// - Set: what JsonToClaimValue() makes of a JSON array and what `c.value` is when a condition
//   matched several claims. A set holds scalars only; adding or issuing a set adds one claim per
//   element.
// - Empty: what JsonToClaimValue() makes of JSON null; adding or issuing it is a no-op.
// JSON documents (the `events` and `pcrs` claims, results of JmesPath()) are Strings whose text is
// the JSON, exactly as the service models them; Value::json() keeps the parsed form next to the
// text so that JmesPath() need not parse it again.
namespace vouch::policy {

enum class ValueKind : std::uint8_t { kEmpty, kBoolean, kInteger, kString, kSet };

// "Empty", "Boolean", "Integer", "String", "Set" (the names valueType conditions compare with).
std::string_view value_kind_name(ValueKind kind) noexcept;

// Value is one claim value (see above). Copies share the kept JSON parse.
class Value {
 public:
  Value() = default;  // Empty
  static Value boolean(bool b);
  static Value integer(std::int64_t i);
  static Value string(std::string s);
  // A String whose text is the compact serialisation of `j` (invalid UTF-8 replaced), keeping `j`.
  static Value json(nlohmann::json j);
  // A Set of `elements`, which must all be scalars (Boolean, Integer or String); Empty elements are
  // dropped. A set never nests.
  static Value set(std::vector<Value> elements);

  ValueKind kind() const noexcept;
  bool is_scalar() const noexcept;

  const bool* if_boolean() const noexcept { return std::get_if<bool>(&v_); }
  const std::int64_t* if_integer() const noexcept { return std::get_if<std::int64_t>(&v_); }
  const std::string* if_string() const noexcept { return std::get_if<std::string>(&v_); }
  const std::vector<Value>* if_set() const noexcept { return std::get_if<std::vector<Value>>(&v_); }
  // The JSON this String was made from by Value::json(), or nullptr.
  const nlohmann::json* parsed_json() const noexcept { return json_.get(); }

  // Moves the elements out of a Set (nothing for any other kind).
  std::vector<Value> take_elements() &&;

  // JSON form: Boolean, number, string, array (Set) or null (Empty).
  nlohmann::json to_json() const;
  // Policy-literal form for messages: 3, "abc", true, {3, "abc"}, <empty>. Strings longer than
  // `max_chars` are cut and say how long they were.
  std::string to_display(std::size_t max_chars = 96) const;

  // Equal when kind and content are equal (the kept JSON parse is not compared).
  friend bool operator==(const Value& a, const Value& b) noexcept { return a.v_ == b.v_; }

 private:
  using Variant = std::variant<std::monostate, bool, std::int64_t, std::string, std::vector<Value>>;
  explicit Value(Variant v) : v_(std::move(v)) {}

  Variant v_;
  std::shared_ptr<const nlohmann::json> json_;
};

// Issuer is who put a claim into the incoming set (Azure Attestation's three issuers).
enum class Issuer : std::uint8_t {
  kAttestationService,  // parsed from the evidence by the verifier
  kAttestationPolicy,   // added by a policy rule
  kCustomClaim,         // supplied by the attester
};

// "AttestationService", "AttestationPolicy", "CustomClaim".
std::string_view issuer_name(Issuer issuer) noexcept;
// The issuer with exactly this name, or nullopt.
std::optional<Issuer> parse_issuer(std::string_view name) noexcept;

// Claim is one incoming, issued or property claim. Types can repeat in a claim list. A read-only
// claim (the TPM `pcrs` claim) may be compared and added but never issued; values computed from it
// stay read-only.
struct Claim {
  std::string type;
  Value value;
  Issuer issuer = Issuer::kAttestationService;
  bool read_only = false;

  friend bool operator==(const Claim&, const Claim&) = default;
};

}  // namespace vouch::policy
