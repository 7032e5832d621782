#include "service/config.h"

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace vouch::service {
namespace {

using ::vouch::testing::Succeeds;

TEST(Config, TomlThenEnvironment) {
  Config c;
  ASSERT_THAT(apply_toml(R"(
[server]
listen = "0.0.0.0:9443"
max_body_bytes = 1048576
[server.tls]
mode = "files"
certificate = "/etc/vouch/cert.pem"
private_key = "/etc/vouch/key.pem"
[service]
data_dir = "/var/lib/vouch"
roles = ["verifier"]
[tokens]
lifetime_seconds = 3600
)",
                         c),
              Succeeds());
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 9443);
  EXPECT_EQ(c.tls_mode, TlsMode::kFiles);
  EXPECT_EQ(c.token_lifetime.count(), 3600);
  EXPECT_EQ(c.effective_storage_url(), "sqlite:/var/lib/vouch/vouch.db");
  EXPECT_EQ(c.roles, std::vector<std::string>{"verifier"});
  ASSERT_THAT(apply_env({{"VOUCH_SERVER_LISTEN", "127.0.0.1:7000"},
                         {"VOUCH_SERVER_TLS_MODE", "off"},
                         {"VOUCH_STORAGE_URL", "sqlite:/tmp/x.db"},
                         {"VOUCH_KEK", "abc"},
                         {"VOUCH_VECTORS_DIR", "/ignored"},
                         {"PATH", "/usr/bin"}},
                        c),
              Succeeds());
  EXPECT_EQ(c.listen_port, 7000);
  EXPECT_EQ(c.tls_mode, TlsMode::kOff);
  EXPECT_EQ(c.effective_storage_url(), "sqlite:/tmp/x.db");
  EXPECT_EQ(c.kek_base64, "abc");
  EXPECT_EQ(c.effective_public_url(), "http://127.0.0.1:7000");
  EXPECT_THAT(validate(c), Succeeds());
}

TEST(Config, RejectsTyposAndBadValues) {
  Config c;
  EXPECT_FALSE(apply_toml("[server]\nlisten_port = 1\n", c).has_value());
  EXPECT_FALSE(apply_toml("[server]\nthreads = \"many\"\n", c).has_value());
  EXPECT_FALSE(apply_toml("[server\n", c).has_value());
  EXPECT_FALSE(apply_toml("[server.tls]\nmode = \"sometimes\"\n", c).has_value());
  EXPECT_FALSE(apply_env({{"VOUCH_SERVER_NOPE", "1"}}, c).has_value());
  EXPECT_FALSE(set_listen("8080", c).has_value());
  EXPECT_FALSE(set_listen("host:99999", c).has_value());
  ASSERT_THAT(set_listen("[::1]:8443", c), Succeeds());
  EXPECT_EQ(c.listen_host, "::1");
}

TEST(Config, PlainHttpOffLoopbackNeedsOptIn) {
  Config c;
  c.tls_mode = TlsMode::kOff;
  ASSERT_THAT(set_listen("0.0.0.0:8080", c), Succeeds());
  EXPECT_FALSE(validate(c).has_value());
  c.allow_plain_http = true;
  EXPECT_THAT(validate(c), Succeeds());
  Config d;
  d.dev = true;
  EXPECT_TRUE(d.plain_http()) << "--dev on loopback speaks plain HTTP";
  Config files;
  files.tls_mode = TlsMode::kFiles;
  EXPECT_FALSE(validate(files).has_value());
}

}  // namespace
}  // namespace vouch::service
