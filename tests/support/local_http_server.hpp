// The one local-server fixture of the provider, intensity-service, CLI and fault tests: a real
// HTTP server (Debian's cpp-httplib) on 127.0.0.1 and a free port, serving in a background
// thread for the test's lifetime. No test reaches the internet.
//
// What it gives every test, so none builds it by hand:
// - a route table: get(pattern, handler) or answer(pattern, status, body) for GET requests whose
//   path matches the regex `pattern`; server() for anything else httplib offers (chunked bodies).
// - a request log: every request that arrives (method, path, query parameters, headers), kept
//   before any handler or hang runs, so a test can count calls or check which key was sent.
// - hang mode: hang(d) makes every request wait up to d before its handler runs; hold(d) does the
//   same inside one handler. Both wait in 10 ms steps and end at once on release(), which the
//   destructor calls: a test's end never waits out a hang.
// - stop() (and the destructor) stops the server and joins its thread.
//
// Lifetime rule: the server's threads run the handlers, so whatever a handler touches must be
// declared BEFORE the LocalHttpServer (members are destroyed in reverse order): the server is then
// stopped and its threads joined before that state dies. The fixture's own state (log, hang flag)
// follows the rule inside the class.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace carbontracker::testing {

// One request as it arrived.
struct LoggedRequest {
  std::string method;
  std::string path;
  httplib::Params params;    // query parameters
  httplib::Headers headers;  // names as sent; header(name) looks them up case-insensitively
  [[nodiscard]] std::string param(const std::string& name) const;
  [[nodiscard]] std::string header(const std::string& name) const;
};

class LocalHttpServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  LocalHttpServer();
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  // Routes: register before start(). `pattern` is a regex over the whole path.
  LocalHttpServer& get(const std::string& pattern, Handler handler);
  LocalHttpServer& answer(const std::string& pattern, int status, std::string body,
                          std::string content_type = "application/json");
  // The httplib server itself, for routes the two above do not cover.
  httplib::Server& server() { return server_; }

  // Binds 127.0.0.1:0 and serves in a thread; returns once the accept loop runs (httplib's stop()
  // is a no-op before that, so a server destroyed at once would hang). Throws if it cannot bind
  // or does not start within 5 s.
  void start();
  // Releases hangs, stops the server and joins its thread; idempotent.
  void stop();
  [[nodiscard]] int port() const noexcept { return port_; }
  // "http://127.0.0.1:PORT"
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Hang mode: every later request waits up to `d` (0: none) before its handler runs.
  void hang(std::chrono::milliseconds d) { hang_ms_ = d.count(); }
  // Inside a handler: waits up to `d`, returning early on release().
  void hold(std::chrono::milliseconds d) const;
  // Ends every hang and hold now and for good (the destructor does it first).
  void release();
  [[nodiscard]] bool released() const noexcept { return released_.load(); }

  // The request log.
  [[nodiscard]] std::vector<LoggedRequest> requests() const;
  // Requests whose path matches the regex `path_pattern` (all when empty).
  [[nodiscard]] std::size_t request_count(const std::string& path_pattern = {}) const;
  // Waits (bounded, so a broken build fails instead of hanging) until a logged request satisfies
  // `pred`; returns whether one did.
  bool wait_for_request(const std::function<bool(const LoggedRequest&)>& pred,
                        std::chrono::milliseconds timeout = std::chrono::seconds{20});

 private:
  // Declared before server_: the handlers' state outlives the server's threads.
  mutable std::mutex log_mutex_;
  std::condition_variable log_cv_;
  std::vector<LoggedRequest> log_;
  std::atomic<long long> hang_ms_{0};
  std::atomic<bool> released_{false};
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace carbontracker::testing
