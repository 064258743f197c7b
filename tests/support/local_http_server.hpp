// A real HTTP server on 127.0.0.1 for provider tests (Debian's cpp-httplib), on a free port,
// serving in a background thread for the test's lifetime. Tests register handlers that answer
// with the providers' documented JSON, errors, delays and oversized bodies.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace carbontracker::testing {

class LocalHttpServer {
 public:
  LocalHttpServer() = default;
  ~LocalHttpServer() { stop(); }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  // Register handlers before start(): server().Get("/v3/...", [](const httplib::Request&, httplib::Response&){...}).
  httplib::Server& server() { return server_; }

  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind a port on 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // httplib's stop() is a no-op until listen_after_bind sets is_running(): wait for it,
    // or a server destroyed right after start() hangs in its destructor.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }
  [[nodiscard]] int port() const noexcept { return port_; }
  // "http://127.0.0.1:PORT"
  [[nodiscard]] std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace carbontracker::testing
