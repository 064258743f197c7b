// The boundary between MetricsServer (metrics_server.cpp, linked into every binary) and the HTTP
// server in the plugin libcarbontracker_httpd.so (metrics_server_httpd.cpp, a CMake MODULE and
// the only code that links cpp-httplib, and through it OpenSSL, brotli and zlib). The plugin is
// loaded with dlopen by the first MetricsServer::start() and never unloaded, so a program that
// does not serve /metrics maps none of those libraries (docs/prometheus.md).
//
// Contract
//  - The plugin exports one extern "C" function, kPluginEntry, returning a static Plugin. The
//    loader reads `abi` first and uses nothing else unless it equals kPluginAbi and `version`
//    equals carbontracker::kVersion: both sides are compiled from the same sources by the same
//    compiler, so C++ types (std::string, std::function, std::shared_ptr) cross the boundary.
//  - start() binds before it returns and never throws: the port it bound (port 0 picks one), or
//    a Failure saying why not; the loader turns that into the Status MetricsServer::start
//    documents. GET /metrics answers metrics_body() (run on the server's threads; the caller's
//    function refreshes and renders the store, so the plugin knows nothing of MetricsStore).
//  - stop() is MetricsServer::stop: stop accepting, wait up to `timeout`, else leave the
//    threads to end on their own (they own what they use). Never throws.
//  - Objects the plugin creates (the Running behind the shared_ptr) run code of the plugin when
//    destroyed: it is never unloaded.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "exporter/metrics_server.hpp"

namespace carbontracker::exporter::httpd {

inline constexpr int kPluginAbi = 1;
inline constexpr const char* kPluginFile = "libcarbontracker_httpd.so";
inline constexpr const char* kPluginEntry = "carbontracker_httpd_plugin";
// The variable that overrides the search (a path to the plugin).
inline constexpr const char* kPluginEnv = "CARBONTRACKER_HTTPD_LIBRARY";

struct StartRequest {
  ListenAddress where;
  ServerOptions options;
  std::string content_type;                   // of GET /metrics
  std::function<std::string()> metrics_body;  // GET /metrics; must not throw but std::bad_alloc
};

enum class Failure { none, bind, thread };

struct Started {
  std::shared_ptr<MetricsServer::Running> running;  // null unless failure == none
  int port = 0;
  Failure failure = Failure::none;
  std::string detail;  // Failure::thread: what std::thread said
};

struct Plugin {
  int abi;               // kPluginAbi
  const char* version;   // carbontracker::kVersion of the build that made the plugin
  Started (*start)(const StartRequest& request) noexcept;
  void (*stop)(std::shared_ptr<MetricsServer::Running> running, std::chrono::milliseconds timeout) noexcept;
};

using PluginEntry = const Plugin* (*)() noexcept;

}  // namespace carbontracker::exporter::httpd
