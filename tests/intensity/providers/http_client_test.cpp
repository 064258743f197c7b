#include "io/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "local_http_server.hpp"
#include "provider_test_util.hpp"

namespace carbontracker::io {
namespace {

using carbontracker::testing::expect_secret_absent;
using carbontracker::testing::LocalHttpServer;
using carbontracker::testing::seconds_since;
using Steady = std::chrono::steady_clock;

HttpRequest request(const std::string& url) {
  HttpRequest r;
  r.url = url;
  return r;
}

TEST(HttpClient, ReturnsBodyStatusAndContentTypeAndSendsUserAgent) {
  LocalHttpServer server;
  server.answer("/ok", 200, R"({"a":1})", "application/json; charset=utf-8");
  server.start();
  auto client = make_curl_http_client();
  auto r = client->get(request(server.base_url() + "/ok"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"a":1})");
  EXPECT_EQ(r->content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r->attempts, 1);
  ASSERT_EQ(server.request_count("/ok"), 1u);
  const std::string user_agent = server.requests()[0].header("User-Agent");
  EXPECT_EQ(user_agent.rfind("carbontracker/", 0), 0u) << user_agent;
}

TEST(HttpClient, RejectedCredentialsArePermissionDeniedAndNoSecretLeaks) {
  LocalHttpServer server;
  server.get("/private", [](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_content("token SECRET-TOKEN-4711 rejected", "text/plain");
  });
  server.start();
  auto req = request(server.base_url() + "/private?key=QUERY-SECRET-99");
  req.headers.emplace_back("auth-token", "SECRET-TOKEN-4711");
  req.basic_auth.emplace("alice-user-x", "hunter2-PASSWORD");
  auto r = make_curl_http_client()->get(req);
  ASSERT_FALSE(r);
  ASSERT_EQ(server.request_count("/private"), 1u);
  EXPECT_EQ(server.requests()[0].header("auth-token"), "SECRET-TOKEN-4711");  // it was really sent
  EXPECT_EQ(r.status().code(), StatusCode::permission_denied);
  EXPECT_NE(r.status().message().find("401"), std::string::npos);
  EXPECT_NE(r.status().message().find("/private"), std::string::npos);
  for (const char* secret : {"SECRET-TOKEN-4711", "QUERY-SECRET-99", "hunter2-PASSWORD", "alice-user-x"}) {
    expect_secret_absent(r.status(), secret);
  }
}

TEST(HttpClient, NotFoundAndOtherClientErrorsAreClassified) {
  LocalHttpServer server;
  server.get("/bad", [](const httplib::Request&, httplib::Response& res) { res.status = 400; });
  server.start();
  auto client = make_curl_http_client();
  auto missing = client->get(request(server.base_url() + "/absent"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), StatusCode::not_found);
  auto bad = client->get(request(server.base_url() + "/bad"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::invalid_argument);
}

TEST(HttpClient, TooManyRequestsIsRetriedAfterRetryAfter) {
  std::atomic<int> calls{0};
  LocalHttpServer server;
  server.get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (calls.fetch_add(1) == 0) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    res.set_content("{}", "application/json");
  });
  server.start();
  const auto t0 = Steady::now();
  auto r = make_curl_http_client()->get(request(server.base_url() + "/limited"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(calls.load(), 2);
  EXPECT_GE(seconds_since(t0), 0.95);  // Retry-After: 1, not the 0.25 s backoff
}

TEST(HttpClient, ServerErrorsAreRetriedThenTransient) {
  LocalHttpServer server;
  server.answer("/broken", 500, "");
  server.start();
  auto req = request(server.base_url() + "/broken");
  req.max_attempts = 3;
  const auto t0 = Steady::now();
  auto r = make_curl_http_client()->get(req);
  const double elapsed = seconds_since(t0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::transient);
  EXPECT_EQ(server.request_count("/broken"), static_cast<std::size_t>(req.max_attempts));
  EXPECT_NE(r.status().message().find("after 3 attempts"), std::string::npos) << r.status().message();
  EXPECT_GE(elapsed, 0.7);  // backoff 0.25 s + 0.5 s
  EXPECT_LT(elapsed, req.total_timeout_s);
}

TEST(HttpClient, RetryAfterBeyondTheTimeLimitGivesUpAtOnce) {
  LocalHttpServer server;
  server.get("/later", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "30");
  });
  server.start();
  auto req = request(server.base_url() + "/later");
  req.total_timeout_s = 2;
  const auto t0 = Steady::now();
  auto r = make_curl_http_client()->get(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::transient);
  EXPECT_EQ(server.request_count("/later"), 1u);
  EXPECT_LT(seconds_since(t0), 1.0);
}

TEST(HttpClient, SlowServerTimesOutWithinTheTotalLimit) {
  LocalHttpServer server;
  server.answer("/slow", 200, "{}");
  server.hang(std::chrono::seconds{5});
  server.start();
  auto req = request(server.base_url() + "/slow");
  req.total_timeout_s = 0.5;
  const auto t0 = Steady::now();
  auto r = make_curl_http_client()->get(req);
  const double elapsed = seconds_since(t0);
  server.release();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::transient);
  EXPECT_GE(elapsed, 0.45);
  EXPECT_LT(elapsed, 0.5 + 0.5);
}

// A body far over the limit: the transfer stops near the limit (the server sees the client
// go away long before 50 MB), whether or not the size is announced.
void expect_oversized_body_refused(bool chunked) {
  static constexpr std::size_t kTotal = std::size_t{50} << 20;
  static constexpr std::size_t kChunk = std::size_t{64} << 10;
  std::atomic<std::size_t> sent{0};
  LocalHttpServer server;
  server.get("/big", [&](const httplib::Request&, httplib::Response& res) {
    auto provide = [&sent](std::size_t offset, httplib::DataSink& sink) {
      if (offset >= kTotal) {
        sink.done();
        return true;
      }
      const std::string block(std::min(kChunk, kTotal - offset), 'x');
      if (!sink.write(block.data(), block.size())) return false;
      sent += block.size();
      return true;
    };
    if (chunked) {
      res.set_chunked_content_provider("application/json", [provide](std::size_t offset, httplib::DataSink& sink) {
        return provide(offset, sink);
      });
    } else {
      res.set_content_provider(kTotal, "application/json",
                               [provide](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                 return provide(offset, sink);
                               });
    }
  });
  server.start();
  auto req = request(server.base_url() + "/big");
  req.max_body_bytes = std::size_t{8} << 20;
  auto r = make_curl_http_client()->get(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
  EXPECT_NE(r.status().message().find("larger than the limit"), std::string::npos) << r.status().message();
  server.stop();
  // The server sees the client leave before the end (loopback socket buffers hold a few MB).
  EXPECT_LT(sent.load(), kTotal);
}

TEST(HttpClient, OversizedChunkedBodyIsCutOff) { expect_oversized_body_refused(true); }
TEST(HttpClient, OversizedAnnouncedBodyIsRefused) { expect_oversized_body_refused(false); }

TEST(HttpClient, UnknownHostIsUnavailableAndFast) {
  auto req = request("http://nonexistent.invalid/v3/x?token=abc123secret");
  req.connect_timeout_s = 1;
  req.total_timeout_s = 2;
  const auto t0 = Steady::now();
  auto r = make_curl_http_client()->get(req);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
  EXPECT_LT(seconds_since(t0), 2.5);
  expect_secret_absent(r.status(), "abc123secret");
}

TEST(HttpClient, ClosedPortIsUnavailable) {
  int port = 0;
  {
    LocalHttpServer s;
    s.start();
    port = s.port();
  }
  auto r = make_curl_http_client()->get(request("http://127.0.0.1:" + std::to_string(port) + "/x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::unavailable) << r.status().to_string();
}

TEST(HttpClient, FollowsSameOriginRedirectsWithHeaders) {
  LocalHttpServer server;
  server.get("/old", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/new", 302); });
  server.answer("/new", 200, "{}");
  server.start();
  auto req = request(server.base_url() + "/old");
  req.headers.emplace_back("auth-token", "tok-same-origin");
  auto r = make_curl_http_client()->get(req);
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(server.request_count("/new"), 1u);
  EXPECT_EQ(server.requests().back().header("auth-token"), "tok-same-origin");
}

TEST(HttpClient, RedirectToAnotherOriginDropsSecrets) {
  LocalHttpServer server;
  server.get("/old", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://localhost:" + std::to_string(server.port()) + "/new", 302);
  });
  server.answer("/new", 200, "{}");
  server.start();
  auto req = request(server.base_url() + "/old");
  req.headers.emplace_back("auth-token", "tok-other-origin");
  req.basic_auth.emplace("user", "pass-word");
  auto r = make_curl_http_client()->get(req);
  ASSERT_TRUE(r) << r.status().to_string();
  ASSERT_EQ(server.request_count("/new"), 1u);
  const auto at_target = server.requests().back();
  EXPECT_EQ(at_target.header("auth-token"), "");
  EXPECT_EQ(at_target.headers.count("Authorization"), 0u);
}

TEST(HttpClient, RedirectLoopStopsAfterThreeHops) {
  LocalHttpServer server;
  server.get("/loop", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("/loop", 302);
  });
  server.start();
  auto r = make_curl_http_client()->get(request(server.base_url() + "/loop"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::unavailable);
  EXPECT_EQ(server.request_count("/loop"), 4u);  // the request and three redirects
}

TEST(HttpClient, RefusesNonHttpSchemesAndHeaderInjection) {
  auto client = make_curl_http_client();
  auto file = client->get(request("file:///etc/passwd"));
  ASSERT_FALSE(file);
  EXPECT_EQ(file.status().code(), StatusCode::invalid_argument);
  auto req = request("http://127.0.0.1:1/x");
  req.headers.emplace_back("auth-token", "abc\r\nX-Evil: 1");
  auto inj = client->get(req);
  ASSERT_FALSE(inj);
  EXPECT_EQ(inj.status().code(), StatusCode::invalid_argument);
  expect_secret_absent(inj.status(), "X-Evil");
}

TEST(HttpClient, OneClientServesSeveralThreads) {
  LocalHttpServer server;
  server.get(R"(/n/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.matches[1].str(), "text/plain");
  });
  server.start();
  auto client = make_curl_http_client();
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string n = std::to_string(t * 10 + i);
        auto r = client->get(request(server.base_url() + "/n/" + n));
        if (r && r->body == n) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 20);
  EXPECT_EQ(server.request_count(R"(/n/\d+)"), 20u);
}

// Certificate checks are on: a self-signed server certificate ends the call before any
// request is sent.
TEST(HttpClient, UnverifiableCertificateIsRefused) {
  carbontracker::testing::TempDir dir;
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  const auto gen = carbontracker::testing::run_process(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
       "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"});
  if (gen.exit_code != 0) GTEST_SKIP() << "openssl could not make a test certificate: " << gen.err;
  httplib::SSLServer tls(cert.c_str(), key.c_str());
  ASSERT_TRUE(tls.is_valid());
  std::atomic<bool> reached{false};
  tls.Get("/x", [&](const httplib::Request&, httplib::Response& res) {
    reached = true;
    res.set_content("{}", "application/json");
  });
  const int port = tls.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { tls.listen_after_bind(); });
  while (!tls.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds{1});
  auto r = make_curl_http_client()->get(request("https://127.0.0.1:" + std::to_string(port) + "/x"));
  tls.stop();
  serving.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::unavailable);
  EXPECT_NE(r.status().message().find("TLS"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().fix().find("ca-certificates"), std::string::npos);
  EXPECT_FALSE(reached.load());
}

TEST(RedactUrl, KeepsSchemeHostPortAndPathOnly) {
  EXPECT_EQ(redact_url("https://user:pw@api.example.com:8443/v3/x?token=abc#frag"),
            "https://api.example.com:8443/v3/x");
  EXPECT_EQ(redact_url("http://127.0.0.1:8080/a/b"), "http://127.0.0.1:8080/a/b");
  EXPECT_EQ(redact_url("https://host?q=1"), "https://host");
  EXPECT_EQ(redact_url("https://host/p@th?x=@"), "https://host/p@th");
}

}  // namespace
}  // namespace carbontracker::io
