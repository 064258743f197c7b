// The tracker facade: the one entry point for the C++ API, the CLI, the C API and Python.
//
//   carbontracker::Config cfg;
//   cfg.epochs = 10;
//   carbontracker::Tracker tracker(cfg);
//   for (int e = 0; e < 10; ++e) {
//     tracker.epoch_start();
//     train_one_epoch();
//     tracker.epoch_end();   // may throw BudgetExceeded when budget.action == stop
//   }
//   tracker.stop();
//   auto numbers = tracker.snapshot();
//
// Contract
//  - Construction validates the Config and throws ConfigError naming the parameter and the
//    fix; it probes sensors, starts the sampler thread and opens the logs.
//  - epoch_start()/epoch_end() read the energy counters on the calling thread (microseconds),
//    append to the logs and flush them; they never touch the network, sleep, or wait on the
//    sampler. Only `ask` budgets / stop_and_confirm block, on purpose, for the user's answer.
//  - Nothing the tracker does stops the training unless a budget (or the user's "n") says so:
//    sensor failures become warnings and "not measured" gaps. Internal errors (a summary that
//    cannot be written, ...) are kept; with ignore_errors=false the next API call throws
//    TrackerError once, with ignore_errors=true they are logged and the tracker carries on.
//    No helper thread ever exits the process.
//  - Thread safety: call the methods from one thread (the training loop); snapshot() may be
//    called from any thread.
//  - fork(): the tracker belongs to the process that created it. In a fork()ed child every
//    method is a no-op that writes nothing (one warning on stderr per tracker; finished() is
//    true, epoch_end() returns an empty record, snapshot() the results as of the fork when it
//    can take the lock, else none), and the destructor neither stops nor joins anything. The
//    parent's buffered log lines are discarded in the child, never written twice.
//  - One process-wide effect: construction sets SIGXFSZ to ignored when it is at its default
//    (terminate), so a write past RLIMIT_FSIZE fails with EFBIG and becomes a warning instead of
//    killing the training (the logs are also written from the sampler thread, so a per-write
//    mask would not cover them). A handler the program installed is left alone (docs/tracker.md).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "carbontracker/clock.hpp"
#include "carbontracker/export.h"
#include "carbontracker/results.hpp"

namespace carbontracker {

struct Budget {
  std::optional<double> max_energy_kwh;  // facility energy of the whole run
  std::optional<double> max_co2eq_g;
  std::optional<double> max_duration_s;
  BudgetAction action = BudgetAction::warn;
};

struct Config {
  // --- the Python carbontracker's parameters, same names and defaults ---
  int epochs = 1;
  int epochs_before_pred = 1;  // 0 (or -1): never predict
  int monitor_epochs = -1;     // -1: all `epochs`
  double update_interval = 1;  // s between power samples (channels that only give power)
  bool interpretable = true;   // "This is equivalent to: ... km travelled by car"
  bool stop_and_confirm = false;
  bool ignore_errors = false;
  std::string components = "all";  // "all" or a comma list of gpu, cpu, dram ("cpu" includes dram)
  bool devices_by_pid = false;
  std::optional<std::filesystem::path> log_dir;  // none: console only
  std::string log_file_prefix;
  int verbose = 1;              // 0: no console output
  int decimal_precision = 12;
  std::map<std::string, std::string> api_keys;
  std::optional<std::string> sim_cpu;
  std::optional<double> sim_cpu_tdp;
  std::optional<double> sim_cpu_util;
  std::optional<std::string> sim_gpu;
  std::optional<double> sim_gpu_watts;
  std::optional<double> sim_gpu_util;

  // --- ours ---
  // Facility energy = device energy x pue. 1.58 (kPueUptime2023) as the Python tool (PUE_2023) and
  // the paper; 1.0 (kPueDeviceOnly): device energy only. See docs/tracker.md.
  double pue = 1.58;
  Budget budget;
  // Carbon intensity: a fixed value, or where the run happens (see docs/intensity.md). With
  // none of these, and geolocation off, the world average is used and labelled "assumed".
  std::optional<double> intensity_g_per_kwh;  // fixed value: no provider, no table
  std::optional<std::string> country;         // ISO 3166 alpha-2/alpha-3 or English name
  std::optional<std::string> zone;            // Electricity Maps zone, e.g. "DK-DK2", "US-CAL-CISO"
  std::optional<std::string> cloud;           // "gcp:europe-west1"
  std::optional<std::string> gb_postcode;     // outward code, e.g. "RG10" (NESO regional intensity)
  std::optional<std::string> provider;        // force a provider: electricitymaps, energidataservice,
                                              // carbonintensity_uk, watttime
  bool geolocate = false;                     // IP geolocation when no location is given
  // Read every channel at this period too (unset: counters and estimates are read only at
  // epoch boundaries and when they need it; docs/sensors.md "When the sensors are read").
  std::optional<double> sample_every;
  double intensity_refresh_s = 900;           // live values fetched every 15 min
  std::optional<std::filesystem::path> summary_json;  // final result as one JSON object
  double prediction_confidence = 0.9;
  // Prometheus (docs/prometheus.md): serve /metrics on "ADDR:PORT", ":PORT" or "PORT" (address
  // 127.0.0.1 unless given; port 0 picks a free one, printed), from construction to stop().
  std::optional<std::string> prometheus;
  // Pushgateway base URL ("http://host:9091"): the final metrics are pushed at the run's end.
  std::optional<std::string> pushgateway;
  // Process tree for devices_by_pid (0: this process); `run` sets it to the child.
  int root_pid = 0;
  // Distributed jobs (docs/distributed.md). The identity comes from the launcher's environment
  // (torchrun, SLURM, MPI); these set it explicitly and win over the environment.
  std::optional<std::string> job_id;
  std::optional<int> rank, local_rank, world_size;
  // Rank 0 prints the job's report, waiting at most this long at the end for the other ranks'
  // logs (in log_dir); the other ranks print nothing but warnings unless report_every_rank.
  double job_wait_s = 30;
  bool report_every_rank = false;
};

// Presets for Config::pue.
inline constexpr double kPueDeviceOnly = 1.0;
inline constexpr double kPueUptime2023 = 1.58;  // Uptime Institute global survey average, 2023
inline constexpr double kPueHyperscale = 1.10;  // large cloud data centres (e.g. Google fleet ~1.10)

class CARBONTRACKER_API ConfigError : public std::invalid_argument {
 public:
  ConfigError(const std::string& parameter, const std::string& problem, const std::string& fix);
  [[nodiscard]] const std::string& parameter() const noexcept { return parameter_; }

 private:
  std::string parameter_;
};

// The components asked for exist nowhere here (components="gpu" on a machine without a usable
// GPU): thrown at construction, before any file or thread exists. parameter() is "components".
// The Python package raises it as NoComponentsAvailableError, the Python tool's name.
class CARBONTRACKER_API NoComponentsAvailable : public ConfigError {
 public:
  using ConfigError::ConfigError;
};

// An internal failure surfaced to the caller (ignore_errors=false).
class CARBONTRACKER_API TrackerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The training should stop: a budget with action `stop`, or the user answered "n".
class CARBONTRACKER_API StopTraining : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class CARBONTRACKER_API BudgetExceeded : public StopTraining {
 public:
  BudgetExceeded(const std::string& message, BudgetEvent event)
      : StopTraining(message), event_(std::move(event)) {}
  [[nodiscard]] const BudgetEvent& event() const noexcept { return event_; }

 private:
  BudgetEvent event_;
};

// A question for the user, or an order to stop, that the caller must carry out (run mode,
// where the tracker cannot block on stdin or throw into a child process).
struct Decision {
  enum class Kind { confirm_prediction, budget_ask, budget_stop };
  Kind kind = Kind::confirm_prediction;
  std::string prompt;  // the question to ask (ask kinds) or the reason to stop
  std::optional<BudgetEvent> event;
};

// Injection points for tests and embedders; defaults are the real machine.
struct TrackerEnvironment {
  Clock* clock = nullptr;          // null: the real clock
  std::ostream* console = nullptr; // null: std::cout
  std::istream* input = nullptr;   // null: std::cin (ask / stop_and_confirm answers)
  // Sensor roots and library path; null: from CARBONTRACKER_* environment variables.
  std::shared_ptr<const SensorContext> sensors;
  // Run mode: never prompt on `input` and never throw StopTraining; hand a Decision to the
  // caller instead (pending_decision / decide).
  bool defer_decisions = false;
  // Run mode (`carbontracker run`): monitoring ends only at stop() (the child's exit), never at
  // monitor_epochs; epochs beyond `epochs` are further epochs. With planned_epochs_known=false
  // the planned count is unknown (no forecast) until set_planned_epochs() gives it.
  bool open_ended = false;
  bool planned_epochs_known = true;
  // The Python tool's monitor_epochs=-1 (the Python package sets it): monitoring ends only at
  // stop(), never after `epochs`; epochs beyond `epochs` are measured and reported at stop().
  // Without it, monitor_epochs=-1 means `epochs` (the C++ API's and CLI's rule).
  bool monitor_until_stop = false;
  // The command being measured (secrets already masked), recorded in the logs and the summary.
  std::vector<std::string> command;
};

class CARBONTRACKER_API Tracker {
 public:
  explicit Tracker(Config config, TrackerEnvironment env = {});
  ~Tracker();  // stops if still running; never throws
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  void epoch_start();
  // Returns the finished epoch's record. Throws BudgetExceeded / StopTraining when the run
  // must stop (after writing the logs and the final report).
  EpochRecord epoch_end();
  // Drops the epoch in progress without recording it (setup work, a failed attempt); its time
  // and energy stay in the whole-run totals.
  void discard_epoch();
  // Ends monitoring: final report, logs closed, summary written. Idempotent.
  void stop();
  [[nodiscard]] Snapshot snapshot() const;
  [[nodiscard]] bool finished() const;

  // The Python tool's set_api_keys: replaces the keys; the next intensity fetch builds its
  // provider with them (at the next refresh; at once when no provider was usable before).
  // Throws ConfigError("api_keys") for a name no provider takes, before changing anything.
  void set_api_keys(std::map<std::string, std::string> keys);

  // Run mode (defer_decisions): budgets against what was consumed so far, between epochs
  // (a duration limit must act mid-epoch). Reads the counters; call it at the sampling cadence.
  void check_budget_now();
  // Run mode: the question or stop order raised by the last epoch_end / check, taken once.
  std::optional<Decision> take_decision();
  // Run mode: the user's answer to a Decision (true: continue). false records the stop
  // (stopped_by_budget for budget decisions); the caller then ends the child and calls stop().
  void decide(const Decision& decision, bool continue_training);

  // Run mode (open_ended), defined in src/tracker/run_mode.cpp:
  // The planned epoch count learnt while running (a pattern's total); forecasts use it from the
  // next epoch_end on. Values < 1 are ignored with a warning.
  void set_planned_epochs(int epochs);
  // A warning about the run (e.g. from the supervisor at exit): console, logs, summary JSON.
  void add_warning(const std::string& message);
  // A line printed (console and log) right after the first prediction.
  void set_prediction_note(std::string note);
  // The open epoch was set-up before the first epoch: dropped as an epoch, reported on its own.
  void end_setup();
  // The measured work starts now (just before the command is spawned): the next
  // epoch_start_continuing() starts its epoch here, so the command's first moments are in it.
  // Ignored once an epoch has started.
  void mark_work_start();
  // epoch_start() at the instant the last epoch_end() (or end_setup() or mark_work_start()) read the counters: one
  // marker ends an epoch and starts the next, so no energy falls between two epochs (the
  // tracker's own epoch_end work included). Without such an end, a plain epoch_start().
  void epoch_start_continuing();
  // The measured work has ended (the child exited): the open epoch is complete and recorded,
  // with no forecast and no budget decision after it. Call stop() next.
  void end_last_epoch();
  // As end_last_epoch(), but the open epoch was wrap-up after the last planned epoch: dropped
  // as an epoch, reported on its own.
  void end_wrap_up();
  // Nothing was measured (e.g. the command could not start): ends the run without a
  // consumption report or summary, saying why. Idempotent with stop().
  void abandon(const std::string& reason);

  // Internal (src/tracker/tracker_impl.hpp): not exported with the class.
  struct __attribute__((visibility("hidden"))) Impl;

 private:
  void epoch_start_unguarded();
  EpochRecord epoch_end_unguarded();
  std::unique_ptr<Impl> impl_;
};

}  // namespace carbontracker
