// The tracker's telling half: which outputs a run has (add_sinks) and what it tells them, when.
// The formats are the sinks' (tracker/report_sink.hpp: console and Python-format logs;
// outputs/event_log_sink.hpp; outputs/summary_sink.hpp).
#include <unistd.h>

#include <fmt/format.h>

#include "carbontracker/version.hpp"
#include "exporter/prometheus_sink.hpp"
#include "exporter/pushgateway_sink.hpp"
#include "io/http_client.hpp"
#include "outputs/event_log_sink.hpp"
#include "outputs/summary_sink.hpp"
#include "tracker/extra_sinks.hpp"
#include "tracker/report_sink.hpp"
#include "tracker/tracker_impl.hpp"

namespace carbontracker {

// The outputs, in the order each event reaches them. A new output is one sink file and one line
// here. Files are opened now: a log_dir that cannot be written is a ConfigError before any thread.
void Tracker::Impl::add_sinks(std::optional<outputs::LogNaming> naming) {
  auto files = outputs::CarbontrackerLog::open(naming, nullptr, config.verbose);
  if (!files) throw ConfigError("log_dir", files.status().message(), files.status().fix());
  auto screen = outputs::CarbontrackerLog::open(std::nullopt, console, config.verbose);  // no file: cannot fail
  if (!screen) throw ConfigError("log_dir", screen.status().message(), screen.status().fix());
  std::shared_ptr<outputs::EventLogSink> event_log;
  if (const auto& used = (*files)->naming()) {
    auto ev = outputs::EventLogSink::open(used->dir / (used->stem() + "_carbontracker_events.jsonl"));
    if (!ev) throw ConfigError("log_dir", ev.status().message(), ev.status().fix());
    event_log = std::move(*ev);
  }
  const bool with_files = (*files)->naming().has_value();
  sinks.add(std::make_shared<tracker::ReportSink>("console", std::move(*screen), true, console_role()));
  if (with_files) sinks.add(std::make_shared<tracker::ReportSink>("carbontracker logs", std::move(*files), false));
  sinks.add(event_log);
  if (config.summary_json) sinks.add(std::make_shared<outputs::SummarySink>(*config.summary_json));
  if (config.prometheus || config.pushgateway) {
    metrics_store = std::make_shared<exporter::MetricsStore>();
    exporter::RunLabels labels{identity.host, identity.job_id, identity.rank ? std::to_string(*identity.rank) : "",
                               {{"mode", env.open_ended ? "run" : "tracker"},
                                {"launcher", std::string(distributed::to_string(identity.launcher))}}};
    sinks.add(std::make_shared<exporter::PrometheusSink>(metrics_store, std::move(labels)));
    // After the Prometheus sink: the store holds the final values when RunFinished reaches it.
    if (config.pushgateway) {
      pushgateway_sink = std::make_shared<exporter::PushgatewaySink>(metrics_store, *config.pushgateway,
                                                                     io::make_curl_http_client());
      sinks.add(pushgateway_sink);
    }
  }
  if (tracker::t_extra_sinks) {
    for (const auto& s : *tracker::t_extra_sinks) sinks.add(s);
  }
}

void Tracker::Impl::start_metrics_server() {
  if (!config.prometheus) return;
  auto where = exporter::parse_listen_address(*config.prometheus);  // checked at construction
  if (!where) throw ConfigError("prometheus", where.status().message(), where.status().fix());
  // The ranks of a job on one node share the setting: each serves on the port plus its local rank.
  if (where->port != 0 && job_record && job_record->local_rank) where->port += *job_record->local_rank;
  auto server = exporter::MetricsServer::start(metrics_store, *where);
  if (!server) throw ConfigError("prometheus", server.status().message(), server.status().fix());
  metrics_server = std::move(*server);
  const std::string url = metrics_server->url();
  // Said once, here; the logs get it after RunStarted (begin()).
  if (config.verbose != 0) *console << "carbontracker: Prometheus metrics at " << url << std::endl;
}

// In a job of several ranks, one console report: rank 0's, of the whole job (it needs the other
// ranks' logs: log_dir, shared); the other ranks print warnings, questions and stop orders only.
// Rank 0 without log_dir reports for itself; with report_every_rank every rank does.
tracker::ConsoleRole Tracker::Impl::console_role() const {
  if (!job_record || !job_record->rank || config.report_every_rank) return tracker::ConsoleRole::process;
  if (job_record->world_size && *job_record->world_size <= 1) return tracker::ConsoleRole::process;
  if (*job_record->rank != 0) return tracker::ConsoleRole::job_other;
  return config.log_dir ? tracker::ConsoleRole::job_rank0 : tracker::ConsoleRole::process;
}

void Tracker::Impl::emit_run_started() {
  outputs::RunStarted e;
  e.wall = now_wall();
  auto& r = e.record;
  r.carbontracker_version = kVersion;
  r.pid = static_cast<int>(::getpid());
  r.start_unix_s = std::chrono::duration<double>(run_wall_start.time_since_epoch()).count();
  r.epochs = planned_known ? std::optional<int>(config.epochs) : std::nullopt;
  r.command = snap.command;
  r.epochs_before_pred = derived.epochs_before_pred;
  r.monitor_epochs = derived.monitor_epochs;
  r.update_interval_s = config.update_interval;
  r.pue = config.pue;
  r.intensity = snap.intensity;
  r.channels = channels;
  r.sources = reports;
  r.job = job_record;
  e.wanted = derived.sensor_options.components;
  e.decimal_precision = config.decimal_precision;
  e.interpretable = config.interpretable;
  e.open_ended = env.open_ended;
  told_intensity = snap.intensity;
  emit(std::move(e));
}

void Tracker::Impl::note(outputs::NoteLevel level, std::string text) {
  emit(outputs::Note{now_wall(), level, std::move(text)});
}

void Tracker::Impl::warn(const std::string& message) {
  emit(outputs::Warning{now_wall(), message});
  std::lock_guard lock(mutex);
  snap.warnings.push_back(message);
}

void Tracker::Impl::note_log_status(bool errors_only) {
  // The outputs fail independently (the event log grows faster and usually reaches a size limit
  // first): each is reported once, when it stops.
  for (auto& f : sinks.take_failures(errors_only)) {
    if (f.is_error) {
      // Said once: raised by the next call (stop(): the CLI prints it), or a warning when errors
      // are not raised.
      if (config.ignore_errors) warn(f.status.to_string());
      pending_error = f.status;
      continue;
    }
    // Not an error that stops anything: the run goes on, the console and the summary still work.
    emit(outputs::OutputFailed{f.status});
    std::lock_guard lock(mutex);
    snap.warnings.push_back(f.status.to_string());
  }
}

void Tracker::Impl::drain_sampler_warnings() {
  for (const auto& e : sampler->events_since(sampler_event_cursor)) warn(e.message);
}

}  // namespace carbontracker
