// The Python carbontracker's command line (its cli.py: argparse, parse_known_args), read as that
// tool reads it. Its options are taken from anywhere on the line, by exact name or by a unique
// prefix (argparse's allow_abbrev, on by default there); everything else, in order, is the
// command. Documented in docs/cli.md ("The Python tool's form").
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "commands.hpp"
#include "error_text.hpp"
#include "io/closest_name.hpp"
#include "report/python_compat.hpp"
#include "usage_errors.hpp"

namespace carbontracker::cli {
namespace {

const std::set<std::string> kSubcommands{"devices", "monitor", "run", "report", "intensity"};
// Commands a user may try from the issue tracker or newer docs: named as not in this version
// rather than run as a program.
const std::set<std::string> kFutureCommands{"plan"};

// The Python tool's options, each with one value, and the `run` option each one becomes ("" for
// those that are not run's). --help is the only other one it has.
const std::vector<std::pair<std::string, std::string>> kValued{
    {"--log_dir", "--log-dir"},         {"--api_keys", "--api-keys"},         {"--parse", ""},
    {"--report", ""},                   {"--output", ""},                     {"--sim-cpu", "--sim-cpu"},
    {"--sim-cpu-tdp", "--sim-cpu-tdp"}, {"--sim-cpu-util", "--sim-cpu-util"}, {"--sim-gpu", "--sim-gpu"},
    {"--sim-gpu-watts", "--sim-gpu-watts"}, {"--sim-gpu-util", "--sim-gpu-util"}};

bool is_valued(const std::string& name) {
  for (const auto& [python_name, run_name] : kValued) {
    if (python_name == name) return true;
  }
  return false;
}

// What argparse reads as an option (not a value): a leading '-', except "-" alone, a negative
// number, or a word with a space in it (argparse's _parse_optional).
bool looks_like_option(const std::string& a) {
  if (a.size() < 2 || a[0] != '-') return false;
  if (a.find(' ') != std::string::npos) return false;
  // argparse's negative number: -\d+ or -\d*\.\d+
  const std::string_view digits = std::string_view(a).substr(1);
  const std::size_t dot = digits.find('.');
  const auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const bool negative_number = dot == std::string_view::npos
                                   ? all_digits(digits)
                                   : dot + 1 < digits.size() && all_digits(digits.substr(0, dot)) &&
                                         all_digits(digits.substr(dot + 1));
  return !negative_number;
}

// argparse's abbreviations, which CLI11 does not have: each `--pre[=value]` before a `--` that
// is the unique prefix of one option gets that option's full name; a prefix of several is an
// error (as argparse: "ambiguous option"). Also argparse's check that a valued option is not
// followed by another option. Returns the error message, or nullopt.
std::optional<std::string> expand_abbreviations(std::vector<std::string>& args, std::vector<std::string>& notes) {
  std::vector<std::string> names{"--help"};
  for (const auto& [python_name, run_name] : kValued) names.push_back(python_name);
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string& a = args[i];
    if (a == "--") return std::nullopt;  // the rest is the command's
    if (a.rfind("--", 0) != 0) continue;
    const std::size_t eq = a.find('=');
    std::string name = a.substr(0, eq);
    std::vector<std::string> matches;
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      matches = {name};  // exact: --sim-cpu is not ambiguous beside --sim-cpu-tdp
    } else {
      for (const auto& n : names) {
        if (n.rfind(name, 0) == 0) matches.push_back(n);
      }
    }
    if (matches.size() > 1) {
      std::string list;
      for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
      return "carbontracker: ambiguous option: " + name + " could match " + list +
             " (the Python tool's form reads a unique prefix of its options as the option, as its argparse "
             "does). Nothing was run. Give the full name; the command's own options go after --";
    }
    if (matches.empty()) continue;
    if (matches.front() != name) {
      // Most likely the command's own option: never silently.
      notes.push_back("carbontracker: note: " + name + " was read as " + matches.front() +
                      " (a unique prefix of it, as the Python tool reads it) and not given to the command; to give it "
                      "to the command, put it after --");
    }
    name = matches.front();
    a = name + (eq == std::string::npos ? "" : a.substr(eq));
    if (!is_valued(name)) continue;
    if (eq == std::string::npos && (i + 1 >= args.size() || looks_like_option(args[i + 1]))) {
      return "carbontracker: argument " + name + ": expected one argument. Nothing was run.";
    }
    // An empty value (`--log_dir=`, `--log_dir ""`): argparse takes "", which none of these options
    // can use; CLI11 would take the word after `--log_dir=` as its value instead, silently.
    if (eq == std::string::npos ? args[i + 1].empty() : a.size() == name.size() + 1) {
      return "carbontracker: argument " + name + ": an empty value. Nothing was run. Give a value, e.g. " + name +
             "=VALUE";
    }
    if (eq == std::string::npos) ++i;  // its value, whatever it looks like
  }
  return std::nullopt;
}

// As execvp() finds a bare name: the directories of $PATH (the system default when unset).
bool executable_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string file = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(file.c_str(), X_OK) == 0) return true;
  }
  return false;
}

}  // namespace

PythonForm read_python_form(const std::vector<std::string>& raw_args) {
  PythonForm form;
  form.args = raw_args;
  if (raw_args.size() < 2 || kSubcommands.count(raw_args[1])) return form;
  std::vector<std::string> args = raw_args;
  if (auto error = expand_abbreviations(args, form.notes)) {
    form.error = std::move(error);
    return form;
  }

  // The Python tool's parser: its options, anywhere; everything else is kept, in order.
  CLI::App app{"carbontracker (the Python tool's form)", "carbontracker"};
  app.set_help_flag("-h,--help");
  app.allow_extras();
  std::map<std::string, std::string> values;
  std::vector<std::pair<std::string, CLI::Option*>> given;
  for (const auto& [python_name, run_name] : kValued) {
    // A repeated option: the last one counts, as in argparse.
    given.emplace_back(python_name, app.add_option(python_name, values[python_name])
                                        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast));
  }
  try {
    app.parse(std::vector<std::string>(args.rbegin(), args.rend() - 1));
  } catch (const CLI::CallForHelp&) {
    form.args = {raw_args[0], "--help"};  // argparse prints the help wherever -h is
    return form;
  } catch (const CLI::ParseError& e) {
    form.error = std::string("carbontracker: ") + e.what() + ". Nothing was run.";
    return form;
  }
  auto has = [&](const std::string& name) {
    for (const auto& [n, opt] : given) {
      if (n == name) return opt->count() > 0;
    }
    return false;
  };
  if (has("--parse")) {  // first, as the Python tool: nothing else is run
    form.parse_dir = values["--parse"];
    return form;
  }
  if (has("--report")) {
    // The Python tool writes a PDF to --output (default carbon_report.pdf); a *.html name gets
    // the HTML report.
    const std::string out = has("--output") ? values["--output"] : "carbon_report.pdf";
    const bool html = out.size() > 5 && out.compare(out.size() - 5, 5, ".html") == 0;
    form.args = {raw_args[0], "report", "--format", html ? "html" : "pdf", "--output", out, values["--report"]};
    return form;
  }
  std::vector<std::string> command = app.remaining();
  // A leading `--` only ends our options (the Python tool would try to run a program named "--");
  // a later one is the command's own argument, as the Python tool passes it.
  if (!command.empty() && command.front() == "--") command.erase(command.begin());
  bool any_given = false;
  for (const auto& [n, opt] : given) any_given = any_given || opt->count() > 0;
  if (command.empty() || command.front().rfind("-", 0) == 0) {
    // Not this form (`carbontracker --version`, an unknown option): the subcommands' parser says so.
    if (!any_given) return form;
    form.error = command.empty()
                     ? std::string("carbontracker: no command to run after the Python tool's options. Nothing was "
                                   "run. Give one: carbontracker --log_dir ./logs python3 train.py")
                     : "carbontracker: '" + command.front() +
                           "' is no option of the Python tool's form (--log_dir, --api_keys, --sim-*, --parse, "
                           "--report, --output) and no command. Nothing was run. Put the command first "
                           "(carbontracker python3 train.py ...), or use carbontracker run [options] -- CMD ARGS...";
    return form;
  }
  if (has("--output")) {
    form.notes.push_back("carbontracker: note: --output " + values["--output"] +
                         " was read as carbontracker's (the Python tool's form takes it anywhere; it only applies "
                         "with --report) and not given to the command; to give it to the command, put it after --");
  }
  form.command = command;
  form.args = {raw_args[0], "run"};
  for (const auto& [python_name, run_name] : kValued) {
    if (!run_name.empty() && has(python_name)) form.args.push_back(run_name + "=" + values[python_name]);
  }
  form.args.push_back("--");
  form.args.insert(form.args.end(), command.begin(), command.end());
  return form;
}

std::optional<std::string> mistyped_command(const PythonForm& form) {
  if (form.command.empty()) return std::nullopt;
  const std::string& word = form.command.front();
  // A path or a file name (./train.sh, train.py) is a program to run, never a subcommand.
  if (word.empty() || word.find_first_of("/.") != std::string::npos) return std::nullopt;
  // Exactly a subcommand after the Python form's options: left as it was (a program to run).
  if (kSubcommands.count(word)) return std::nullopt;
  std::vector<std::string> known_and_future(kSubcommands.begin(), kSubcommands.end());
  known_and_future.insert(known_and_future.end(), kFutureCommands.begin(), kFutureCommands.end());
  const std::string closest = io::closest_name(word, known_and_future);
  if (closest.empty() || executable_on_path(word)) return std::nullopt;
  std::string known;
  for (const auto& name : kSubcommands) known += (known.empty() ? "" : ", ") + name;
  // Nothing was run: say so, and how to run a program of that name after all.
  const std::string tail = "\nNothing was run or measured. Commands: " + known +
                           " (carbontracker --help). A program of that name: give its path, e.g. ./" + word + ".";
  if (kFutureCommands.count(closest)) {
    return "carbontracker: unknown command '" + word + "'; this version has no '" + closest + "' command." + tail;
  }
  return "carbontracker: unknown command '" + word + "'; did you mean '" + closest + "'?" + tail;
}

int print_python_aggregate(const std::string& log_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(log_dir, ec)) {
    const bool exists = std::filesystem::exists(log_dir, ec);
    std::cerr << "carbontracker: --parse " << log_dir << (exists ? ": not a directory" : ": no such directory")
              << ". Give the directory the runs wrote their logs to (log_dir); for one log file use carbontracker "
                 "report FILE\n";
    return kExitUsage;
  }
  std::vector<report::ReadIssue> issues;
  report::python_compat::AggregateConsumption total;
  try {
    total = report::python_compat::aggregate_consumption(log_dir, &issues);
  } catch (const std::exception& e) {  // e.g. the directory became unreadable meanwhile
    std::cerr << error_line(e) << "\n";
    return 1;
  }
  for (const auto& i : issues) {
    std::cerr << "carbontracker: warning: " << i.file << ":" << i.line << ": " << i.message << "\n";
  }
  // The Python tool prints a sentence of zeros here; a zero is not what was measured.
  if (total.basis == report::python_compat::AggregateBasis::none) {
    std::cerr << "carbontracker: " << (total.runs.empty() ? "no carbontracker logs found" : "no run with a usable energy figure")
              << " in " << log_dir
              << ": no statement written. A log directory holds *_carbontracker.log and *_carbontracker_output.log "
                 "files (or *_carbontracker_events.jsonl); give the directory your runs wrote (log_dir)\n";
    return 1;
  }
  std::cout << report::python_compat::aggregate_sentence(total) << "\n";
  return 0;
}

}  // namespace carbontracker::cli
