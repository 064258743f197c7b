#include "usage_errors.hpp"

#include <cctype>
#include <iostream>

#include "io/closest_name.hpp"

namespace carbontracker::cli {
namespace {

bool is_run(const std::vector<std::string>& args) { return args.size() >= 2 && args[1] == "run"; }

bool has_separator(const std::vector<std::string>& args) {
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--") return true;
  }
  return false;
}

// Where the command starts among run's arguments: the first word that is neither an option nor
// an option's value. args.size() when there is none; nullopt after an option run does not know
// (whether it takes a value is unknown, so is where the command starts).
std::optional<std::size_t> command_index(const CLI::App& run, const std::vector<std::string>& args) {
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') return i;
    const CLI::Option* opt = run.get_option_no_throw(a.substr(0, a.find('=')));
    if (opt == nullptr) return std::nullopt;
    if (a.find('=') == std::string::npos && opt->get_items_expected_max() > 0) ++i;  // its value
  }
  return args.size();
}

// "--epohcs": the closest option of the command it was given to (or of the top level).
std::optional<std::string> closest_option(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* scope = &app;
  std::size_t from = 1;
  if (args.size() > 1) {
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == args[1]) {
        scope = sub;
        from = 2;
      }
    }
  }
  for (std::size_t i = from; i < args.size() && args[i] != "--"; ++i) {
    const std::string name = args[i].substr(0, args[i].find('='));
    if (name.rfind("--", 0) != 0 || name.size() < 3 || scope->get_option_no_throw(name) != nullptr) continue;
    std::vector<std::string> known;
    for (const CLI::Option* opt : scope->get_options()) {
      for (const auto& l : opt->get_lnames()) known.push_back("--" + l);
    }
    const std::string closest = io::closest_name(name, known);
    if (!closest.empty()) return "hint: unknown option " + name + "; did you mean " + closest + "?";
    return std::nullopt;
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& args, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to && i < args.size(); ++i) s += (s.empty() ? "" : " ") + args[i];
  return s;
}

std::string corrected(const std::vector<std::string>& args, std::size_t at) {
  const std::string ours = join(args, 2, at);
  return "carbontracker run " + (ours.empty() ? "" : ours + " ") + "-- " + join(args, at, args.size());
}

}  // namespace

std::optional<std::string> missing_separator(const CLI::App& run, const std::vector<std::string>& args) {
  if (!is_run(args) || has_separator(args)) return std::nullopt;
  const auto found = command_index(run, args);
  if (!found || *found >= args.size()) return std::nullopt;
  const std::size_t at = *found;
  bool option_after = false;
  for (std::size_t i = at + 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    // "-1", "-.5": a negative number is an argument, not an option.
    const bool number = a.size() > 1 && (std::isdigit(static_cast<unsigned char>(a[1])) || a[1] == '.');
    option_after = option_after || (a.size() > 1 && a[0] == '-' && !number);
  }
  if (!option_after) return std::nullopt;
  return "carbontracker: the command's options (after '" + args[at] +
         "') would be read as carbontracker's; nothing was run.\n"
         "hint: put -- before the command: " + corrected(args, at);
}

std::optional<std::string> empty_option_value(const std::vector<std::string>& args) {
  for (std::size_t i = 1; i < args.size() && args[i] != "--"; ++i) {
    const std::string& a = args[i];
    if (a.size() > 3 && a.compare(0, 2, "--") == 0 && a.back() == '=' && a.find('=') == a.size() - 1) {
      const std::string name = a.substr(0, a.size() - 1);
      return "carbontracker: " + name + "= has no value after '='; nothing was run. Give one (" + name +
             "=VALUE), or leave the option out.";
    }
  }
  return std::nullopt;
}

int exit_on_usage_error(CLI::App& app, const CLI::Error& e, const std::vector<std::string>& args) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: their output, status 0
  std::cerr << "carbontracker: " << e.what() << '\n';
  if (auto hint = closest_option(app, args)) std::cerr << *hint << '\n';
  if (is_run(args) && !has_separator(args)) {
    const auto at = command_index(*app.get_subcommand("run"), args);
    if (at && *at < args.size()) {
      std::cerr << "hint: put -- before the command: " << corrected(args, *at) << '\n';
    } else if (at && std::string_view(e.what()).find("command is required") != std::string_view::npos) {
      std::cerr << "hint: give the command to measure after --: carbontracker run [options] -- CMD ARGS...\n";
    }
  }
  std::cerr << "Run carbontracker --help (or carbontracker COMMAND --help) for the commands and options.\n";
  return kExitUsage;
}

}  // namespace carbontracker::cli
