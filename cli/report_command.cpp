// `carbontracker report PATH... [--format text|json|csv|html] [--output FILE] [--latex]`:
// reads log directories or files (ours and the Python carbontracker's), aggregates the runs and
// writes the summary, the paper statement, JSON, CSV or the HTML report.
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "io/safe_file.hpp"
#include "report/aggregate.hpp"
#include "report/formats.hpp"
#include "report/html_report.hpp"
#include "report/log_reader.hpp"

namespace carbontracker::cli {

std::function<int()> add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Read and aggregate carbontracker logs (ours and the Python tool's)");
  add_version_flag(*cmd);
  struct Args {
    std::vector<std::string> paths;
    std::string format = "text";
    std::string output;
    bool latex = false;
    bool statement = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("paths", a->paths, "Log directories or files")->required();
  cmd->add_option("--format", a->format, "text, json, csv or html")
      ->check(CLI::IsMember({"text", "json", "csv", "html"}))
      ->capture_default_str();
  cmd->add_option("--output", a->output, "Write to this file instead of standard output");
  cmd->add_flag("--latex", a->latex, "The paper statement as a LaTeX snippet (with the BibTeX entry)");
  cmd->add_flag("--statement", a->statement, "Print only the paper statement (what the Python tool's --parse printed)");

  return [a] {
    std::vector<std::filesystem::path> paths(a->paths.begin(), a->paths.end());
    for (const auto& p : paths) {
      if (!std::filesystem::exists(p)) {
        throw CLI::ValidationError(fmt::format("{} does not exist", p.string()),
                                   "give log directories or log files (see carbontracker report --help)");
      }
    }
    const report::ReadResult read = report::read_logs(paths);
    std::vector<report::RunFigures> figures;
    for (const auto& r : read.runs) figures.push_back(report::figures_for(r));
    const report::TotalFigures total = report::totals_for(figures);

    std::string text;
    if (a->statement) {
      text = report::paper_statement(total, a->latex) + "\n";
    } else if (a->format == "json") {
      text = report::render_json(figures, total, read.issues).dump(2) + "\n";
    } else if (a->format == "csv") {
      text = report::render_csv(figures);
    } else if (a->format == "html") {
      report::HtmlOptions opts;
      opts.issues = read.issues;
      text = report::render_html_report(read.runs, opts);
    } else {
      text = report::render_text(figures, total, read.issues, a->latex);
    }
    if (a->output.empty()) {
      std::cout << text;
    } else {
      // Whole or not at all, never through a link or into a FIFO, not killed by SIGXFSZ.
      const Status st = io::write_atomically(a->output, text, "cannot write the --output file");
      if (!st) throw std::runtime_error(st.to_string());  // not a usage error: no "--help" hint
      std::cerr << "carbontracker: wrote " << a->output << "\n";
    }
    if (read.runs.empty()) {
      std::cerr << "carbontracker: no carbontracker logs found in the given paths\n";
      return 1;
    }
    // Problems while reading are reported (in the text/json outputs, and here for the others).
    if (a->format == "csv" || a->format == "html" || a->statement) {
      for (const auto& i : read.issues) std::cerr << "carbontracker: warning: " << i.file << ":" << i.line << ": " << i.message << "\n";
    }
    return 0;
  };
}

}  // namespace carbontracker::cli
