// service/http/client.h: URL parsing, plain HTTP against an in-process HttpServer, limits and
// timeouts, the collateral fetcher over it, and TLS verification against the real `vouch serve`
// with its self-signed "auto" certificate (subjectAltName 127.0.0.1, ::1 and localhost).

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/time.h"
#include "cli/cli.h"
#include "service/http/client.h"
#include "service/http/server.h"
#include "service/http_fetcher.h"
#include "tests/cli/serve_process.h"

namespace vouch::service::http {
namespace {

namespace cc = client_checks;

TEST(ParseUrl, AcceptsHttpAndHttpsWithPortsPathsAndIpv6) {
  auto a = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  EXPECT_FALSE(a->tls);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(a->target, "/");
  EXPECT_TRUE(a->host_is_ip());
  EXPECT_EQ(a->authority(), "127.0.0.1:8080");

  auto b = parse_url(
      "HTTPS://Api.Trustedservices.INTEL.com/sgx/certification/v4/tcb?fmspc=00906ED50000");
  ASSERT_TRUE(b.has_value()) << b.error().to_string();
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(b->host, "api.trustedservices.intel.com");
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->target, "/sgx/certification/v4/tcb?fmspc=00906ED50000");
  EXPECT_FALSE(b->host_is_ip());
  EXPECT_EQ(b->authority(), "api.trustedservices.intel.com");

  auto c = parse_url("http://[::1]:9000/x/y");
  ASSERT_TRUE(c.has_value()) << c.error().to_string();
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 9000);
  EXPECT_EQ(c->target, "/x/y");
  EXPECT_TRUE(c->host_is_ip());
  EXPECT_EQ(c->authority(), "[::1]:9000");
  EXPECT_EQ(c->to_string(), "http://[::1]:9000/x/y");

  auto d = parse_url("https://[2001:DB8::1]");
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_EQ(d->host, "2001:db8::1");
  EXPECT_EQ(d->authority(), "[2001:db8::1]");

  auto e = parse_url("http://vouch.example:80?x=1");
  ASSERT_TRUE(e.has_value()) << e.error().to_string();
  EXPECT_EQ(e->target, "/?x=1");
  EXPECT_EQ(e->authority(), "vouch.example");  // default port left out of Host

  auto f = parse_url("http://h:65535/");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->port, 65535);
}

TEST(ParseUrl, RefusesWhatItDoesNotTake) {
  for (const char* bad : {"",
                          "127.0.0.1:8080",
                          "ftp://h/",
                          "http://",
                          "http:///x",
                          "http://:80/",
                          "http://h:/",
                          "http://h:0/",
                          "http://h:65536/",
                          "http://h:8o/",
                          "http://h:123456/",
                          "http://[::1/",
                          "http://[::1]x/",
                          "http://[not-v6]:80/",
                          "http://[]/",
                          "http://::1:80/",
                          "http://user:pw@h/",
                          "http://h/#frag",
                          "http://h /",
                          "http://h/\n",
                          "http://h%41/",
                          "http://h:80:90/"}) {
    auto r = parse_url(bad);
    ASSERT_FALSE(r.has_value()) << "accepted '" << bad << "'";
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().check, cc::kUrl) << bad;
  }
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("a b&c=d/e?f#g%~-._"), "a%20b%26c%3Dd%2Fe%3Ff%23g%25~-._");
  EXPECT_EQ(percent_encode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(percent_encode(""), "");
}

// An HttpServer on 127.0.0.1 that echoes requests, with a few special paths.
class PlainHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    auto s =
        HttpServer::start(o, [](const HttpRequest& req, std::function<void(HttpResponse)> respond) {
          if (req.path == "/big") {
            respond(HttpResponse::text(200, std::string(2000, 'x')));
            return;
          }
          if (req.path == "/missing") {
            respond(HttpResponse::text(404, "no such thing"));
            return;
          }
          nlohmann::json echo = {{"method", req.method},
                                 {"path", req.path},
                                 {"query", req.query},
                                 {"host", req.header("host")},
                                 {"authorization", req.header("authorization")},
                                 {"content_type", req.header("content-type")},
                                 {"user_agent", req.header("user-agent")},
                                 {"body", req.body}};
          respond(HttpResponse::json(200, echo).set_header("x-Custom", "yes"));
        });
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    server_ = std::move(*s);
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override {
    server_->stop();
    server_->wait();
  }

  std::unique_ptr<HttpServer> server_;
  std::string base_;
};

TEST_F(PlainHttp, GetAndPostRoundTrip) {
  HttpClient client;
  auto r = client.get(base_ + "/a%20b?x=1&y=two%20words", {{"authorization", "Bearer k"}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-custom"), "yes");  // names come back lower-case
  EXPECT_EQ(r->header("content-type"), "application/json");
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/a b");
  EXPECT_EQ(j["query"]["y"], "two words");
  EXPECT_EQ(j["host"], "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(j["authorization"], "Bearer k");
  EXPECT_EQ(j["user_agent"], "vouch/0.1.0");

  ClientRequest post;
  post.method = "POST";
  post.url = base_ + "/p";
  post.headers = {{"content-type", "application/json"}};
  post.body = R"({"a":1})";
  auto p = client.send(post);
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  const auto pj = nlohmann::json::parse(p->body);
  EXPECT_EQ(pj["method"], "POST");
  EXPECT_EQ(pj["body"], R"({"a":1})");
  EXPECT_EQ(pj["content_type"], "application/json");

  ClientRequest del;
  del.method = "DELETE";
  del.url = base_ + "/d";
  auto d = client.send(del);
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_EQ(nlohmann::json::parse(d->body)["method"], "DELETE");
}

TEST_F(PlainHttp, StatusCodesAreAnswersNotErrors) {
  HttpClient client;
  auto r = client.get(base_ + "/missing");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, "no such thing");
}

TEST_F(PlainHttp, HeadersThatWouldSplitAreRefused) {
  HttpClient client;
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"authorization", "Bearer k\r\nx-injected: 1"},
           {"x\ny", "v"},
           {"", "v"},
           {"a", std::string("b\0c", 3)}}) {
    auto r = client.get(base_ + "/", {{name, value}});
    ASSERT_FALSE(r.has_value()) << name;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.error().check, cc::kHeader);
  }
}

TEST_F(PlainHttp, BodyLimit) {
  ClientOptions o;
  o.max_body_bytes = 1000;
  HttpClient small(o);
  auto r = small.get(base_ + "/big");
  ASSERT_FALSE(r.has_value()) << r->body.size();
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().check, cc::kBodyLimit);
  o.max_body_bytes = 2000;
  HttpClient enough(o);
  auto ok = enough.get(base_ + "/big");
  ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
  EXPECT_EQ(ok->body.size(), 2000u);
}

TEST_F(PlainHttp, FetcherPassesStatusesThroughAndMapsNetworkFailures) {
  HttpFetcher fetcher;
  auto found = fetcher.get(base_ + "/x");
  ASSERT_TRUE(found.has_value()) << found.error().to_string();
  EXPECT_EQ(found->status, 200);
  EXPECT_EQ(found->header("x-custom"), "yes");
  auto missing = fetcher.get(base_ + "/missing");
  ASSERT_TRUE(missing.has_value()) << missing.error().to_string();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(std::string(missing->body.begin(), missing->body.end()), "no such thing");

  auto down = fetcher.get("http://127.0.0.1:" + std::to_string(testing::free_port()) + "/crl");
  ASSERT_FALSE(down.has_value());
  EXPECT_EQ(down.error().kind, ErrorKind::kCollateralUnavailable);
  EXPECT_EQ(down.error().check, collateral::checks::kFetch);

  auto bad = fetcher.get("not a url");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().check, cc::kUrl);
}

TEST(HttpClientFailures, ConnectionRefused) {
  HttpClient client;
  auto r = client.get("http://127.0.0.1:" + std::to_string(testing::free_port()) + "/");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().check, cc::kConnect);
}

TEST(HttpClientFailures, ReadTimeoutWhenTheServerNeverAnswers) {
  // A listening socket that is never accepted: the connection completes, no answer comes.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);  // NOLINT
  ClientOptions o;
  o.read_timeout = std::chrono::milliseconds(300);
  HttpClient client(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.get("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  const auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().check, cc::kTimeout);
  EXPECT_LT(took, std::chrono::seconds(5));
}

// Accepts one connection on 127.0.0.1, reads the request header, answers with canned bytes and
// closes: for the response framings HttpServer never produces.
class CannedServer {
 public:
  explicit CannedServer(std::string response) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
    EXPECT_EQ(listen(fd_, 4), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);  // NOLINT
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, response = std::move(response)] {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) {
        return;
      }
      std::string request;
      char buf[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) {
          break;
        }
        request.append(buf, static_cast<std::size_t>(n));
      }
      (void)!write(c, response.data(), response.size());
      shutdown(c, SHUT_WR);
      while (read(c, buf, sizeof buf) > 0) {
      }
      close(c);
    });
  }
  ~CannedServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(HttpClientFraming, ChunkedBodiesAndInterimResponses) {
  CannedServer server(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  HttpClient client;
  auto r = client.get(server.url());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->header("x-a"), "1");
}

TEST(HttpClientFraming, ChunkedBodyOverTheLimit) {
  CannedServer server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" +
                      std::string(600, 'a') + "\r\n258\r\n" + std::string(600, 'b') +
                      "\r\n0\r\n\r\n");
  ClientOptions o;
  o.max_body_bytes = 1000;
  HttpClient client(o);
  auto r = client.get(server.url());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().check, cc::kBodyLimit);
}

TEST(HttpClientFraming, BodyToEndOfStreamOverTheLimit) {
  CannedServer server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(3000, 'z'));
  ClientOptions o;
  o.max_body_bytes = 1000;
  HttpClient client(o);
  auto r = client.get(server.url());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().check, cc::kBodyLimit);
}

TEST(HttpClientFraming, GarbageIsAProtocolError) {
  CannedServer server("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  HttpClient client;
  auto r = client.get(server.url());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().check, cc::kProtocol);
}

// `vouch serve` with TLS mode "auto" (not --dev: the KEK comes from VOUCH_KEK).
class TlsAuto : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ServeOptions o;
    o.dev = false;
    o.env["VOUCH_KEK"] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // 32 test bytes
    server_ = std::make_unique<testing::ServeProcess>(o);
    ASSERT_TRUE(server_->started()) << server_->error();
    ASSERT_EQ(server_->url().rfind("https://", 0), 0u);
    cert_ = server_->data_dir() + "/tls-cert.pem";
  }
  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_EQ(server_->stop(), 0) << server_->log();
    }
  }

  std::unique_ptr<testing::ServeProcess> server_;
  std::string cert_;
};

TEST_F(TlsAuto, SelfSignedCertificateIsRefusedByDefault) {
  HttpClient client;  // system trust store
  auto r = client.get(server_->url() + "/healthz");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(r.error().check, cc::kTls);
  EXPECT_NE(r.error().detail.find("certificate verification failed"), std::string::npos)
      << r.error().detail;
}

TEST_F(TlsAuto, CaFileWithTheServerCertificateVerifies) {
  ClientOptions o;
  o.ca_file = cert_;
  HttpClient client(o);
  auto r = client.get(server_->url() + "/healthz");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsAuto, CertificateNamesTheServersAddressesInSubjectAltNames) {
  // Clients match the host against subjectAltName: the auto certificate of a loopback server
  // names 127.0.0.1, ::1 and localhost, and nothing else.
  FILE* f = std::fopen(cert_.c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "::1", 0), 1);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert, "example.com", 0, 0, nullptr), 0);
  X509_free(cert);
  ClientOptions o;
  o.ca_file = cert_;
  HttpClient client(o);
  auto r = client.get("https://localhost:" + std::to_string(server_->port()) + "/healthz");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsAuto, InsecureSkipsVerification) {
  ClientOptions o;
  o.insecure = true;
  HttpClient client(o);
  auto r = client.get(server_->url() + "/healthz");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsAuto, UnreadableCaFile) {
  ClientOptions o;
  o.ca_file = server_->data_dir() + "/no-such.pem";
  HttpClient client(o);
  auto r = client.get(server_->url() + "/healthz");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(r.error().check, cc::kCaFile);
}

TEST_F(TlsAuto, AdminCliVerifiesWithCaFile) {
  const SystemClock clock;
  std::ostringstream out;
  std::ostringstream err;
  const cli::Context ctx{clock, out, err};
  EXPECT_EQ(cli::run(ctx, {"admin", "--url", server_->url(), "--api-key", server_->admin_key(),
                           "--ca-file", cert_, "keys", "list"}),
            cli::kExitOk)
      << err.str();
  EXPECT_NE(out.str().find("KID"), std::string::npos) << out.str();

  std::ostringstream err2;
  const cli::Context ctx2{clock, out, err2};
  EXPECT_EQ(cli::run(ctx2, {"admin", "--url", server_->url(), "--api-key", server_->admin_key(),
                            "keys", "list"}),
            cli::kExitUsage);
  EXPECT_NE(err2.str().find("service.client.tls"), std::string::npos) << err2.str();

  std::ostringstream err3;
  const cli::Context ctx3{clock, out, err3};
  EXPECT_EQ(cli::run(ctx3, {"admin", "--url", server_->url(), "--api-key", server_->admin_key(),
                            "--insecure", "keys", "list"}),
            cli::kExitOk)
      << err3.str();
}

}  // namespace
}  // namespace vouch::service::http
