// Private state of carbontracker::Tracker (see include/carbontracker/tracker.hpp for the
// contract). Split from tracker.cpp so the reporting half (tracker_report.cpp) can share it.
#pragma once

#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "carbontracker/tracker.hpp"
#include "distributed/claims.hpp"
#include "distributed/identity.hpp"
#include "exporter/metrics_server.hpp"
#include "exporter/pushgateway_sink.hpp"
#include "outputs/carbontracker_log.hpp"
#include "outputs/run_events.hpp"
#include "outputs/sink_list.hpp"
#include "emissions/emissions_meter.hpp"
#include "intensity/service.hpp"
#include "sampler/sampler.hpp"
#include "sensors/registry.hpp"
#include "prediction/observed_history.hpp"
#include "tracker/budget.hpp"
#include "tracker/epoch_history.hpp"
#include "tracker/config_check.hpp"
#include "tracker/host_process.hpp"
#include "tracker/job_summary.hpp"
#include "tracker/report_sink.hpp"

namespace carbontracker {

struct Tracker::Impl {
  Impl(Config cfg, TrackerEnvironment env);

  // --- configuration and collaborators (fixed after construction) ---
  Config config;
  tracker::Derived derived;
  TrackerEnvironment env;
  Clock* clock = nullptr;
  std::ostream* console = nullptr;
  std::istream* input = nullptr;
  std::vector<SourceReport> reports;
  std::vector<ChannelInfo> channels;
  // Distributed jobs (distributed/): who this process is, the devices it claimed (held until the
  // tracker is destroyed) and what its logs say about it. job_record: only in a job.
  distributed::JobIdentity identity;
  std::unique_ptr<distributed::Claims> claims;
  std::optional<outputs::JobRecord> job_record;
  // Rank 0 with a shared log_dir: the other ranks' logs (the job's prediction, budget and report).
  std::unique_ptr<tracker::JobLogs> job_logs;
  std::optional<Forecast> job_forecast;
  // A job's stop order: written by rank 0 when the job's budget stops it, seen by every rank.
  std::optional<std::filesystem::path> job_stop_file;
  // The order's modification time when this process started, if one was there: an order of an
  // earlier job under the same id, not this job's (rank 0 replaces the file when it writes).
  std::optional<std::filesystem::file_time_type> stale_stop_time;
  // Declared before the emissions meter, which reads its current() atomic: destroyed after it.
  std::unique_ptr<intensity::IntensityService> intensity;
  // The sampler's energy listener (grams per channel): declared before the sampler, destroyed after it.
  std::unique_ptr<emissions::EmissionsMeter> emissions_meter;
  // Replaces the keys the intensity plan reads (set_api_keys); empty with a fixed intensity.
  std::function<void(const std::map<std::string, std::string>&)> set_provider_keys;
  // The outputs (console, logs, event log, summary): every one is told through emit(). Declared
  // before the sampler, whose thread feeds them power points: destroyed (shut down) after it.
  outputs::SinkList sinks;
  std::unique_ptr<Sampler> sampler;
  // Prometheus (config.prometheus): the store the Prometheus sink keeps and the server reads.
  // The server runs from begin() until the tracker is destroyed, so the final values can be
  // scraped after stop().
  std::shared_ptr<exporter::MetricsStore> metrics_store;
  std::unique_ptr<exporter::MetricsServer> metrics_server;
  // config.pushgateway: finish() waits (bounded) for its push and reports a failure.
  std::shared_ptr<exporter::PushgatewaySink> pushgateway_sink;
  // A scrape reads the sensors (Sampler::refresh) while the run lasts. Declared after the
  // sampler: the refresher is cleared before the sampler goes, even if a server thread that was
  // left running (metrics_server.hpp, stop) still holds the store.
  struct ScrapeRefresh {
    std::shared_ptr<exporter::MetricsStore> store;
    void clear() noexcept {
      if (store) store->set_refresher({});
      store.reset();
    }
    ~ScrapeRefresh() { clear(); }
  } scrape_refresh;

  // --- run state (training thread) ---
  Sampler::Mark run_start;
  std::chrono::system_clock::time_point run_wall_start{};
  std::optional<Sampler::Mark> epoch_mark;
  std::chrono::system_clock::time_point epoch_wall_start{};
  int epoch_counter = 0;
  std::size_t sampler_event_cursor = 0;
  tracker::BudgetState budget_state;
  std::optional<Status> pending_error;  // surfaced once by the next API call
  IntensityInfo told_intensity;             // the intensity the sinks last heard of (IntensityChanged)
  std::optional<Decision> decision;     // run mode
  bool stopped = false;                 // finish() ran
  // Run mode (run_mode.cpp).
  bool planned_known = true;            // config.epochs is the planned count
  bool work_ended = false;              // the child exited: no forecast, no decision any more
  std::string prediction_note;          // printed after the first prediction
  // Where the last epoch (or the set-up) ended: the next epoch of the same marker starts there.
  std::optional<Sampler::Mark> last_end_mark;
  // The completed epochs as the prediction reads them: running sums + the recent window.
  prediction::ObservedHistory observed;
  std::chrono::system_clock::time_point last_end_wall{};
  tracker::ForkGuard fork_guard;        // in a fork()ed child every call is a no-op

  // --- results (guarded: snapshot() may run on any thread) ---
  mutable std::mutex mutex;
  // snap.epochs and snap.prediction_history stay empty: history holds them (bounded) and
  // snapshot_locked() fills a copy.
  Snapshot snap;
  tracker::RunHistory history;
  Snapshot snapshot_locked() const;  // mutex held

  // tracker.cpp
  template <class F>
  auto guarded(const char* what, F&& body) -> decltype(body());
  void begin();
  void surface_errors();
  EpochRecord end_epoch();
  void refit(int after_epochs);
  void handle_budget(const Totals& actual_so_far);
  void act_on(BudgetEvent event);
  bool ask_user(const std::string& prompt);
  void finish();
  Totals whole_run_until(const Sampler::Mark& now) const;

  // job_mode.cpp: in a distributed job, the devices this process keeps; rank 0 predicts for the
  // job and applies the budget to it; the other ranks apply rank 0's stop order.
  void keep_own_devices(sensors::Inventory& inventory, const SensorContext& ctx);
  void job_step(bool epoch_ended);
  void check_job_stop();
  void write_job_stop(const BudgetEvent& ev);

  // run_mode.cpp
  bool forecast_possible(int after_epochs) const;
  Totals open_epoch_totals();

  // tracker_report.cpp: what the tracker tells its outputs (it knows none of their formats).
  void add_sinks(std::optional<outputs::LogNaming> naming);
  tracker::ConsoleRole console_role() const;
  // Binds config.prometheus (a ConfigError when it cannot) and says where the metrics are.
  void start_metrics_server();
  void emit(const outputs::RunEvent& event) { sinks.emit(event); }
  void emit_run_started();
  void note(outputs::NoteLevel level, std::string text);
  void drain_sampler_warnings();
  void refresh_intensity_info();
  double future_intensity(int after_epochs, IntensityInfo* used);
  void warn(const std::string& message);
  // An output that stopped (or threw) is reported once; a summary that could not be written is
  // an error of the run (pending_error). errors_only: only the latter.
  void note_log_status(bool errors_only = false);
  std::chrono::system_clock::time_point now_wall() const { return clock->wall(); }
};

}  // namespace carbontracker
