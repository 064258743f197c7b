#include "exporter/metrics_server.hpp"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "carbontracker/version.hpp"
#include "core/text.hpp"
#include "exporter/metrics_server_plugin.hpp"
#include "io/dynamic_library.hpp"

namespace carbontracker::exporter {

Result<ListenAddress> parse_listen_address(std::string_view text, std::string_view key) {
  const std::string given(text);
  const auto bad = [&](const std::string& why) -> Status {
    return {StatusCode::invalid_argument, fmt::format("\"{}\" {}", given, why),
            fmt::format("give {} as ADDR:PORT, :PORT or PORT (e.g. 127.0.0.1:9464; port 0 picks a free one)", key)};
  };
  ListenAddress out;
  std::string_view host;
  std::string_view port = text::trim(text);
  if (!port.empty() && port.front() == '[') {
    const auto close = port.find(']');
    if (close == std::string_view::npos || close + 1 >= port.size() || port[close + 1] != ':') {
      return bad("is not [IPv6]:PORT");
    }
    host = port.substr(1, close - 1);
    port = port.substr(close + 2);
  } else if (const auto colon = port.rfind(':'); colon != std::string_view::npos) {
    host = port.substr(0, colon);
    port = port.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("has an IPv6 address without brackets");
  }
  const auto n = text::to_number<int>(port);
  if (!n || *n < 0 || *n > 65535) return bad("has no port number 0..65535");
  out.port = *n;
  if (!host.empty()) out.host = std::string(host);
  return out;
}

namespace {

// Where the plugin is looked for, in order (docs/prometheus.md): $CARBONTRACKER_HTTPD_LIBRARY
// alone when set; else next to the executable or shared object holding this code (the build
// tree's CLI and libcarbontracker.so, the Python package's extension), in carbontracker/ beside
// it (an installed libcarbontracker.so), in <its dir>/../<libdir>/carbontracker and
// <its dir>/../lib/carbontracker (an installed CLI), and in the install directory this build was
// configured with.
std::string directory_of_this_code() {
  Dl_info info{};
  link_map* map = nullptr;
  if (::dladdr1(reinterpret_cast<void*>(&directory_of_this_code), &info, reinterpret_cast<void**>(&map),
                RTLD_DL_LINKMAP) == 0) {
    return {};
  }
  std::string file;
  if (map && map->l_name && map->l_name[0] != '\0') {
    file = map->l_name;
  } else {
    // The main program: its link map has no name (dladdr would give argv[0]).
    std::error_code ec;
    file = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  }
  const auto slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? std::string("/") : file.substr(0, slash);
}

std::vector<std::string> plugin_candidates() {
  if (const char* env = std::getenv(httpd::kPluginEnv); env && *env) return {env};
  std::vector<std::string> out;
  const auto add = [&out](std::string path) {
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(std::move(path));
  };
  const std::string file = httpd::kPluginFile;
  if (const auto dir = directory_of_this_code(); !dir.empty()) {
    add(dir + "/" + file);
    add(dir + "/carbontracker/" + file);
    add(dir + "/../" CARBONTRACKER_INSTALL_LIBDIR "/carbontracker/" + file);
    add(dir + "/../lib/carbontracker/" + file);
  }
  add(CARBONTRACKER_HTTPD_INSTALL_DIR "/" + file);
  return out;
}

// Loaded plugins by path, kept for the life of the process (what they create runs their code
// when destroyed). Keyed by path rather than loaded once: the search is repeated at each start()
// (a few stat calls), so a changed CARBONTRACKER_HTTPD_LIBRARY takes effect.
Result<const httpd::Plugin*> load_plugin() {
  static std::mutex mutex;
  static std::map<std::string, const httpd::Plugin*> loaded;
  // Leaked on purpose: never unloaded, not even at exit, when a server thread left running (stop()
  // timed out, or a tracker never destroyed) may still be executing the plugin's code.
  static auto& kept = *new std::vector<io::DynamicLibrary>;
  const auto candidates = plugin_candidates();
  std::lock_guard lock(mutex);
  std::string broken;  // why a plugin that exists could not be used
  for (const auto& path : candidates) {
    if (const auto it = loaded.find(path); it != loaded.end()) return it->second;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    auto lib = io::DynamicLibrary::open(path);
    if (!lib) {
      if (broken.empty()) broken = lib.status().message();
      continue;
    }
    const auto entry = lib->function<httpd::PluginEntry>(httpd::kPluginEntry);
    const httpd::Plugin* plugin = entry ? entry() : nullptr;
    if (!plugin || plugin->abi != httpd::kPluginAbi || std::string_view(plugin->version) != kVersion) {
      if (broken.empty()) {
        broken = fmt::format("{} is not the plugin of carbontracker {}{}", path, kVersion,
                             plugin && plugin->abi == httpd::kPluginAbi
                                 ? fmt::format(" (it is version {}'s)", plugin->version)
                                 : std::string());
      }
      continue;
    }
    kept.push_back(std::move(*lib));
    loaded.emplace(path, plugin);
    return plugin;
  }
  const std::string fix =
      fmt::format("reinstall carbontracker, or set {} to the path of {}", httpd::kPluginEnv, httpd::kPluginFile);
  if (!broken.empty()) {
    return Status(StatusCode::unavailable,
                  fmt::format("the Prometheus /metrics server needs {}, which could not be loaded: {}",
                              httpd::kPluginFile, broken),
                  fix);
  }
  return Status(StatusCode::unavailable,
                fmt::format("the Prometheus /metrics server needs {}, not found in {}", httpd::kPluginFile,
                            fmt::join(candidates, ", ")),
                fix);
}

}  // namespace

struct MetricsServer::Handle {
  const httpd::Plugin* plugin = nullptr;
  std::shared_ptr<Running> running;
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(std::shared_ptr<const MetricsStore> store,
                                                            ListenAddress where, ServerOptions options) {
  auto plugin = load_plugin();
  if (!plugin) return plugin.status();
  httpd::StartRequest request;
  request.where = where;
  request.options = options;
  request.content_type = std::string(kMetricsContentType);
  request.metrics_body = [store = std::move(store)] {
    store->refresh();  // fresh readings, when the owner reads on demand (metrics_store.hpp)
    const auto snap = store->load();
    return snap ? render_metrics_text(*snap) : std::string();
  };
  auto started = (*plugin)->start(request);
  if (started.failure == httpd::Failure::bind) {
    return Status(StatusCode::invalid_argument,
                  fmt::format("cannot listen on {}:{} (the port is in use, or the address is not one "
                              "of this machine's)",
                              where.host, where.port),
                  "give prometheus a free port, or port 0 to pick one (e.g. --prometheus 127.0.0.1:0)");
  }
  if (started.failure != httpd::Failure::none || !started.running) {
    return Status(StatusCode::unavailable, fmt::format("cannot start the metrics server thread ({})", started.detail));
  }
  std::unique_ptr<MetricsServer> out(new MetricsServer());
  out->host_ = where.host;
  out->port_ = started.port;
  out->handle_ = std::make_unique<Handle>(Handle{*plugin, std::move(started.running)});
  return out;
}

std::string MetricsServer::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}/metrics", v6 ? "[" : "", host_, v6 ? "]" : "", port_);
}

void MetricsServer::stop(std::chrono::milliseconds timeout) noexcept {
  if (!handle_) return;
  const auto handle = std::move(handle_);
  handle->plugin->stop(std::move(handle->running), timeout);
}

MetricsServer::~MetricsServer() { stop(); }

}  // namespace carbontracker::exporter
