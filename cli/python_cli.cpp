#include <optional>
#include <set>

#include "commands.hpp"

namespace carbontracker::cli {

std::vector<std::string> translate_python_cli(const std::vector<std::string>& args) {
  static const std::set<std::string> kSubcommands{"devices", "monitor", "run", "report", "intensity"};
  if (args.size() < 2 || kSubcommands.count(args[1])) return args;
  // `--parse DIR`: the Python tool printed the aggregate statement; `--report LOG [--output F]`
  // wrote a PDF report: ours is the HTML report.
  auto value_of = [&](std::string_view flag) -> std::optional<std::string> {
    for (std::size_t i = 1; i + 1 < args.size(); ++i) {
      if (args[i] == flag) return args[i + 1];
    }
    return std::nullopt;
  };
  if (auto dir = value_of("--parse")) return {args[0], "report", "--statement", *dir};
  if (auto log = value_of("--report")) {
    std::string out = value_of("--output").value_or("carbon_report.html");
    if (out.size() > 4 && out.substr(out.size() - 4) == ".pdf") out.replace(out.size() - 4, 4, ".html");
    return {args[0], "report", "--format", "html", "--output", out, *log};
  }
  // The Python CLI's options that take a value (argparse, parse_known_args).
  static const std::set<std::string> kValued{"--log_dir",     "--api_keys",      "--sim-cpu",       "--sim-cpu-tdp",
                                             "--sim-cpu-util", "--sim-gpu",      "--sim-gpu-watts", "--sim-gpu-util"};
  std::vector<std::string> options;
  std::size_t i = 1;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string name = a.substr(0, a.find('='));
    if (!kValued.count(name)) break;
    const std::string renamed = name == "--log_dir" ? "--log-dir" : name == "--api_keys" ? "--api-keys" : name;
    if (a.find('=') != std::string::npos) {
      options.push_back(renamed + a.substr(a.find('=')));
    } else if (i + 1 < args.size()) {
      options.push_back(renamed);
      options.push_back(args[++i]);
    } else {
      return args;  // a dangling option: let the normal parser report it
    }
  }
  // Nothing left, or our own options (--help, --version, --about, ...): not the Python form.
  if (i >= args.size() || args[i].rfind("-", 0) == 0) return args;
  std::vector<std::string> out{args[0], "run"};
  out.insert(out.end(), options.begin(), options.end());
  out.push_back("--");
  out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return out;
}

}  // namespace carbontracker::cli
