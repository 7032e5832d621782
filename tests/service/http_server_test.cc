// The HTTP layer against a real socket on 127.0.0.1: routing, limits, keep-alive, TLS and
// graceful shutdown.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/encoding.h"
#include "crypto/keys.h"
#include "service/http/router.h"
#include "service/http/server.h"
#include "testing/http_client.h"
#include "testing/temp_dir.h"
#include "testing/test_pki.h"

namespace vouch::service::http {
namespace {

using testing::HttpClient;

Router make_router(std::atomic<int>* slow_started = nullptr) {
  Router r;
  r.add("GET", "/healthz",
        [](const HttpRequest&, const PathParams&) { return HttpResponse::text(200, "ok\n"); });
  r.add("POST", "/echo/{name}", [](const HttpRequest& req, const PathParams& p) {
    return HttpResponse::json(200, {{"name", p.at("name")},
                                    {"body", req.body},
                                    {"q", req.query_param("api-version")},
                                    {"client", req.client_address}});
  });
  r.add("POST", "/policies/{type}:reset", [](const HttpRequest&, const PathParams& p) {
    return HttpResponse::json(200, {{"reset", p.at("type")}});
  });
  r.add_async("GET", "/later", [](const HttpRequest&, const PathParams&, Respond respond) {
    std::thread([respond = std::move(respond)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      respond(HttpResponse::text(200, "answered from another thread"));
    }).detach();
  });
  r.add("GET", "/slow", [slow_started](const HttpRequest&, const PathParams&) {
    if (slow_started != nullptr) {
      ++*slow_started;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return HttpResponse::text(200, "done");
  });
  return r;
}

std::unique_ptr<HttpServer> start(const Router& router, ServerOptions opts = {}) {
  opts.port = 0;
  opts.threads = 2;
  auto s = HttpServer::start(opts, [&router](const HttpRequest& req, Respond respond) {
    router.dispatch(req, std::move(respond));
  });
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().detail);
  return s ? std::move(*s) : nullptr;
}

TEST(HttpServer, RoutesWithParamsQueryAndCaseInsensitivePaths) {
  const Router router = make_router();
  auto server = start(router);
  ASSERT_NE(server, nullptr);
  HttpClient c("127.0.0.1", server->port());
  auto r = c.request("POST", "/ECHO/abc?api-version=2022-08-01", "hello");
  ASSERT_EQ(r.status, 200);
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["name"], "abc");
  EXPECT_EQ(j["body"], "hello");
  EXPECT_EQ(j["q"], "2022-08-01");
  EXPECT_EQ(j["client"], "127.0.0.1");
  EXPECT_FALSE(r.headers["x-request-id"].empty());
  r = c.request("POST", "/policies/SgxEnclave:reset");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["reset"], "SgxEnclave");
  EXPECT_EQ(c.request("GET", "/nope").status, 404);
  EXPECT_EQ(c.request("DELETE", "/healthz").status, 405);
  // All of the above on one keep-alive connection.
  EXPECT_TRUE(c.connected());
  // A caller-chosen request id is echoed.
  r = c.request("GET", "/healthz", "", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(r.headers["x-request-id"], "abc-123");
}

TEST(HttpServer, AsyncHandlersAnswerFromAnyThread) {
  const Router router = make_router();
  auto server = start(router);
  ASSERT_NE(server, nullptr);
  HttpClient c("127.0.0.1", server->port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("GET", "/later");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "answered from another thread");
  }
}

TEST(HttpServer, EnforcesBodyAndHeaderLimits) {
  const Router router = make_router();
  ServerOptions opts;
  opts.max_body_bytes = 1000;
  opts.max_header_bytes = 2048;
  auto server = start(router, opts);
  ASSERT_NE(server, nullptr);
  HttpClient c("127.0.0.1", server->port());
  EXPECT_EQ(c.request("POST", "/echo/x", std::string(1000, 'a')).status, 200);
  HttpClient c2("127.0.0.1", server->port());
  auto r = c2.request("POST", "/echo/x", std::string(1001, 'a'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  HttpClient c3("127.0.0.1", server->port());
  EXPECT_EQ(c3.request("GET", "/healthz", "", {{"x-big", std::string(4096, 'b')}}).status, 431);
  HttpClient c4("127.0.0.1", server->port());
  EXPECT_EQ(c4.raw("GARBAGE\r\n\r\n").status, 0) << "malformed request: connection closed";
  // The server still serves after all that.
  EXPECT_EQ(testing::http("GET", "127.0.0.1", server->port(), "/healthz").status, 200);
}

// The read buffer is sized from Content-Length (capped at 64 KiB) and shrunk when a connection
// goes idle: bodies below, at and above the cap, in any order on one connection, arrive whole.
TEST(HttpServer, BodiesOfEverySizeArriveWholeOnOneConnection) {
  const Router router = make_router();
  auto server = start(router);
  ASSERT_NE(server, nullptr);
  HttpClient c("127.0.0.1", server->port());
  for (const std::size_t size : {std::size_t{10}, std::size_t{13'745}, std::size_t{65'536},
                                 std::size_t{200'003}, std::size_t{700}, std::size_t{16'385}}) {
    std::string body(size, 'x');
    for (std::size_t i = 0; i < size; i += 97) {
      body[i] = static_cast<char>('a' + (i / 97) % 26);  // a pattern, so misplaced bytes show
    }
    const auto r = c.request("POST", "/echo/n", body);
    ASSERT_EQ(r.status, 200) << size;
    EXPECT_EQ(nlohmann::json::parse(r.body)["body"], body) << size;
  }
  EXPECT_TRUE(c.connected());
}

TEST(HttpServer, ExpectContinueIsHonoured) {
  const Router router = make_router();
  auto server = start(router);
  ASSERT_NE(server, nullptr);
  auto r = testing::http("POST", "127.0.0.1", server->port(), "/echo/x", "payload",
                         {{"expect", "100-continue"}});
  EXPECT_EQ(r.status, 200);
}

TEST(HttpServer, GracefulShutdownFinishesInFlightRequests) {
  std::atomic<int> started{0};
  const Router router = make_router(&started);
  auto server = start(router);
  ASSERT_NE(server, nullptr);
  const std::uint16_t port = server->port();
  auto slow = std::async(std::launch::async,
                         [port] { return testing::http("GET", "127.0.0.1", port, "/slow"); });
  HttpClient idle("127.0.0.1", port);
  ASSERT_EQ(idle.request("GET", "/healthz").status, 200);  // an idle keep-alive connection
  while (started == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server->stop();
  server->wait();  // returns once the slow request is answered and idle connections closed
  EXPECT_EQ(slow.get().status, 200);
  EXPECT_EQ(testing::http("GET", "127.0.0.1", port, "/healthz").status, 0) << "no longer accepting";
}

TEST(HttpServer, ServesTls) {
  testing::TempDir dir;
  auto key = crypto::PrivateKey::generate_ec(crypto::Curve::kP256).value();
  testing::CertSpec spec;
  spec.common_name = "localhost";
  const auto cert = testing::issue_certificate(spec, key.public_key(), key, nullptr);
  const std::string b64 = base64_encode(cert.der());
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    pem += b64.substr(i, 64) + "\n";
  }
  pem += "-----END CERTIFICATE-----\n";
  testing::write_file(dir.file("cert.pem"), pem);
  testing::write_file(dir.file("key.pem"), key.pem());
  const Router router = make_router();
  ServerOptions opts;
  opts.tls = TlsFiles{dir.file("cert.pem"), dir.file("key.pem")};
  auto server = start(router, opts);
  ASSERT_NE(server, nullptr);
  HttpClient c("127.0.0.1", server->port(), /*tls=*/true);
  EXPECT_EQ(c.request("GET", "/healthz").status, 200);
  EXPECT_EQ(c.request("GET", "/healthz").status, 200);
  // Plain HTTP against the TLS port gets nothing back.
  EXPECT_EQ(testing::http("GET", "127.0.0.1", server->port(), "/healthz").status, 0);
}

TEST(HttpServer, RefusesBadAddressesAndTlsFiles) {
  const Router router = make_router();
  ServerOptions opts;
  opts.host = "not-an-ip";
  auto handler = [&](const HttpRequest& r, Respond respond) {
    router.dispatch(r, std::move(respond));
  };
  EXPECT_FALSE(HttpServer::start(opts, handler).has_value());
  ServerOptions tls;
  tls.port = 0;
  tls.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  EXPECT_FALSE(HttpServer::start(tls, handler).has_value());
}

}  // namespace
}  // namespace vouch::service::http
