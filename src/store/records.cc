#include <array>
#include <utility>

#include "store/store.h"

namespace vouch::store {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles{{
    {Role::kVerifierOwner, "verifier-owner"},
    {Role::kRpOwner, "rp-owner"},
    {Role::kAuditor, "auditor"},
    {Role::kAttester, "attester"},
}};

}  // namespace

std::string_view key_state_name(KeyState state) noexcept {
  switch (state) {
    case KeyState::kActive:
      return "active";
    case KeyState::kRetiring:
      return "retiring";
    case KeyState::kRetired:
      return "retired";
  }
  return "retired";
}

std::string_view role_name(Role role) noexcept {
  for (const auto& [r, name] : kRoles) {
    if (r == role) {
      return name;
    }
  }
  return "auditor";
}

std::optional<Role> parse_role(std::string_view name) noexcept {
  for (const auto& [r, n] : kRoles) {
    if (n == name) {
      return r;
    }
  }
  return std::nullopt;
}

std::string_view session_state_name(SessionState state) noexcept {
  switch (state) {
    case SessionState::kPending:
      return "pending";
    case SessionState::kConsumed:
      return "consumed";
    case SessionState::kComplete:
      return "complete";
    case SessionState::kFailed:
      return "failed";
  }
  return "failed";
}

}  // namespace vouch::store
