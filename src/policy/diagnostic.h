#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "policy/check_ids.h"

namespace vouch::policy {

// SourcePos is a position in policy text: 1-based line and column (columns count Unicode code
// points; a tab is one column) and the 0-based byte offset.
struct SourcePos {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  std::uint32_t offset = 0;

  friend bool operator==(const SourcePos&, const SourcePos&) = default;
};

enum class Severity : std::uint8_t { kError, kWarning };

// "error" / "warning".
std::string_view severity_name(Severity s) noexcept;

// Diagnostic is one finding about a policy: a compile error or a lint finding, with where it is
// and which check found it. Tools print it as "FILE:LINE:COL: error|warning: message".
struct Diagnostic {
  Severity severity = Severity::kError;
  CheckId check = checks::kSyntax;
  SourcePos pos;
  std::string message;

  // "FILE:LINE:COL: severity: message".
  std::string to_string(std::string_view file) const;
  // The Error a failed compile() returns for this diagnostic: kind kInvalidArgument, this check,
  // detail "line L, column C: message".
  Error to_error() const;
};

}  // namespace vouch::policy
