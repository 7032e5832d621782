// `vouch jmespath EXPRESSION [FILE]`: runs a JMESPath query, as the policy language's JmesPath()
// does, over a JSON document from FILE or standard input.

#include "policy/jmespath/jmespath.h"

#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/report.h"
#include "policy/json_text.h"
#include "policy/limits.h"

namespace vouch::cli {
namespace {

constexpr std::size_t kMaxDocumentBytes = std::size_t{64} << 20;

struct JmesPathFlags {
  std::string expression;
  std::string file;
};

// The error kinds of the JMESPath specification (and of our two limits).
std::string_view jmespath_error_kind(CheckId check) noexcept {
  namespace c = jmespath::checks;
  if (check == c::kSyntax) {
    return "syntax";
  }
  if (check == c::kInvalidType) {
    return "invalid-type";
  }
  if (check == c::kInvalidValue) {
    return "invalid-value";
  }
  if (check == c::kInvalidArity) {
    return "invalid-arity";
  }
  if (check == c::kUnknownFunction) {
    return "unknown-function";
  }
  if (check == c::kDepthLimit) {
    return "depth-limit";
  }
  if (check == c::kWorkLimit) {
    return "work-limit";
  }
  return "internal";
}

int query_error(const Context& ctx, const Error& e) {
  ctx.err << "vouch: jmespath: " << jmespath_error_kind(e.check) << ": " << e.detail << "\n";
  return kExitRejected;
}

Result<std::string> read_document(const JmesPathFlags& f) {
  if (!f.file.empty()) {
    return read_text_file(f.file, kMaxDocumentBytes);
  }
  std::string text;
  std::istreambuf_iterator<char> it(std::cin);
  for (const std::istreambuf_iterator<char> end; it != end; ++it) {
    if (text.size() == kMaxDocumentBytes) {
      return fail(ErrorKind::kInvalidArgument, checks::kFileRead,
                  "standard input is larger than " + std::to_string(kMaxDocumentBytes) + " bytes");
    }
    text.push_back(*it);
  }
  return text;
}

int run_query(const Context& ctx, const JmesPathFlags& f) {
  auto expression = jmespath::Expression::compile(f.expression);
  if (!expression) {
    return query_error(ctx, expression.error());
  }
  auto text = read_document(f);
  if (!text) {
    return print_error(ctx, text.error());
  }
  auto document = policy::parse_json_text(*text, policy::limits::kMaxJsonDepth,
                                          ErrorKind::kInvalidArgument, checks::kJsonParse);
  if (!document) {
    return print_error(
        ctx, std::move(document.error()).with_context(f.file.empty() ? "standard input" : f.file));
  }
  auto result = expression->search(*document);
  if (!result) {
    return query_error(ctx, result.error());
  }
  ctx.out << result->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

}  // namespace

void add_jmespath(CLI::App& app, const Context& ctx, Action& action) {
  auto flags = std::make_shared<JmesPathFlags>();
  CLI::App* cmd = app.add_subcommand(
      "jmespath",
      "Run a JMESPath query over a JSON document and print the result (exit 2 with the error "
      "kind on an invalid expression)");
  cmd->add_option("EXPRESSION", flags->expression, "The JMESPath expression")->required();
  cmd->add_option("FILE", flags->file, "JSON document (default: standard input)");
  cmd->callback(
      [&ctx, &action, flags] { action = [&ctx, flags] { return run_query(ctx, *flags); }; });
}

}  // namespace vouch::cli
