#include "policy/diagnostic.h"

namespace vouch::policy {

std::string_view severity_name(Severity s) noexcept {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
  }
  return "error";
}

std::string Diagnostic::to_string(std::string_view file) const {
  std::string out(file);
  out += ':' + std::to_string(pos.line) + ':' + std::to_string(pos.column) + ": ";
  out += severity_name(severity);
  out += ": ";
  out += message;
  return out;
}

Error Diagnostic::to_error() const {
  return Error{ErrorKind::kInvalidArgument, check,
               "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) +
                   ": " + message};
}

}  // namespace vouch::policy
