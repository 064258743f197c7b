// carbontracker: the command-line boundary. Parses arguments, runs one subcommand, maps errors
// to stderr and a non-zero exit status.
#include <exception>
#include <iostream>

#include "carbontracker/tracker.hpp"
#include "carbontracker/version.hpp"
#include "intensity/tables.hpp"
#include "io/safe_file.hpp"
#include "commands.hpp"
#include "usage_errors.hpp"

namespace {

// API keys given on the command line are visible in the process list (/proc/PID/cmdline) to
// every user. The arguments were copied above; overwrite the originals in place so `ps` shows
// "***" from now on.
void scrub_secrets(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") return;  // the child's arguments are its own
    for (std::string_view flag : {"--api-keys", "--api_keys"}) {
      // The Python tool's form also takes a unique prefix (--api for --api_keys).
      const std::string_view name = a.substr(0, a.find('='));
      if (name.size() < 3 || flag.substr(0, name.size()) != name) continue;
      if (name.size() == a.size() && i + 1 < argc) {
        for (char* p = argv[i + 1]; *p; ++p) *p = '*';
      } else if (name.size() < a.size()) {
        for (char* p = argv[i] + name.size() + 1; *p; ++p) *p = '*';
      }
    }
  }
}

}  // namespace

int main(int raw_argc, char** raw_argv) {
  if (!carbontracker::io::open_dev_null_on_closed_std_fds()) return 125;  // before any file is opened
  using namespace carbontracker::cli;
  const std::vector<std::string> raw_args(raw_argv, raw_argv + raw_argc);
  scrub_secrets(raw_argc, raw_argv);  // raw_args keeps the values; the process list does not
  // The Python tool's `carbontracker cmd ... --log_dir DIR ...` keeps working.
  PythonForm python_form = read_python_form(raw_args);
  if (python_form.error) {
    std::cerr << *python_form.error << "\n";
    return kExitUsage;
  }
  // `carbontracker reprot logs`: a mistyped subcommand, not a program to measure.
  if (auto message = mistyped_command(python_form)) {
    std::cerr << *message << "\n";
    return kExitUsage;
  }
  for (const auto& note : python_form.notes) std::cerr << note << "\n";
  if (python_form.parse_dir) return print_python_aggregate(*python_form.parse_dir);
  std::vector<std::string> args = std::move(python_form.args);
  std::vector<char*> argv_storage;
  for (auto& a : args) argv_storage.push_back(a.data());
  const int argc = static_cast<int>(argv_storage.size());
  char** argv = argv_storage.data();
  CLI::App app{"carbontracker: measure, predict and cut the energy use and carbon footprint of training",
               "carbontracker"};
  add_version_flag(app);
  app.require_subcommand(1);
  app.fallthrough(false);
  bool about = false;
  app.add_flag("--about", about, "Data sources, their licences and attribution");
  app.footer(
      "The Python carbontracker's forms work too (docs/cli.md):\n"
      "  carbontracker [--log_dir DIR] [--api_keys K] [--sim-cpu NAME --sim-cpu-tdp W ...] CMD ARGS...\n"
      "      its options anywhere on the line (a unique prefix too, e.g. --log); the rest is the command\n"
      "  carbontracker --parse DIR                   the Python tool's statement over DIR's logs\n"
      "  carbontracker --report LOG [--output FILE]  the report of LOG's run");
  auto devices = add_devices_command(app);
  auto monitor = add_monitor_command(app);
  auto run = add_run_command(app);
  auto intensity = add_intensity_command(app);
  auto report = add_report_command(app);
  // --about works without a subcommand.
  app.preparse_callback([&](std::size_t) {
    for (int i = 1; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--about") app.require_subcommand(0);
    }
  });
  if (auto message = empty_option_value(args)) {
    std::cerr << *message << "\n";
    return kExitUsage;
  }
  if (auto message = missing_separator(*app.get_subcommand("run"), args)) {
    std::cerr << *message << "\n";
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return exit_on_usage_error(app, e, args);
  }
  try {
    if (about) {
      std::cout << "carbontracker " << carbontracker::kVersion << "\n\n"
                << "Data shipped with this tool:\n"
                << carbontracker::intensity::data_attributions();
      return 0;
    }
    if (app.got_subcommand("devices")) return devices();
    if (app.got_subcommand("monitor")) return monitor();
    if (app.got_subcommand("run")) return run();
    if (app.got_subcommand("intensity")) return intensity();
    if (app.got_subcommand("report")) return report();
  } catch (const carbontracker::ConfigError& e) {
    std::cerr << "carbontracker: " << e.what() << "\n";
    return kExitUsage;
  } catch (const CLI::Error& e) {
    std::cerr << "carbontracker: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "carbontracker: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
