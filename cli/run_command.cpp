// `carbontracker run [options] -- CMD ARGS...`: the tracker around a child process. The child
// runner supervises the process (output, epoch markers, signals); this file only wires its
// events to the tracker and turns the tracker's decisions into questions or a stop.
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "carbontracker/tracker.hpp"
#include "core/text.hpp"
#include "commands.hpp"
#include "tracker/config_keys.hpp"
#include "runner/child_runner.hpp"
#include "runner/command_line.hpp"
#include "run_glue.hpp"

namespace carbontracker::cli {
namespace {

using tracker::apply_config_sources;

// Documented in docs/run-mode.md: the command was stopped because a budget said so.
constexpr int kExitStoppedByBudget = 124;

std::map<std::string, std::string> parse_api_keys(const std::string& text) {
  std::map<std::string, std::string> keys;
  if (text.empty()) return keys;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) throw std::invalid_argument("not an object");
    for (auto it = j.begin(); it != j.end(); ++it) keys[it.key()] = it.value().get<std::string>();
  } catch (const std::exception&) {
    // Never echo the value: it holds secrets.
    throw CLI::ValidationError("--api-keys", "must be a JSON object of strings, e.g. '{\"electricitymaps\": \"KEY\"}'");
  }
  return keys;
}

// Bounds of --grace-period (docs/run-mode.md): 0 kills at once; an hour is beyond any checkpoint.
constexpr double kMaxGracePeriodS = 3600;

double parse_grace_period(const std::string& text) {
  const auto parsed = carbontracker::text::to_number<double>(text);
  const double v = parsed.value_or(-1);
  if (!parsed || !std::isfinite(v) || v < 0 || v > kMaxGracePeriodS) {
    throw CLI::ValidationError(
        "--grace-period",
        fmt::format("'{}' is not a number of seconds between 0 and {:.0f}; fix: give e.g. --grace-period 10 (the "
                    "default: seconds between SIGTERM and SIGKILL when the child is stopped)",
                    text.substr(0, 64), kMaxGracePeriodS));
  }
  return v;
}

// Config::epochs before any source is applied: still this afterwards means nobody gave it.
constexpr int kEpochsNotGiven = std::numeric_limits<int>::min();

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Run a training command and measure it: carbontracker run [options] -- CMD ARGS...");
  add_version_flag(*cmd);
  struct Args {
    // Every Config key with a flag, from the key registry (tracker/config_keys.hpp), so flags,
    // environment and config file behave the same.
    ConfigFlags flags;
    std::string config_file;
    std::string api_keys;
    std::string epoch_pattern;
    std::string epoch_start_pattern;
    bool no_control = false;
    std::string grace_period = "10";
    std::vector<std::string> command;
  };
  auto a = std::make_shared<Args>();
  a->flags.add_to(*cmd);
  cmd->add_option("--config", a->config_file, "Configuration file (TOML; default $CARBONTRACKER_CONFIG or ./carbontracker.toml)");
  cmd->add_option("--api-keys", a->api_keys,
                  "Intensity provider keys as JSON, e.g. '{\"electricitymaps\": \"KEY\"}' (prefer the environment "
                  "or the config file: command lines are visible to other users)");
  cmd->add_option("--epoch-pattern", a->epoch_pattern,
                  "RE2 regex; each match on a line of the command's output ends an epoch and starts the next "
                  "(named groups (?P<epoch>\\d+), (?P<total>\\d+): see docs/run-mode.md)");
  cmd->add_option("--epoch-start-pattern", a->epoch_start_pattern,
                  "RE2 regex; each match starts an epoch (the time before the first is set-up, not epoch 1)");
  cmd->add_flag("--no-control-channel", a->no_control, "Do not offer the CARBONTRACKER_CONTROL channel");
  cmd->add_option("--grace-period", a->grace_period, "Seconds between SIGTERM and SIGKILL when stopping (0 to 3600)")
      ->capture_default_str();
  cmd->add_option("command", a->command, "The command to run, after --")->required();

  return [a] {
    const auto getenv = [](const std::string& name) -> std::optional<std::string> {
      const char* v = std::getenv(name.c_str());
      return v ? std::optional<std::string>(v) : std::nullopt;
    };
    // Precedence: defaults < config file < environment < flags.
    Config cfg;
    cfg.log_dir = "./logs";  // the Python CLI's default
    cfg.epochs = kEpochsNotGiven;
    auto check = [](const Status& st) {
      if (!st) throw CLI::ValidationError(st.to_string());
    };
    check(apply_config_sources(
        cfg, a->config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(a->config_file), getenv));
    a->flags.apply(cfg);
    // `run` measures until the child exits: without a planned count there is no forecast (a
    // pattern's total group may give one later), never a forecast for 1 epoch.
    const bool epochs_given = cfg.epochs != kEpochsNotGiven;
    if (!epochs_given) cfg.epochs = std::max(1, cfg.epochs_before_pred);
    for (auto& [k, v] : parse_api_keys(a->api_keys)) cfg.api_keys[k] = v;
    cfg.root_pid = 0;  // our process tree contains the child and everything it starts

    runner::RunOptions ro;
    ro.argv = a->command;
    if (!a->epoch_pattern.empty()) ro.epoch_pattern = a->epoch_pattern;
    if (!a->epoch_start_pattern.empty()) ro.epoch_start_pattern = a->epoch_start_pattern;
    ro.control_channel = !a->no_control;
    // The tick only checks budgets mid-epoch: without one there is no tick, and the run loop
    // sleeps until the child prints, exits, uses the control channel or a signal arrives.
    const bool has_budget = cfg.budget.max_energy_kwh || cfg.budget.max_co2eq_g || cfg.budget.max_duration_s;
    if (has_budget) ro.tick_interval_s = cfg.update_interval;
    else ro.tick_interval_s.reset();
    ro.grace_period_s = parse_grace_period(a->grace_period);
    std::unique_ptr<runner::ChildRunner> runner;
    try {
      runner = std::make_unique<runner::ChildRunner>(ro);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError(e.what());
    }

    // A command that cannot start is not measured at all: no logs, no "0 kWh" report.
    if (auto problem = runner::precheck_start(ro.argv.front(), std::getenv("PATH"))) {
      std::cerr << "carbontracker: error: not measured: " << problem->reason << '\n';
      return problem->exit_code;
    }

    TrackerEnvironment env;
    env.console = &std::cerr;  // the child's stdout stays the child's
    env.defer_decisions = true;
    env.open_ended = true;
    env.planned_epochs_known = epochs_given;
    env.command = runner::masked_command(ro.argv);
    Tracker tracker(cfg, env);  // ConfigError propagates: stderr, exit 2
    RunPlan plan;
    if (epochs_given) plan.epochs = cfg.epochs;
    plan.epoch_pattern = ro.epoch_pattern;
    plan.epoch_start_pattern = ro.epoch_start_pattern;
    RunGlue glue(tracker, *runner, plan);
    const runner::RunResult result = runner->run(glue);
    glue.finish(result);
    if (glue.stopped_by_budget()) return kExitStoppedByBudget;
    if (glue.stopped_by_user()) return 0;
    return result.exit_code;
  };
}

}  // namespace carbontracker::cli
