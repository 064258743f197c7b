// The /metrics endpoint: a cpp-httplib server on ADDR:PORT that renders the MetricsStore's
// current snapshot for each GET /metrics (Content-Type kMetricsContentType).
//
// The server runs in the plugin libcarbontracker_httpd.so (the only code linking cpp-httplib,
// which brings OpenSSL, brotli and zlib: ~4 MB resident in every process that maps them), which
// the first start() loads with dlopen and keeps loaded; the boundary is metrics_server_plugin.hpp.
// Where it is looked for: $CARBONTRACKER_HTTPD_LIBRARY alone when set; else next to the program
// or shared object holding this code, in carbontracker/ beside it, in
// <that dir>/../<libdir>/carbontracker, and in the configured install directory.
//
// Contract
//  - No plugin (none found, or one that does not load or is of another version) is a Status
//    from start() naming it, where it was looked for and the fix (reinstall, or
//    CARBONTRACKER_HTTPD_LIBRARY); the caller turns it into a configuration error.
//  - start() is thread-safe and binds before it returns: a port in use or an address that cannot be bound is a
//    Status naming the address (the caller turns it into a configuration error); port 0 picks a
//    free port, and url() says which.
//  - A scrape runs the store's refresher (at most one per 0.5 s: the tracker reads its sensors,
//    microseconds) and then loads the store's pointer and renders from it: it never waits on the
//    training thread for longer than one sensor read.
//  - Bounded: a fixed pool of worker threads, a bounded queue of accepted connections (past it
//    the accepting thread serves the connection itself, which holds back further accepts: the
//    kernel's backlog absorbs the rest), read and write timeouts and one request per
//    connection, so slow, never-reading or never-sending scrapers cannot pile up threads or
//    memory.
//  - stop(timeout): stops accepting and waits up to `timeout` for the threads; past it they are
//    left to end on their own (bounded by the I/O timeouts; they own what they use).
//    Idempotent; the destructor calls it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "exporter/metrics_store.hpp"

namespace carbontracker::exporter {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
};

// "ADDR:PORT", ":PORT", "PORT" or "[IPv6]:PORT"; the address defaults to 127.0.0.1. `key` names
// the setting in the error ("prometheus").
Result<ListenAddress> parse_listen_address(std::string_view text, std::string_view key = "prometheus");

struct ServerOptions {
  int threads = 2;
  std::size_t max_queued = 64;
  std::chrono::milliseconds io_timeout{2000};
};

class MetricsServer {
 public:
  static Result<std::unique_ptr<MetricsServer>> start(std::shared_ptr<const MetricsStore> store, ListenAddress where,
                                                       ServerOptions options = {});
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  [[nodiscard]] int port() const noexcept { return port_; }
  // "http://127.0.0.1:PORT/metrics" ("http://[::1]:PORT/metrics" for IPv6).
  [[nodiscard]] std::string url() const;
  void stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) noexcept;

  struct Running;  // the server and its thread (in the plugin, metrics_server_httpd.cpp)

 private:
  struct Handle;  // the plugin and its Running (metrics_server.cpp)
  MetricsServer() = default;
  std::unique_ptr<Handle> handle_;
  std::string host_;
  int port_ = 0;
};

}  // namespace carbontracker::exporter
