// `vouch admin ...` against the real `vouch serve --dev` binary running as a subprocess: the
// commands, their exit codes, the check ids they print, and that the API key never shows.

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/time.h"
#include "cli/cli.h"
#include "evidence/tpm/abi.h"
#include "testing/temp_dir.h"
#include "testing/tpm_quote_builder.h"
#include "tests/cli/serve_process.h"

namespace vouch::cli {
namespace {

using ::vouch::testing::ServeProcess;

struct CliRun {
  int code;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out, nullptr, false); }
};

constexpr const char* kPolicy =
    "version=1.0;\n"
    "authorizationrules\n"
    "{\n"
    "    => permit();\n"
    "};\n"
    "issuancerules\n"
    "{\n"
    "    => issue(type=\"custom\", value=\"from-admin-cli\");\n"
    "};\n";

class AdminCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // Hermetic: the flags below say everything.
    unsetenv("VOUCH_URL");
    unsetenv("VOUCH_API_KEY");
    server_ = std::make_unique<ServeProcess>();
    ASSERT_TRUE(server_->started()) << server_->error();
    key_ = server_->admin_key();
  }

  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_EQ(server_->stop(), 0) << server_->log();  // SIGTERM: a graceful exit 0
    }
  }

  // `vouch admin --url <server> --api-key <key> ARGS...`, in process (the same code as the
  // binary; the service runs in its own process).
  CliRun admin(const std::vector<std::string>& args, const std::string& key) {
    std::vector<std::string> full = {"admin", "--url", server_->url()};
    if (!key.empty()) {
      full.insert(full.end(), {"--api-key", key});
    }
    full.insert(full.end(), args.begin(), args.end());
    const SystemClock clock;
    std::ostringstream out;
    std::ostringstream err;
    const Context ctx{clock, out, err};
    const int code = run(ctx, full);
    CliRun r{code, out.str(), err.str()};
    // Whatever happens, the caller's key never appears in the output.
    EXPECT_EQ(r.out.find(key_), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(key_), std::string::npos) << r.err;
    return r;
  }
  CliRun admin(const std::vector<std::string>& args) { return admin(args, key_); }

  testing::TempDir files_;
  std::unique_ptr<ServeProcess> server_;
  std::string key_;
};

TEST_F(AdminCli, PolicySetGetResetRoundTrip) {
  testing::write_file(files_.file("sgx.policy"), kPolicy);
  CliRun set = admin({"policy", "set", "SgxEnclave", files_.file("sgx.policy")});
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_NE(set.out.find("SgxEnclave: policy Updated"), std::string::npos) << set.out;
  EXPECT_NE(set.out.find("policy token hash: "), std::string::npos) << set.out;

  CliRun get = admin({"policy", "get", "SgxEnclave"});
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_EQ(get.out, kPolicy);

  CliRun raw = admin({"--json", "policy", "get", "SgxEnclave"});
  ASSERT_EQ(raw.code, 0) << raw.err;
  EXPECT_TRUE(raw.json().contains("token")) << raw.out;

  CliRun reset = admin({"policy", "reset", "SgxEnclave"});
  ASSERT_EQ(reset.code, 0) << reset.err;
  EXPECT_NE(reset.out.find("reset to the default (Removed)"), std::string::npos) << reset.out;
  CliRun after = admin({"policy", "get", "sgxenclave"});  // types match case-insensitively
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_NE(after.out, kPolicy);
  EXPECT_NE(after.out.find("permit()"), std::string::npos) << after.out;
}

TEST_F(AdminCli, PolicyThatDoesNotParseShowsCheckLineAndColumn) {
  testing::write_file(files_.file("bad.policy"),
                      "version=1.0;\nauthorizationrules\n{\n    => permit()\n};\n");
  CliRun r = admin({"policy", "set", "SgxEnclave", files_.file("bad.policy")});
  EXPECT_EQ(r.code, kExitRejected) << r.out << r.err;
  EXPECT_NE(r.err.find("vouch admin: policy."), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(HTTP 400)"), std::string::npos) << r.err;

  CliRun json = admin({"policy", "set", "SgxEnclave", files_.file("bad.policy"), "--json"});
  EXPECT_EQ(json.code, kExitRejected);
  EXPECT_EQ(json.json()["error"]["code"], "PolicyParsingError") << json.out;

  CliRun unknown = admin({"policy", "get", "NoSuchType"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_NE(unknown.err.find("(HTTP 404)"), std::string::npos) << unknown.err;

  CliRun missing = admin({"policy", "set", "SgxEnclave", files_.file("absent.policy")});
  EXPECT_EQ(missing.code, kExitUsage);
  EXPECT_NE(missing.err.find("file.read"), std::string::npos) << missing.err;
}

TEST_F(AdminCli, TenantCreateReturnsAKeyThatManagesTheTenant) {
  CliRun created =
      admin({"tenant", "create", "acme", "--settings", R"({"token_lifetime_seconds": 600})"});
  ASSERT_EQ(created.code, 0) << created.err;
  EXPECT_NE(created.out.find("created tenant acme"), std::string::npos) << created.out;
  const std::size_t at = created.out.find("\nvouch_");
  ASSERT_NE(at, std::string::npos) << created.out;
  std::string acme_key = created.out.substr(at + 1);
  acme_key = acme_key.substr(0, acme_key.find('\n'));

  CliRun settings = admin({"--tenant", "acme", "settings", "get"}, acme_key);
  ASSERT_EQ(settings.code, 0) << settings.err;
  EXPECT_NE(settings.out.find("tenant acme"), std::string::npos) << settings.out;
  EXPECT_NE(settings.out.find("600"), std::string::npos) << settings.out;

  // Global options may also follow the subcommand.
  CliRun keys = admin({"api-key", "list", "--tenant", "acme", "--json"}, acme_key);
  ASSERT_EQ(keys.code, 0) << keys.err;
  ASSERT_EQ(keys.json()["api_keys"].size(), 1u) << keys.out;
  EXPECT_EQ(keys.json()["api_keys"][0]["role"], "verifier-owner");

  // The default tenant's key is not a key of acme, and acme's key does not manage the default.
  CliRun cross = admin({"--tenant", "acme", "settings", "get"});
  EXPECT_EQ(cross.code, kExitUsage);
  EXPECT_NE(cross.err.find("service.auth.credentials"), std::string::npos) << cross.err;
  CliRun other = admin({"settings", "get"}, acme_key);
  EXPECT_EQ(other.code, kExitUsage);
  EXPECT_NE(other.err.find("service.auth.credentials"), std::string::npos) << other.err;

  CliRun list = admin({"tenant", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("acme"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("default"), std::string::npos) << list.out;

  CliRun json = admin({"tenant", "create", "beta", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(json.json()["name"], "beta");
  EXPECT_EQ(json.json()["api_key"].get<std::string>().rfind("vouch_", 0), 0u) << json.out;

  CliRun again = admin({"tenant", "create", "acme"});
  EXPECT_EQ(again.code, kExitUsage);
  EXPECT_NE(again.err.find("(HTTP 409)"), std::string::npos) << again.err;

  CliRun deleted = admin({"tenant", "delete", "acme"});
  ASSERT_EQ(deleted.code, 0) << deleted.err;
  CliRun gone = admin({"--tenant", "acme", "settings", "get"}, acme_key);
  EXPECT_EQ(gone.code, kExitUsage);
  EXPECT_NE(gone.err.find("(HTTP 404)"), std::string::npos) << gone.err;
}

TEST_F(AdminCli, SettingsSetMergesUnlessReplace) {
  ASSERT_EQ(admin({"settings", "set", R"({"audience": ["rp-1"]})"}).code, 0);
  CliRun merged = admin({"settings", "set", R"({"token_lifetime_seconds": 900})", "--json"});
  ASSERT_EQ(merged.code, 0) << merged.err;
  EXPECT_EQ(merged.json()["settings"]["token_lifetime_seconds"], 900) << merged.out;
  EXPECT_EQ(merged.json()["settings"]["audience"], nlohmann::json::array({"rp-1"})) << merged.out;

  CliRun replaced =
      admin({"settings", "set", "--replace", R"({"token_lifetime_seconds": 600})", "--json"});
  ASSERT_EQ(replaced.code, 0) << replaced.err;
  const auto& s = replaced.json()["settings"];
  EXPECT_TRUE(!s.contains("audience") || s["audience"].empty()) << replaced.out;

  CliRun bad = admin({"settings", "set", R"({"no_such_setting": 1})"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_NE(bad.err.find("service.tenant.settings"), std::string::npos) << bad.err;
  CliRun not_json = admin({"settings", "set", "{"});
  EXPECT_EQ(not_json.code, kExitUsage);
}

TEST_F(AdminCli, ApiKeyCreateListRevoke) {
  CliRun created = admin({"api-key", "create", "--role", "auditor", "--label", "ci", "--json"});
  ASSERT_EQ(created.code, 0) << created.err;
  const std::string token = created.json()["token"];
  const std::string id = created.json()["key_id"];

  CliRun list = admin({"api-key", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("KEY ID"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("auditor"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(token), std::string::npos) << "secrets are never listed";

  // An auditor reads the audit log but cannot create keys.
  EXPECT_EQ(admin({"audit"}, token).code, 0);
  CliRun denied = admin({"api-key", "create", "--role", "attester"}, token);
  EXPECT_EQ(denied.code, kExitUsage);
  EXPECT_NE(denied.err.find("service.auth.role"), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find("(HTTP 403)"), std::string::npos) << denied.err;

  CliRun revoked = admin({"api-key", "revoke", id});
  ASSERT_EQ(revoked.code, 0) << revoked.err;
  EXPECT_NE(revoked.out.find("revoked API key " + id), std::string::npos) << revoked.out;

  CliRun refused = admin({"audit"}, token);
  EXPECT_EQ(refused.code, kExitUsage);
  EXPECT_NE(refused.err.find("service.auth.credentials"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("(HTTP 401)"), std::string::npos) << refused.err;

  CliRun human = admin({"api-key", "create", "--role", "attester"});
  ASSERT_EQ(human.code, 0) << human.err;
  EXPECT_NE(human.out.find("(attester; shown once"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("\nvouch_"), std::string::npos) << human.out;
}

TEST_F(AdminCli, DenyListAndReferenceValuesAddListRemove) {
  CliRun add = admin({"deny-list", "add", "--kind", "snp.measurement", "--value", "abcd",
                      "--reason", "bad build"});
  ASSERT_EQ(add.code, 0) << add.err;
  EXPECT_NE(add.out.find("added snp.measurement = abcd"), std::string::npos) << add.out;

  CliRun list = admin({"deny-list", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("snp.measurement"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("bad build"), std::string::npos) << list.out;

  CliRun json = admin({"deny-list", "list", "--json", "--kind", "snp.measurement"});
  ASSERT_EQ(json.code, 0) << json.err;
  ASSERT_EQ(json.json()["entries"].size(), 1u) << json.out;
  EXPECT_EQ(json.json()["entries"][0]["value"], "abcd");

  CliRun dup = admin({"deny-list", "add", "--kind", "snp.measurement", "--value", "abcd"});
  EXPECT_EQ(dup.code, kExitUsage);
  EXPECT_NE(dup.err.find("(HTTP 409)"), std::string::npos) << dup.err;

  CliRun removed = admin({"deny-list", "remove", "--kind", "snp.measurement", "--value", "abcd"});
  ASSERT_EQ(removed.code, 0) << removed.err;
  CliRun empty = admin({"deny-list", "list"});
  ASSERT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "(none)\n");
  CliRun again = admin({"deny-list", "remove", "--kind", "snp.measurement", "--value", "abcd"});
  EXPECT_EQ(again.code, kExitUsage);
  EXPECT_NE(again.err.find("(HTTP 404)"), std::string::npos) << again.err;

  // Values with characters that need escaping in the query survive the round trip.
  ASSERT_EQ(
      admin({"reference-value", "add", "--kind", "x-ms-sgx-mrsigner", "--value", "a b&c=d/e"}).code,
      0);
  CliRun refs = admin({"reference-value", "list", "--json"});
  ASSERT_EQ(refs.code, 0) << refs.err;
  ASSERT_EQ(refs.json()["entries"].size(), 1u) << refs.out;
  EXPECT_EQ(refs.json()["entries"][0]["value"], "a b&c=d/e");
  EXPECT_EQ(
      admin({"reference-value", "remove", "--kind", "x-ms-sgx-mrsigner", "--value", "a b&c=d/e"})
          .code,
      0);
}

TEST_F(AdminCli, ListsPageThroughEverything) {
  for (int i = 0; i < 105; ++i) {
    ASSERT_EQ(
        admin({"reference-value", "add", "--kind", "k", "--value", "v" + std::to_string(1000 + i)})
            .code,
        0);
  }
  CliRun all = admin({"reference-value", "list", "--json"});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(all.json()["entries"].size(), 105u);
}

TEST_F(AdminCli, TokenRevokeOfAnUnknownJtiIsNotFound) {
  CliRun r = admin({"token", "revoke", "no-such-jti"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("store.token.not_found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(HTTP 404)"), std::string::npos) << r.err;
}

TEST_F(AdminCli, SigningKeysListAndRotate) {
  CliRun before = admin({"keys", "list", "--json"});
  ASSERT_EQ(before.code, 0) << before.err;
  CliRun rotated = admin({"keys", "rotate"});
  ASSERT_EQ(rotated.code, 0) << rotated.err;
  ASSERT_EQ(rotated.out.rfind("new signing key ", 0), 0u) << rotated.out;
  const std::string kid = rotated.out.substr(16, rotated.out.size() - 17);
  CliRun after = admin({"keys", "list"});
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_NE(after.out.find(kid), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("KID"), std::string::npos) << after.out;
}

TEST_F(AdminCli, AkPin) {
  const auto ak = testing::make_software_ak(true);
  const Bytes pub = tpm::serialize(ak.pub);
  testing::write_file(files_.file("ak.pub"), std::string(pub.begin(), pub.end()));
  CliRun pinned = admin({"ak", "pin", files_.file("ak.pub")});
  ASSERT_EQ(pinned.code, 0) << pinned.err;
  EXPECT_EQ(pinned.out.rfind("pinned AK ", 0), 0u) << pinned.out;

  testing::write_file(files_.file("junk"), "not an attestation key");
  CliRun junk = admin({"ak", "pin", files_.file("junk")});
  EXPECT_EQ(junk.code, kExitRejected) << junk.err;
  EXPECT_NE(junk.err.find("tpm."), std::string::npos) << junk.err;
}

TEST_F(AdminCli, AuditPrintsEntries) {
  ASSERT_EQ(admin({"api-key", "create", "--role", "attester", "--label", "a"}).code, 0);
  ASSERT_EQ(admin({"deny-list", "add", "--kind", "snp.chip_id", "--value", "01"}).code, 0);
  CliRun log = admin({"audit"});
  ASSERT_EQ(log.code, 0) << log.err;
  EXPECT_NE(log.out.find("SEQ"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("api_key.create"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("deny_list.add"), std::string::npos) << log.out;

  CliRun json = admin({"audit", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  const auto entries = json.json()["entries"];
  ASSERT_GE(entries.size(), 2u) << json.out;
  const std::uint64_t first = entries[0]["sequence"];

  CliRun one = admin({"audit", "--limit", "1"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_NE(one.out.find("(more: --after " + std::to_string(first) + ")"), std::string::npos)
      << one.out;
  CliRun rest = admin({"audit", "--after", std::to_string(first), "--json"});
  ASSERT_EQ(rest.code, 0) << rest.err;
  EXPECT_EQ(rest.json()["entries"].size(), entries.size() - 1);
}

TEST_F(AdminCli, MissingKeyAndUnreachableService) {
  CliRun nokey = admin({"keys", "list"}, "");
  EXPECT_EQ(nokey.code, kExitUsage);
  EXPECT_NE(nokey.err.find("service.auth.credentials"), std::string::npos) << nokey.err;

  const SystemClock clock;
  std::ostringstream out;
  std::ostringstream err;
  const Context ctx{clock, out, err};
  const std::string closed = "http://127.0.0.1:" + std::to_string(testing::free_port());
  EXPECT_EQ(run(ctx, {"admin", "--url", closed, "--api-key", key_, "keys", "list"}), kExitUsage);
  EXPECT_NE(err.str().find("service.client.connect"), std::string::npos) << err.str();
  EXPECT_EQ(err.str().find(key_), std::string::npos);

  std::ostringstream err2;
  const Context ctx2{clock, out, err2};
  EXPECT_EQ(run(ctx2, {"admin", "--url", "ftp://example.com", "keys", "list"}), kExitUsage);
  EXPECT_NE(err2.str().find("service.client.url"), std::string::npos) << err2.str();
}

// `vouch admin secret put|get|list|delete`: values go in from a file and never come back out.
TEST_F(AdminCli, SecretPutGetListDeleteNeverShowTheValue) {
  const std::string value = "admin-cli-secret-value-5d2e";
  const std::string value_b64 = "YWRtaW4tY2xpLXNlY3JldC12YWx1ZS01ZDJl";  // base64 of value
  testing::write_file(files_.file("value"), value);
  const std::string issuer = server_->url();
  const nlohmann::json policy = {
      {"version", "1.0.0"},
      {"anyOf",
       {{{"authority", issuer}, {"allOf", {{{"claim", "ear_status"}, {"equals", "affirming"}}}}}}}};
  testing::write_file(files_.file("policy.json"), policy.dump(2));
  const auto no_value = [&](const CliRun& r) {
    for (const std::string& text : {r.out, r.err}) {
      EXPECT_EQ(text.find(value), std::string::npos) << text;
      EXPECT_EQ(text.find(value_b64), std::string::npos) << text;
    }
  };

  CliRun put = admin({"secret", "put", "db", "--value-file", files_.file("value"),
                      "--release-policy", files_.file("policy.json"), "--trusted-issuer", issuer,
                      "--trusted-issuer", "https://verifier.example"});
  ASSERT_EQ(put.code, 0) << put.err;
  no_value(put);
  EXPECT_NE(put.out.find("stored db  version 1"), std::string::npos) << put.out;
  EXPECT_NE(put.out.find("https://verifier.example"), std::string::npos) << put.out;

  // A second put is the next version; a KBS-style name has three segments.
  put = admin({"secret", "put", "db", "--value-file", files_.file("value"), "--release-policy",
               files_.file("policy.json"), "--trusted-issuer", issuer});
  ASSERT_EQ(put.code, 0) << put.err;
  EXPECT_NE(put.out.find("stored db  version 2"), std::string::npos) << put.out;
  put = admin({"secret", "put", "repo/type/tag", "--value-file", files_.file("value"),
               "--release-policy", files_.file("policy.json"), "--trusted-issuer", issuer});
  ASSERT_EQ(put.code, 0) << put.err;

  CliRun get = admin({"secret", "get", "db"});
  ASSERT_EQ(get.code, 0) << get.err;
  no_value(get);
  EXPECT_NE(get.out.find("db  version 2"), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("release policy: "), std::string::npos) << get.out;
  EXPECT_NE(get.out.find("ear_status"), std::string::npos) << get.out;

  CliRun json = admin({"--json", "secret", "get", "repo/type/tag"});
  ASSERT_EQ(json.code, 0) << json.err;
  no_value(json);
  EXPECT_EQ(json.json()["name"], "repo/type/tag") << json.out;
  EXPECT_EQ(json.json()["version"], 1) << json.out;
  EXPECT_EQ(json.json()["trustedIssuers"], nlohmann::json::array({issuer})) << json.out;
  EXPECT_FALSE(json.json().contains("value")) << json.out;

  CliRun list = admin({"secret", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  no_value(list);
  EXPECT_NE(list.out.find("NAME"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("db"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("repo/type/tag"), std::string::npos) << list.out;
  CliRun list_json = admin({"--json", "secret", "list"});
  ASSERT_EQ(list_json.code, 0) << list_json.err;
  no_value(list_json);
  EXPECT_EQ(list_json.json()["secrets"].size(), 2u) << list_json.out;

  CliRun del = admin({"secret", "delete", "repo/type/tag"});
  ASSERT_EQ(del.code, 0) << del.err;
  EXPECT_NE(del.out.find("deleted secret repo/type/tag"), std::string::npos) << del.out;
  list_json = admin({"--json", "secret", "list"});
  ASSERT_EQ(list_json.code, 0) << list_json.err;
  ASSERT_EQ(list_json.json()["secrets"].size(), 1u) << list_json.out;
  EXPECT_EQ(list_json.json()["secrets"][0]["name"], "db") << list_json.out;
}

TEST_F(AdminCli, SecretErrorsNameWhatFailed) {
  testing::write_file(files_.file("value"), "v");
  const std::string issuer = server_->url();
  const auto put = [&](const std::string& policy_file) {
    return admin({"secret", "put", "db", "--value-file", files_.file("value"), "--release-policy",
                  policy_file, "--trusted-issuer", issuer});
  };

  // Not JSON at all: refused before anything is sent.
  testing::write_file(files_.file("not-json"), "anyOf: [ ]\n");
  CliRun r = put(files_.file("not-json"));
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_NE(r.err.find("not-json: the release policy is not a JSON object"), std::string::npos)
      << r.err;
  // JSON, but not a release policy: the service's check id.
  testing::write_file(files_.file("bad-version.json"), R"({"version": "9", "anyOf": []})");
  r = put(files_.file("bad-version.json"));
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_NE(r.err.find("vouch admin: rp.secret.config: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(HTTP 400)"), std::string::npos) << r.err;
  // An unreadable policy or value file.
  r = put(files_.file("absent.json"));
  EXPECT_EQ(r.code, kExitUsage) << r.err;
  EXPECT_NE(r.err.find("file.read"), std::string::npos) << r.err;
  // Nothing was stored by any of them.
  CliRun list = admin({"--json", "secret", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_TRUE(list.json()["secrets"].empty()) << list.out;

  // A missing secret: the service's check id on stderr, for get and delete.
  for (const char* verb : {"get", "delete"}) {
    r = admin({"secret", verb, "missing"});
    EXPECT_EQ(r.code, kExitUsage) << verb << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("vouch admin: store.secret.not_found: "), std::string::npos)
        << verb << ": " << r.err;
    EXPECT_NE(r.err.find("(HTTP 404)"), std::string::npos) << verb << ": " << r.err;
  }
  // A name the service refuses (a valid policy, so the name is what fails).
  const nlohmann::json policy = {
      {"version", "1.0.0"},
      {"anyOf",
       {{{"authority", issuer}, {"allOf", {{{"claim", "ear_status"}, {"equals", "affirming"}}}}}}}};
  testing::write_file(files_.file("policy.json"), policy.dump());
  r = admin({"secret", "put", "bad name!", "--value-file", files_.file("value"), "--release-policy",
             files_.file("policy.json"), "--trusted-issuer", issuer});
  EXPECT_EQ(r.code, kExitUsage) << r.out << r.err;
  EXPECT_NE(r.err.find("vouch admin: rp.secret.name: "), std::string::npos) << r.err;
}

// The binary itself, with the URL and key from the environment.
TEST_F(AdminCli, BinaryTakesUrlAndKeyFromTheEnvironment) {
  const auto r = testing::run_vouch({"admin", "keys", "list", "--json"},
                                    {{"VOUCH_URL", server_->url() + "/"}, {"VOUCH_API_KEY", key_}});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.contains("keys")) << r.out;
  EXPECT_EQ(r.out.find(key_), std::string::npos);

  const auto help = testing::run_vouch({"admin", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("VOUCH_API_KEY"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace vouch::cli
