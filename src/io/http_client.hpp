// HTTP GET for the intensity providers (and PUT for the Pushgateway), behind an interface so a
// provider can be tested over real HTTP against a local server
// (tests/support/local_http_server.hpp) and used in production with libcurl.
//
// Contract
//  - get() never throws and never blocks longer than request.total_timeout_s (retries
//    included). 429 and 5xx answers are retried with exponential backoff (honouring
//    Retry-After) while time remains; other answers are returned at once.
//  - TLS certificates are verified (production bases are https).
//  - Secrets (header values, basic-auth credentials) never appear in a Status message or a log;
//    messages name the host and path only, never the query string.
//  - A body larger than max_body_bytes is cut off and reported as an error.
//  - send() is get() for any method: "GET", or "PUT" with a body (the Pushgateway). A PUT
//    follows no redirect; it is retried as a GET is (PUT is idempotent).
//  - Thread-safe: one client may serve several threads (each call is independent).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace carbontracker::io {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;         // e.g. {"auth-token", token}
  std::optional<std::pair<std::string, std::string>> basic_auth;    // user, password
  double connect_timeout_s = 2.0;
  double total_timeout_s = 5.0;
  std::size_t max_body_bytes = std::size_t{8} << 20;
  int max_attempts = 3;
  std::string method = "GET";  // "GET" or "PUT" (send() only)
  std::string body;            // PUT: the request body
  std::string content_type;    // PUT: the body's Content-Type
};

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::string body;
  int attempts = 1;
};

// Errors: StatusCode::permission_denied for 401/403 ("the service rejected the credentials"),
// not_found for 404, transient for timeouts, 429 and 5xx after the retries, unavailable for
// DNS/connection failures, invalid_argument for other 4xx and oversized bodies.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> get(const HttpRequest& request) noexcept = 0;
  // Any method (request.method). The default handles GET only (test doubles need not know PUT).
  virtual Result<HttpResponse> send(const HttpRequest& request) noexcept {
    if (request.method == "GET") return get(request);
    return Status(StatusCode::invalid_argument, "this HTTP client sends GET requests only");
  }
  // Shutdown: the request in flight (if any) and every later one fail at once. Thread-safe.
  virtual void cancel() noexcept {}
};

// libcurl-based client. Initialises libcurl once per process (thread-safe).
std::unique_ptr<HttpClient> make_curl_http_client();

// "https://host/path" part of a URL, for messages (no query string, no credentials).
std::string redact_url(const std::string& url);

}  // namespace carbontracker::io
