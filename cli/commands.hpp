// The CLI's subcommands. Each registers its options on a CLI11 app and runs from the parsed
// values; all logic lives in the libraries, this layer only translates arguments and errors.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sensors/sensor_interface.hpp"
#include "tracker/config_keys.hpp"

namespace carbontracker::cli {

// Flags that are configuration keys, made from the key registry (tracker/config_keys.hpp): the
// flag's name, its help and whether it is a switch come from the key's entry, and the value goes
// through set_config_key with the flag as origin, so every command refuses what `run`, the
// environment and the file refuse, with the same message. Keep the object at a fixed address
// (CLI11 writes into `values`).
struct ConfigFlags {
  std::vector<std::pair<CLI::Option*, const tracker::ConfigKey*>> options;
  std::map<std::string, std::string> values;  // config key -> text given (a value set before add_to is the default)

  // Registers the flag of each key in `keys`, in that order; with `keys` empty, of every key
  // that has a flag, in the registry's order.
  void add_to(CLI::App& app, const std::vector<std::string>& keys = {});
  // Sets each key whose flag was given; `origins`, when given, gets key -> flag. Throws
  // CLI::ValidationError naming the key, the flag and the fix.
  void apply(Config& config, std::map<std::string, std::string>* origins = nullptr) const;
};

// Options shared by every command that probes sensors (--components, --sim-*, --devices-by-pid),
// made by ConfigFlags, so `devices` and `monitor` refuse exactly what `run` refuses (an empty
// --sim-cpu-tdp is an error, not 0).
struct SensorFlags {
  ConfigFlags flags;

  void add_to(CLI::App& app);
  // Throws CLI::ValidationError (a value that does not parse or is out of range, naming the flag)
  // or ConfigError (values that do not fit together, as `run` does).
  [[nodiscard]] SensorOptions to_options() const;
};

// Adds the subcommand to `app`; returns the function that runs it after parsing.
std::function<int()> add_devices_command(CLI::App& app);
std::function<int()> add_monitor_command(CLI::App& app);
std::function<int()> add_run_command(CLI::App& app);
std::function<int()> add_intensity_command(CLI::App& app);
std::function<int()> add_report_command(CLI::App& app);

// The Python carbontracker's CLI (docs/cli.md, "The Python tool's form"), read as its argparse
// parse_known_args reads it: its options (--log_dir, --api_keys, --parse, --report, --output,
// --sim-*, -h) anywhere on the line, also as unique prefixes (--log for --log_dir); the rest, in
// order, is the command: `carbontracker python3 train.py --log_dir L --epochs 3` runs
// `carbontracker run --log-dir=L -- python3 train.py --epochs 3`.
struct PythonForm {
  // What the subcommands' parser gets: the arguments as given when they are not this form.
  std::vector<std::string> args;
  std::vector<std::string> command;      // the command to run (empty when none)
  std::optional<std::string> parse_dir;  // `--parse DIR`: print_python_aggregate(DIR), nothing else
  std::optional<std::string> error;      // a usage error (ambiguous prefix, missing value): nothing runs
  // Options read as ours that were likely the command's (a prefix, --output without --report):
  // printed on stderr before anything runs.
  std::vector<std::string> notes;
};
PythonForm read_python_form(const std::vector<std::string>& args);

// `--parse DIR`: the Python tool's sentence (its print_aggregate, numbers with 16 decimals) on
// stdout; problems with the logs on stderr. Returns the exit status: 1 when no run has a usable
// figure (no sentence of zeros), kExitUsage when DIR is no directory.
int print_python_aggregate(const std::string& log_dir);

// `carbontracker reprot logs`, `carbontracker plan ...`: a word in the Python form's command
// place that is no program on PATH but close to a subcommand (or a future one). Returns the
// "unknown command" message naming the closest match, or nullopt (then the word is a program).
std::optional<std::string> mistyped_command(const PythonForm& form);

void add_version_flag(CLI::App& app);

}  // namespace carbontracker::cli
