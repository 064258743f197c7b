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

namespace carbontracker::cli {

// Options shared by every command that probes sensors (--components, --sim-*, --devices-by-pid).
// Values are kept as text and go through the shared config-key parser and checks, so `devices`
// and `monitor` refuse exactly what `run` refuses (an empty --sim-cpu-tdp is an error, not 0).
struct SensorFlags {
  std::string components = "all";
  bool devices_by_pid = false;
  std::vector<std::pair<CLI::Option*, std::string>> options;  // option -> config key
  std::map<std::string, std::string> values;                  // config key -> text given

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
