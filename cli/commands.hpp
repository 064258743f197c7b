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

// The Python carbontracker's CLI, `carbontracker [--log_dir DIR] [--api_keys K] [--sim-*] CMD ...`,
// rewritten to `carbontracker run [...] -- CMD ...`. Other argument lists are returned as they are.
std::vector<std::string> translate_python_cli(const std::vector<std::string>& args);

// `carbontracker reprot logs`, `carbontracker plan ...`: a word in the Python form's command
// place that is no program on PATH but close to a subcommand (or a future one). Returns the
// "unknown command" message naming the closest match, or nullopt (then the word is a program).
std::optional<std::string> mistyped_command(const std::vector<std::string>& args);

void add_version_flag(CLI::App& app);

}  // namespace carbontracker::cli
