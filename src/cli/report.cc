#include "cli/report.h"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

namespace vouch::cli {
namespace {

// Renders a scalar; long hex strings are shortened in the readable form (JSON keeps them whole).
std::string scalar(const nlohmann::json& v) {
  std::string text = v.is_string() ? v.get<std::string>() : v.dump();
  if (text.size() > 96) {
    text = text.substr(0, 64) + "... (" + std::to_string(text.size()) + " chars)";
  }
  return text;
}

bool all_scalars(const nlohmann::json& a) {
  for (const auto& e : a) {
    if (e.is_structured()) {
      return false;
    }
  }
  return true;
}

// Prints one claim value readably: scalars and short scalar lists inline, maps one entry per line.
void print_value(std::ostream& out, const std::string& name, const nlohmann::json& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const int width = std::max(1, 36 - indent);
  if (v.is_object()) {
    out << pad << name << ":\n";
    for (const auto& [k, e] : v.items()) {
      print_value(out, k, e, indent + 2);
    }
  } else if (v.is_array() && (v.empty() || (all_scalars(v) && v.dump().size() < 80))) {
    std::string joined;
    for (const auto& e : v) {
      joined += (joined.empty() ? "" : ", ") + scalar(e);
    }
    out << pad << std::left << std::setw(width) << name << " " << (v.empty() ? "(none)" : joined)
        << "\n";
  } else if (v.is_array()) {
    out << pad << name << ":\n";
    std::size_t i = 0;
    for (const auto& e : v) {
      print_value(out, "[" + std::to_string(i++) + "]", e, indent + 2);
    }
  } else {
    out << pad << std::left << std::setw(width) << name << " " << scalar(v) << "\n";
  }
}

}  // namespace

int print_report(const Context& ctx, bool json, std::string_view what,
                 const evidence::CheckLog& log, const claims::ClaimSet* claims,
                 const Error* error) {
  const bool verified = error == nullptr;
  if (json) {
    nlohmann::json j;
    j["status"] = verified ? "verified" : "rejected";
    j["checks"] = nlohmann::json::array();
    for (const auto& r : log.records()) {
      j["checks"].push_back({{"id", r.id},
                             {"result", std::string(evidence::outcome_name(r.outcome))},
                             {"detail", r.detail}});
    }
    j["claims"] = (verified && claims != nullptr) ? claims->to_json() : nlohmann::json::object();
    if (!verified) {
      j["error"] = {{"check", std::string(error->check.str())},
                    {"kind", std::string(error_kind_name(error->kind))},
                    {"detail", error->detail}};
    }
    ctx.out << j.dump(2) << "\n";
  } else {
    ctx.out << what << ": " << (verified ? "VERIFIED" : "REJECTED") << "\n";
    if (!verified) {
      ctx.out << "  reason: " << error->check.str() << ": " << error->detail << "\n";
    }
    ctx.out << "\nChecks:\n";
    for (const auto& r : log.records()) {
      ctx.out << "  " << std::left << std::setw(8) << evidence::outcome_name(r.outcome)
              << std::setw(28) << r.id << r.detail << "\n";
    }
    if (verified && claims != nullptr) {
      ctx.out << "\nClaims:\n";
      const nlohmann::json all = claims->to_json();
      for (const auto& [name, value] : all.items()) {
        print_value(ctx.out, name, value, 2);
      }
    }
  }
  return verified ? kExitOk : exit_code_for(error->kind);
}

int print_error(const Context& ctx, const Error& error) {
  ctx.err << "vouch: " << error.detail << " [" << error.check.str() << "]\n";
  return exit_code_for(error.kind);
}

}  // namespace vouch::cli
