// `vouch attest`: be the attester. Collects TPM evidence (tss2-esys), binds an ephemeral key to
// the verifier's or relying party's nonce, and runs the passport or background-check flow of
// docs/relying-party.md to obtain a secret. A thin shell over src/attester; the HTTP transport is
// the service's client (service/http/client.h) adapted to attester::Transport.

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "attester/esys.h"
#include "attester/flows.h"
#include "base/encoding.h"
#include "base/file.h"
#include "cli/commands.h"
#include "crypto/digest.h"
#include "service/http/client.h"

namespace vouch::cli {
namespace {

namespace http = service::http;

struct AttestArgs {
  std::string verifier;
  std::string relying_party;
  std::string tpm;
  std::string model = "passport";
  std::string secret;
  std::string out;
  bool json = false;
  std::string tenant;
  std::string api_key;
  std::string ca_file;
  bool insecure = false;
  std::string pcrs = "sha256:0-7";
  std::string ak = "rsa";
  std::string event_log = std::string(attester::kDefaultEventLogPath);
  double timeout_seconds = 30;
  int max_attempts = 5;
};

// attester::Transport over the service's synchronous HTTP client.
class ClientTransport final : public attester::Transport {
 public:
  explicit ClientTransport(http::ClientOptions options) : client_(std::move(options)) {}
  Result<attester::HttpResponse> send(const attester::HttpRequest& request) override {
    http::ClientRequest r;
    r.method = request.method;
    r.url = request.url;
    r.headers = request.headers;
    r.body = request.body;
    VOUCH_TRY(http::ClientResponse resp, client_.send(r));
    attester::HttpResponse out;
    out.status = resp.status;
    out.headers = std::move(resp.headers);
    out.body = std::move(resp.body);
    return out;
  }

 private:
  http::HttpClient client_;
};

int finish(const Context& ctx, const AttestArgs& a, attester::FlowResult& r,
           const std::string& model) {
  int code = r.error ? exit_code_for(r.error->kind) : kExitOk;
  std::string written;
  if (!r.error && r.secret) {
    if (!a.out.empty()) {
      const std::string_view value(reinterpret_cast<const char*>(r.secret->data()),  // NOLINT
                                   r.secret->size());
      if (auto s = write_private_file(a.out, value); !s) {
        r.error = s.error();
        code = kExitUsage;
      } else {
        written = a.out;
      }
    }
  }
  if (a.json) {
    nlohmann::json j = r.to_json();
    j["model"] = model;
    j["exit"] = code;
    if (!written.empty()) {
      j["out"] = written;
    }
    if (r.error && !r.secret) {
      j["ok"] = false;
    }
    ctx.out << j.dump(2) << "\n";
  } else {
    if (r.secret && !r.error) {
      const std::string sha = hex_encode(crypto::digest(crypto::HashAlg::kSha256, *r.secret));
      if (!written.empty()) {
        ctx.err << "vouch attest: secret " << r.secret_name << " version " << r.secret_version
                << " (" << r.secret->size() << " bytes) written to " << written << "\n";
      }
      ctx.out << sha << "\n";  // the digest only: the secret itself never goes to stdout
    } else if (!r.ear.empty() && a.secret.empty()) {
      ctx.out << r.ear << "\n";
    }
    if (!r.verdict.empty() && a.secret.empty()) {
      ctx.err << "vouch attest: verdict " << r.verdict << "\n";
    }
  }
  if (r.error) {
    ctx.err << "vouch attest: " << r.failed_check() << ": " << r.error->detail << "\n";
  }
  return code;
}

int run_attest(const Context& ctx, AttestArgs a) {
  if (a.api_key.empty()) {
    const char* env = std::getenv("VOUCH_API_KEY");  // NOLINT(concurrency-mt-unsafe)
    if (env != nullptr) {
      a.api_key = env;
    }
  }
  attester::FlowOptions o;
  o.model = a.model == "background-check" ? attester::Model::kBackgroundCheck
                                          : attester::Model::kPassport;
  if (o.model == attester::Model::kBackgroundCheck && a.secret.empty()) {
    ctx.err << "vouch attest: --model background-check needs --secret NAME\n";
    return kExitUsage;
  }
  if (!a.out.empty() && a.secret.empty()) {
    ctx.err << "vouch attest: --out needs --secret NAME\n";
    return kExitUsage;
  }
  o.verifier_url = a.verifier;
  o.relying_party_url = a.relying_party;
  o.tenant = a.tenant;
  o.api_key = a.api_key;
  o.secret_name = a.secret;
  o.retry.max_attempts = a.max_attempts;
  auto selection = attester::parse_pcr_selection(a.pcrs);
  if (!selection) {
    ctx.err << "vouch attest: " << selection.error().to_string() << "\n";
    return kExitUsage;
  }
  // tpm2-tss logs failures on stderr itself; our errors already name the response code.
  setenv("TSS2_LOG", "all+none", 0);  // NOLINT(concurrency-mt-unsafe): before any thread
  attester::FlowResult r;
  auto tpm = attester::EsysTpm::open(
      a.tpm, a.ak == "ecc" ? attester::AkAlgorithm::kEccP256 : attester::AkAlgorithm::kRsa2048);
  if (!tpm) {
    r.error = tpm.error();
    r.steps.push_back(attester::Step{"tpm.open", false, {{"error", tpm.error().to_string()}}});
    return finish(ctx, a, r, a.model);
  }
  r.steps.push_back(attester::Step{"tpm.open", true, {{"tcti", a.tpm}, {"ak", a.ak}}});
  http::ClientOptions copt;
  copt.ca_file = a.ca_file;
  copt.insecure = a.insecure;
  const auto ms = std::chrono::milliseconds(static_cast<std::int64_t>(a.timeout_seconds * 1000));
  copt.connect_timeout = ms;
  copt.read_timeout = ms;
  ClientTransport transport(std::move(copt));
  attester::TpmEvidenceSource evidence(**tpm, std::move(*selection), a.event_log);
  attester::FlowResult flow = attester::run_flow(o, transport, evidence);
  flow.steps.insert(flow.steps.begin(), r.steps.begin(), r.steps.end());
  return finish(ctx, a, flow, a.model);
}

}  // namespace

void add_attest(CLI::App& app, const Context& ctx, Action& action) {
  auto args = std::make_shared<AttestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "attest",
      "Attest this machine's TPM and obtain a secret (docs/relying-party.md).\n\n"
      "passport: enrol the TPM's AK with the verifier (EK certificate + ActivateCredential),\n"
      "open a RATS session, quote with extraData = SHA-256(nonce || runtime data), where the\n"
      "runtime data {\"jwk\": ...} holds an ephemeral P-256 key, and post the quote to the\n"
      "session; then, with --secret, present the verifier's result (EAR) to the relying party\n"
      "(/rp/v1/secrets/NAME:release) and decrypt the returned JWE. Without --secret the EAR is\n"
      "printed on stdout.\n"
      "background-check: enrol the AK, take a challenge from the relying party, quote, and post\n"
      "the evidence to /rp/v1/secrets/NAME:attest, which forwards it to its verifier.\n\n"
      "The secret is written to --out (mode 0600); stdout gets only its SHA-256 (hex), never\n"
      "the secret. 429/503 answers are retried with exponential backoff and jitter, honouring\n"
      "Retry-After. --json prints one JSON object with every step instead.\n\n"
      "Exit codes: 0 success; 1 usage, TPM, network or other failure; 2 evidence rejected\n"
      "(verdict \"reject\" or an evidence check); 3 collateral unavailable; 4 revocation status\n"
      "unavailable; 5 denied by policy (verdict \"deny\", rp.release_policy.deny,\n"
      "rp.issuer.untrusted).");
  cmd->add_option("--verifier", args->verifier,
                  "Verifier base URL (http(s)://host[:port][/prefix])")
      ->required();
  cmd->add_option("--relying-party", args->relying_party,
                  "Relying party base URL (default: the verifier's URL)");
  cmd->add_option("--tpm", args->tpm,
                  "TPM TCTI: swtpm:host=H,port=P | mssim:host=H,port=P | device | device:PATH "
                  "(device = /dev/tpmrm0)")
      ->required();
  cmd->add_option("--model", args->model, "passport or background-check")
      ->check(CLI::IsMember({"passport", "background-check"}))
      ->capture_default_str();
  cmd->add_option("--secret", args->secret, "Name of the secret to obtain");
  cmd->add_option("--out", args->out, "Write the secret to FILE (mode 0600)");
  cmd->add_flag("--json", args->json, "Print one JSON object describing each step");
  cmd->add_option("--tenant", args->tenant, "Tenant (default: the default tenant)");
  cmd->add_option("--api-key", args->api_key,
                  "Attestation API key (default: $VOUCH_API_KEY); sent to the verifier, and to "
                  "the relying party only when it has the verifier's scheme, host and port");
  cmd->add_option("--ca-file", args->ca_file, "Trust only these PEM certificates for HTTPS");
  cmd->add_flag("--insecure", args->insecure, "Skip HTTPS certificate checks (development only)");
  cmd->add_option("--pcrs", args->pcrs,
                  "PCRs to quote: BANK:INDICES[+BANK:INDICES], e.g. sha256:0,1,2,7 or sha256:0-7")
      ->capture_default_str();
  cmd->add_option("--ak", args->ak, "AK type: rsa (RSA-2048 RSASSA-SHA256) or ecc (P-256 ECDSA)")
      ->check(CLI::IsMember({"rsa", "ecc"}))
      ->capture_default_str();
  cmd->add_option("--event-log", args->event_log,
                  "TCG event log to send when the file exists (\"\" for none)")
      ->capture_default_str();
  cmd->add_option("--timeout", args->timeout_seconds, "HTTP timeout per request, in seconds")
      ->capture_default_str();
  cmd->add_option("--max-attempts", args->max_attempts, "Sends per request on 429/503 (1..10)")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  cmd->callback(
      [&ctx, &action, args] { action = [&ctx, args] { return run_attest(ctx, *args); }; });
}

}  // namespace vouch::cli
