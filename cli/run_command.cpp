// `carbontracker run [options] -- CMD ARGS...`: the tracker around a child process. The child
// runner supervises the process (output, epoch markers, signals); this file only wires its
// events to the tracker and turns the tracker's decisions into questions or a stop.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "carbontracker/tracker.hpp"
#include "commands.hpp"
#include "runner/child_runner.hpp"

namespace carbontracker::cli {
namespace {

// Documented in docs/run-mode.md: the command was stopped because a budget said so.
constexpr int kExitStoppedByBudget = 124;

class Glue final : public runner::RunObserver {
 public:
  Glue(Tracker& tracker, runner::ChildRunner& runner) : tracker_(tracker), runner_(runner) {}

  void on_epoch_start(runner::EpochSource) override {
    guarded([&] { tracker_.epoch_start(); });
    epoch_open_ = true;
  }
  void on_epoch_end(runner::EpochSource source) override {
    if (source != runner::EpochSource::start) marked_ = true;
    epoch_open_ = false;
    guarded([&] { tracker_.epoch_end(); });
  }
  void on_epoch_discard() override {
    marked_ = true;
    epoch_open_ = false;
    guarded([&] { tracker_.discard_epoch(); });
  }
  void on_tick() override {
    guarded([&] { tracker_.check_budget_now(); });
  }

  [[nodiscard]] bool epoch_open() const { return epoch_open_; }
  [[nodiscard]] bool marked() const { return marked_; }
  [[nodiscard]] bool stopped_by_budget() const { return stopped_by_budget_; }
  [[nodiscard]] bool stopped_by_user() const { return stopped_by_user_; }

 private:
  // The training is the child's: a tracker error is reported, never a reason to stop it.
  template <class F>
  void guarded(F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      std::cerr << "carbontracker: error: " << e.what() << '\n';
    }
    act_on_decisions();
  }

  void act_on_decisions() {
    while (auto d = tracker_.take_decision()) {
      if (d->kind == Decision::Kind::budget_stop) {
        stopped_by_budget_ = true;
        runner_.request_stop("stopped by the budget: " + d->prompt);
        continue;
      }
      runner_.ask(d->prompt, [this, decision = *d](bool yes) {
        tracker_.decide(decision, yes);
        if (yes) return;
        (decision.event ? stopped_by_budget_ : stopped_by_user_) = true;
        runner_.request_stop(decision.event ? "stopped by the budget (answered n)" : "stopped by the user (answered n)");
      });
    }
  }

  Tracker& tracker_;
  runner::ChildRunner& runner_;
  bool epoch_open_ = false;
  bool marked_ = false;  // a pattern or control marker was seen: epochs come from the child
  bool stopped_by_budget_ = false;
  bool stopped_by_user_ = false;
};

BudgetAction parse_action(const std::string& s) {
  if (s == "warn") return BudgetAction::warn;
  if (s == "ask") return BudgetAction::ask;
  if (s == "stop") return BudgetAction::stop;
  throw CLI::ValidationError("--budget-action", "must be warn, ask or stop, got '" + s + "'");
}

std::map<std::string, std::string> parse_api_keys(const std::string& text) {
  std::map<std::string, std::string> keys;
  if (text.empty()) return keys;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) throw std::invalid_argument("not an object");
    for (auto it = j.begin(); it != j.end(); ++it) keys[it.key()] = it.value().get<std::string>();
  } catch (const std::exception&) {
    throw CLI::ValidationError("--api-keys", "must be a JSON object of strings, e.g. '{\"electricitymaps\": \"KEY\"}'");
  }
  return keys;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a training command and measure it: carbontracker run [options] -- CMD ARGS...");
  add_version_flag(*cmd);
  struct Args {
    SensorFlags sensors;
    Config config;
    std::string log_dir = "./logs";
    bool no_interpretable = false;
    std::string api_keys;
    std::string budget_action = "warn";
    double max_energy_kwh = 0, max_co2eq_g = 0, max_duration_s = 0, intensity = -1;
    std::string summary_json;
    std::string epoch_pattern;
    bool no_control = false;
    double grace_period_s = 10;
    std::vector<std::string> command;
  };
  auto a = std::make_shared<Args>();
  auto& c = a->config;
  a->sensors.add_to(*cmd);
  cmd->add_option("--epochs", c.epochs, "Epochs the command will run (enables the prediction)")->capture_default_str();
  cmd->add_option("--epochs-before-pred", c.epochs_before_pred, "Epochs measured before predicting (0: never)")
      ->capture_default_str();
  cmd->add_option("--monitor-epochs", c.monitor_epochs, "Epochs to monitor (-1: all)")->capture_default_str();
  cmd->add_option("--update-interval", c.update_interval, "Seconds between power samples")->capture_default_str();
  cmd->add_flag("--no-interpretable", a->no_interpretable, "Leave out the 'km travelled by car' equivalent");
  cmd->add_flag("--stop-and-confirm", c.stop_and_confirm, "Ask whether to continue after the prediction");
  cmd->add_flag("--ignore-errors", c.ignore_errors, "Carry on silently after internal errors");
  cmd->add_option("--log-dir", a->log_dir, "Directory for the logs")->capture_default_str();
  cmd->add_option("--log-file-prefix", c.log_file_prefix, "Prefix of the log file names");
  cmd->add_option("--verbose", c.verbose, "0: no console output from carbontracker")->capture_default_str();
  cmd->add_option("--decimal-precision", c.decimal_precision, "Decimals in reports")->capture_default_str();
  cmd->add_option("--api-keys", a->api_keys, "Intensity provider keys as JSON, e.g. '{\"electricitymaps\": \"KEY\"}'");
  cmd->add_option("--pue", c.pue, "Power usage effectiveness of the data centre (1.0: device energy only)")
      ->capture_default_str();
  cmd->add_option("--intensity", a->intensity, "Carbon intensity to use, gCO2eq/kWh (default: world average, labelled)");
  cmd->add_option("--max-energy-kwh", a->max_energy_kwh, "Budget: facility energy of the whole run, kWh");
  cmd->add_option("--max-co2eq-g", a->max_co2eq_g, "Budget: CO2eq of the whole run, g");
  cmd->add_option("--max-duration-s", a->max_duration_s, "Budget: duration of the whole run, s");
  cmd->add_option("--budget-action", a->budget_action, "What a crossed budget does: warn, ask or stop")
      ->capture_default_str();
  cmd->add_option("--summary-json", a->summary_json, "Write the final result as one JSON object to this file");
  cmd->add_option("--epoch-pattern", a->epoch_pattern,
                  "RE2 regex; each match on a line of the command's output ends an epoch and starts the next");
  cmd->add_flag("--no-control-channel", a->no_control, "Do not offer the CARBONTRACKER_CONTROL channel");
  cmd->add_option("--grace-period", a->grace_period_s, "Seconds between SIGTERM and SIGKILL when stopping")
      ->capture_default_str();
  cmd->add_option("command", a->command, "The command to run, after --")->required();
  cmd->positionals_at_end();

  return [a] {
    Config cfg = a->config;
    const SensorOptions sensor_options = a->sensors.to_options();  // validates the shared flags
    (void)sensor_options;
    cfg.components = a->sensors.components;
    cfg.devices_by_pid = a->sensors.devices_by_pid;
    if (!a->sensors.sim_cpu.empty()) {
      cfg.sim_cpu = a->sensors.sim_cpu;
      cfg.sim_cpu_tdp = a->sensors.sim_cpu_tdp;
      cfg.sim_cpu_util = a->sensors.sim_cpu_util;
    }
    if (!a->sensors.sim_gpu.empty()) {
      cfg.sim_gpu = a->sensors.sim_gpu;
      cfg.sim_gpu_watts = a->sensors.sim_gpu_watts;
      cfg.sim_gpu_util = a->sensors.sim_gpu_util;
    }
    cfg.log_dir = a->log_dir;
    cfg.interpretable = !a->no_interpretable;
    cfg.api_keys = parse_api_keys(a->api_keys);
    if (a->max_energy_kwh != 0) cfg.budget.max_energy_kwh = a->max_energy_kwh;
    if (a->max_co2eq_g != 0) cfg.budget.max_co2eq_g = a->max_co2eq_g;
    if (a->max_duration_s != 0) cfg.budget.max_duration_s = a->max_duration_s;
    cfg.budget.action = parse_action(a->budget_action);
    if (a->intensity >= 0) cfg.intensity_g_per_kwh = a->intensity;
    if (!a->summary_json.empty()) cfg.summary_json = a->summary_json;
    cfg.root_pid = 0;  // our process tree contains the child and everything it starts

    runner::RunOptions ro;
    ro.argv = a->command;
    if (!a->epoch_pattern.empty()) ro.epoch_pattern = a->epoch_pattern;
    ro.control_channel = !a->no_control;
    ro.tick_interval_s = cfg.update_interval;
    ro.grace_period_s = a->grace_period_s;
    std::unique_ptr<runner::ChildRunner> runner;
    try {
      runner = std::make_unique<runner::ChildRunner>(ro);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError(e.what());
    }

    TrackerEnvironment env;
    env.console = &std::cerr;  // the child's stdout stays the child's
    env.defer_decisions = true;
    Tracker tracker(cfg, env);  // ConfigError propagates: stderr, exit 2
    Glue glue(tracker, *runner);
    const runner::RunResult result = runner->run(glue);
    for (const auto& w : result.warnings) std::cerr << "carbontracker: warning: " << w << '\n';

    try {
      if (glue.epoch_open()) {
        if (!glue.marked()) {
          tracker.epoch_end();  // no markers: the whole command is the one epoch
        } else if (result.exit_code == 0 && !result.stopped) {
          tracker.discard_epoch();  // after the last marker: wrap-up, not an epoch (in the whole run)
        }  // else: interrupted, reported as such by stop()
      }
      tracker.stop();
    } catch (const std::exception& e) {
      std::cerr << "carbontracker: error: " << e.what() << '\n';
    }
    if (glue.stopped_by_budget()) return kExitStoppedByBudget;
    if (glue.stopped_by_user()) return 0;
    return result.exit_code;
  };
}

}  // namespace carbontracker::cli
