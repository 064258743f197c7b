// Usage errors: one exit status for all of them, and hints that say what to type instead.
// The exit-code table is docs/cli.md; keep the two in step.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace carbontracker::cli {

// Every usage error (a bad flag or value, a bad configuration file, an unknown command) exits 2,
// whatever CLI11's own code for the error would be (it uses 104-114).
constexpr int kExitUsage = 2;

// `carbontracker run [options] CMD --its-option ...` without `--`: the command's options would
// be read as ours (or rejected as unknown). `args` are the arguments after the Python form's
// translation, `run` the parsed-to-be run subcommand. Returns the message with the fix, or
// nullopt when the arguments are not that case.
std::optional<std::string> missing_separator(const CLI::App& run, const std::vector<std::string>& args);

// `--log-dir=` with nothing after the `=`, before the command's `--`: CLI11 would take the next
// word as the value (`run --log-dir= -- cmd` made a directory named `--`). Returns the message,
// or nullopt when no option is written that way.
std::optional<std::string> empty_option_value(const std::vector<std::string>& args);

// Reports a CLI11 error on stderr and returns the exit status: 0 for --help and --version,
// kExitUsage for everything else, with the `--` hint when the run command has no `--`.
int exit_on_usage_error(CLI::App& app, const CLI::Error& e, const std::vector<std::string>& args);

}  // namespace carbontracker::cli
