#include <pthread.h>
#include <signal.h>

#include <cmath>
#include <ctime>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "carbontracker/version.hpp"
#include "distributed/identity.hpp"
#include "exporter/metrics_server.hpp"
#include "exporter/prometheus_sink.hpp"
#include "core/text.hpp"
#include "io/fs.hpp"
#include "outputs/monitor_view.hpp"
#include "sampler/sampler.hpp"
#include "sensors/registry.hpp"
#include "tracker/config_bounds.hpp"
#include "tracker/config_keys.hpp"

namespace carbontracker::cli {
namespace {

// Waits up to `seconds` for SIGINT/SIGTERM (blocked in every thread, so no handler is needed).
// Returns true if one arrived.
bool wait_for_signal(const sigset_t& set, double seconds) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - static_cast<double>(ts.tv_sec)) * 1e9);
  for (;;) {
    const int sig = sigtimedwait(&set, nullptr, &ts);
    if (sig > 0) return true;
    if (errno == EINTR) continue;  // another signal; the remaining time is lost, which is harmless
    return false;
  }
}

// --interval is run's update_interval: the same key parser, bounds and messages.
double interval_flag(const std::string& text) {
  Config scratch;
  if (Status st = tracker::set_config_key(scratch, "update_interval", text, "--interval"); !st) {
    throw CLI::ValidationError(st.to_string());
  }
  return scratch.update_interval;
}

// A seconds flag through the shared parser and bounds (tracker/config_bounds.hpp).
double seconds_flag(const std::string& text, const char* key, const char* flag) {
  auto v = text::parse_double(text, flag);
  if (!v) {
    throw CLI::ValidationError(fmt::format("{}: expected a number of seconds, got \"{}\"; fix: give e.g. {} 1", flag,
                                           text, flag));
  }
  if (Status st = tracker::check_number(key, *v, flag); !st) throw CLI::ValidationError(st.to_string());
  return *v;
}

// The node exporter's view of one row: cumulative energy and the row's mean power per channel,
// labelled with the host only (no job, no rank: it measures the machine, not a run).
std::shared_ptr<const exporter::MetricsSnapshot> node_metrics(const std::vector<ChannelInfo>& channels,
                                                              const SamplerSnapshot& snap, const std::string& host) {
  auto m = std::make_shared<exporter::MetricsSnapshot>();
  m->target = {{"host", host}};
  m->info = {{"version", std::string(kVersion)}, {"mode", "monitor"}};
  for (std::size_t i = 0; i < channels.size() && i < snap.channels.size(); ++i) {
    auto c = exporter::channel_metrics(channels[i]);
    c.energy_j = snap.channels[i].energy_j;
    if (snap.channels[i].power_known) c.power_w = snap.channels[i].power_w;
    m->channels.push_back(std::move(c));
  }
  return m;
}

}  // namespace

std::function<int()> add_monitor_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("monitor", "Show live power per device and energy so far");
  add_version_flag(*cmd);
  struct Args {
    SensorFlags sensors;
    std::string interval_text = "1";
    std::string duration_text = "0";
    double interval_s = 1.0;
    double duration_s = 0;
    bool json = false;
    std::string prometheus;
  };
  auto args = std::make_shared<Args>();
  args->sensors.add_to(*cmd);
  // Text, checked against the shared bounds: --interval is run's update_interval (the same
  // range), and an empty string is an error, not 0.
  cmd->add_option("--interval", args->interval_text, "Seconds between rows (and power samples), 0.01 to 3600")
      ->capture_default_str();
  cmd->add_option("--duration", args->duration_text, "Stop after this many seconds (0: until Ctrl-C), at most 1e9")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "JSON Lines: channels, one sample per interval, then a summary");
  cmd->add_option("--prometheus", args->prometheus,
                  "Serve the readings as Prometheus metrics at http://ADDR:PORT/metrics (ADDR:PORT, :PORT or PORT; "
                  "address 127.0.0.1 unless given; port 0 picks a free one): a node exporter");
  return [args] {
    args->interval_s = interval_flag(args->interval_text);
    args->duration_s = seconds_flag(args->duration_text, "monitor_duration_s", "--duration");
    std::optional<exporter::ListenAddress> listen;
    if (!args->prometheus.empty()) {
      auto where = exporter::parse_listen_address(args->prometheus, "--prometheus");
      if (!where) throw ConfigError("prometheus", where.status().message(), where.status().fix());
      listen = *where;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the sampler thread exists, so it inherits the mask

    const auto ctx = SensorContext::from_environment(args->sensors.to_options());
    auto inventory = sensors::probe_all(ctx);
    SamplerOptions opts;
    // Rows come from marks taken by this thread; the sampler thread only has to keep counters
    // from wrapping unseen, so it wakes at the forced-read period, not at every row.
    opts.interval_s = 30.0;
    Sampler sampler(std::move(inventory.sensors), *ctx.clock, opts);
    const auto& channels = sampler.channels();
    // Bound before the first row, so a port in use ends the command before it prints anything.
    std::shared_ptr<exporter::MetricsStore> store;
    std::unique_ptr<exporter::MetricsServer> server;
    std::string host;
    if (listen) {
      store = std::make_shared<exporter::MetricsStore>();
      auto identity = distributed::detect_identity(distributed::identity_inputs_from_process());
      host = identity.host;
      auto started = exporter::MetricsServer::start(store, *listen);
      if (!started) throw ConfigError("prometheus", started.status().message(), started.status().fix());
      server = std::move(*started);
      // stderr: stdout carries the rows (JSON Lines with --json).
      std::cerr << "carbontracker: Prometheus metrics at " << server->url() << std::endl;
    }
    if (args->json) {
      std::cout << outputs::monitor_channels_json(channels) << std::endl;
    } else {
      std::cout << outputs::monitor_header_text(channels) << std::flush;
    }
    if (auto st = sampler.start(); !st) {
      std::cerr << "carbontracker monitor: " << st.to_string() << "\n";
      return 1;
    }
    const MonoTime start = ctx.clock->monotonic();
    Sampler::Mark previous = sampler.mark();
    if (store) {
      auto first = sampler.snapshot();
      outputs::apply_window(first, previous, previous);  // energy 0, power not known yet
      store->publish(node_metrics(channels, first, host));
    }
    const bool bounded = args->duration_s > 0;
    double next_s = args->interval_s;
    for (;;) {
      double until_s = next_s;
      if (bounded) until_s = std::min(until_s, args->duration_s);
      const double wait_s = until_s - to_seconds(ctx.clock->monotonic() - start);
      if (wait_s > 0 && wait_for_signal(set, wait_s)) break;
      const double now_s = to_seconds(ctx.clock->monotonic() - start);
      if (bounded && now_s >= args->duration_s) break;
      if (now_s >= next_s) {
        // Rows come from marks taken here, so each shows exactly the interval it is printed for.
        Sampler::Mark now = sampler.mark();
        auto snap = sampler.snapshot();
        outputs::apply_window(snap, previous, now);
        previous = std::move(now);
        if (store) store->publish(node_metrics(channels, snap, host));
        if (args->json) {
          std::cout << outputs::monitor_sample_json(channels, snap) << std::endl;
        } else {
          std::cout << outputs::monitor_row_text(channels, snap) << std::flush;
        }
        next_s += args->interval_s;
      }
    }
    sampler.stop();
    if (server) server->stop();
    const auto snap = sampler.snapshot();
    if (args->json) {
      std::cout << outputs::monitor_summary_json(channels, snap) << std::endl;
    } else {
      std::cout << outputs::monitor_summary_text(channels, snap) << std::flush;
    }
    return 0;
  };
}

}  // namespace carbontracker::cli
