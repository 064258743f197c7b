#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "io/closest_name.hpp"

namespace carbontracker::cli {
namespace {

const std::set<std::string> kSubcommands{"devices", "monitor", "run", "report", "intensity"};
// Commands a user may try from the issue tracker or newer docs: named as not in this version
// rather than run as a program.
const std::set<std::string> kFutureCommands{"plan"};

// The Python CLI's options that take a value (argparse, parse_known_args).
const std::set<std::string> kValued{"--log_dir",      "--api_keys", "--sim-cpu",       "--sim-cpu-tdp",
                                    "--sim-cpu-util", "--sim-gpu",  "--sim-gpu-watts", "--sim-gpu-util"};

// Where the command of the Python form `carbontracker [--log_dir DIR ...] CMD ...` starts;
// nullopt when the arguments are not that form.
std::optional<std::size_t> python_command_index(const std::vector<std::string>& args) {
  std::size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!kValued.count(a.substr(0, a.find('=')))) break;
    if (a.find('=') == std::string::npos) {
      if (i + 1 >= args.size()) return std::nullopt;  // a dangling option: let the normal parser report it
      ++i;
    }
  }
  // Nothing left, or our own options (--help, --version, --about, ...): not the Python form.
  if (i >= args.size() || args[i].rfind("-", 0) == 0) return std::nullopt;
  return i;
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

std::optional<std::string> mistyped_command(const std::vector<std::string>& args) {
  const auto at = python_command_index(args);
  if (!at) return std::nullopt;
  const std::string& word = args[*at];
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

std::vector<std::string> translate_python_cli(const std::vector<std::string>& args) {
  if (args.size() < 2 || kSubcommands.count(args[1])) return args;
  // `--parse DIR`: the Python tool printed the aggregate statement; `--report LOG [--output F]`
  // writes the PDF report (an output named *.html gets the HTML report).
  auto value_of = [&](std::string_view flag) -> std::optional<std::string> {
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
      if (args[i] == flag) return args[i + 1];
    }
    return std::nullopt;
  };
  if (auto dir = value_of("--parse")) return {args[0], "report", "--statement", *dir};
  if (auto log = value_of("--report")) {
    const std::string out = value_of("--output").value_or("carbon_report.pdf");
    const bool html = out.size() > 5 && out.substr(out.size() - 5) == ".html";
    return {args[0], "report", "--format", html ? "html" : "pdf", "--output", out, *log};
  }
  const auto at = python_command_index(args);
  if (!at) return args;
  std::vector<std::string> out{args[0], "run"};
  for (std::size_t i = 1; i < *at; ++i) {
    const std::string& a = args[i];
    const std::string name = a.substr(0, a.find('='));
    const std::string renamed = name == "--log_dir" ? "--log-dir" : name == "--api_keys" ? "--api-keys" : name;
    if (a.find('=') != std::string::npos) {
      out.push_back(renamed + a.substr(a.find('=')));
    } else {
      out.push_back(renamed);
      out.push_back(args[++i]);
    }
  }
  out.push_back("--");
  out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(*at), args.end());
  return out;
}

}  // namespace carbontracker::cli
