// `carbontracker report PATH... [--format text|json|csv|html|pdf] [--output FILE] [--latex]
// [--job ID] [--table runs|jobs]`: reads log directories or files (ours and the Python
// carbontracker's), aggregates the runs, groups the processes of distributed jobs (report/jobs.hpp)
// and writes the summary, the paper statement, JSON, CSV, the HTML report or the PDF report.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>

#include <unistd.h>

#include <fmt/format.h>

#include "commands.hpp"
#include "io/safe_file.hpp"
#include "report/aggregate.hpp"
#include "report/formats.hpp"
#include "report/html_report.hpp"
#include "report/jobs.hpp"
#include "report/log_reader.hpp"
#include "report/pdf_report.hpp"

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
    std::optional<std::string> job;
    std::string table = "runs";
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("paths", a->paths, "Log directories or files")->required();
  cmd->add_option("--format", a->format, "text, json, csv, html or pdf")
      ->check(CLI::IsMember({"text", "json", "csv", "html", "pdf"}))
      ->capture_default_str();
  cmd->add_option("--output", a->output, "Write to this file instead of standard output");
  cmd->add_flag("--latex", a->latex, "The paper statement as a LaTeX snippet (with the BibTeX entry)");
  cmd->add_flag("--statement", a->statement, "Print only the paper statement (what the Python tool's --parse printed)");
  cmd->add_option("--job", a->job,
                  "Only the runs of this distributed job (its job_id: SLURM job id, torchrun run id, ...); the "
                  "totals are the job's");
  cmd->add_option("--table", a->table, "For --format csv: one row per run, or per job (and restart)")
      ->check(CLI::IsMember({"runs", "jobs"}))
      ->capture_default_str();

  return [a] {
    std::vector<std::filesystem::path> paths(a->paths.begin(), a->paths.end());
    for (const auto& p : paths) {
      if (!std::filesystem::exists(p)) {
        throw CLI::ValidationError(fmt::format("{} does not exist", p.string()),
                                   "give log directories or log files (see carbontracker report --help)");
      }
    }
    if (a->table != "runs" && a->format != "csv") {
      throw CLI::ValidationError("--table " + a->table, "only the CSV format has tables: add --format csv");
    }
    // A PDF is bytes, not text: never poured onto a terminal (checked before anything is read).
    if (a->format == "pdf" && !a->statement && a->output.empty() && ::isatty(STDOUT_FILENO)) {
      throw CLI::ValidationError("--format pdf",
                                 "the PDF report is binary: give --output FILE.pdf (or redirect standard output)");
    }
    report::ReadResult read = report::read_logs(paths);
    if (a->job) {
      // Only that job's runs, and only the problems met in their files.
      std::vector<std::string> ids;
      std::vector<report::RunData> kept;
      for (auto& r : read.runs) {
        if (!r.job) continue;
        if (std::find(ids.begin(), ids.end(), r.job->id) == ids.end()) ids.push_back(r.job->id);
        if (r.job->id == *a->job) kept.push_back(std::move(r));
      }
      if (kept.empty()) {
        std::sort(ids.begin(), ids.end());
        std::string found;
        for (const auto& id : ids) found += (found.empty() ? "" : ", ") + (id.empty() ? std::string("\"\"") : id);
        throw CLI::ValidationError(
            "--job " + *a->job,
            ids.empty() ? std::string("no log in the given paths is a process of a distributed job (no run_start "
                                      "holds a job): give no --job")
                        : fmt::format("no log in the given paths belongs to job '{}'; the jobs found: {}", *a->job,
                                      found));
      }
      std::vector<report::ReadIssue> issues;
      for (auto& i : read.issues) {
        for (const auto& r : kept) {
          if (i.file == r.file || (!r.std_file.empty() && i.file == r.std_file)) {
            issues.push_back(std::move(i));
            break;
          }
        }
      }
      read.runs = std::move(kept);
      read.issues = std::move(issues);
    }
    std::vector<report::RunFigures> figures;
    for (const auto& r : read.runs) figures.push_back(report::figures_for(r));
    const report::TotalFigures total = report::totals_for(figures);
    const std::vector<report::JobFigures> jobs = report::jobs_for(read.runs, figures);
    auto warn_issues = [&] {
      for (const auto& i : read.issues) {
        std::cerr << "carbontracker: warning: " << i.file << ":" << i.line << ": " << i.message << "\n";
      }
    };
    if (read.runs.empty()) {
      // Nothing to report: no statement of zeros, no output file, a non-zero status.
      warn_issues();
      std::string given;
      for (const auto& p : a->paths) given += (given.empty() ? "" : ", ") + p;
      std::cerr << "carbontracker: no carbontracker logs found in " << given
                << ": nothing to report, no statement written. A log directory holds *_carbontracker.log and "
                   "*_carbontracker_output.log (the Python carbontracker's) or *_carbontracker_events.jsonl files; "
                   "give the directory your runs wrote (log_dir / --log-dir)\n";
      return 1;
    }
    const bool usable = total.runs > 0;

    std::string text;
    if (a->statement) {
      if (usable) text = report::paper_statement(total, a->latex) + "\n";
    } else if (a->format == "json") {
      // A log's bytes in an issue may be invalid UTF-8: replaced, never a throw.
      text = report::render_json(figures, total, read.issues, jobs)
                 .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n";
    } else if (a->format == "csv") {
      text = a->table == "jobs" ? report::render_jobs_csv(jobs) : report::render_csv(figures);
    } else if (a->format == "html") {
      report::HtmlOptions opts;
      opts.issues = read.issues;
      text = report::render_html_report(read.runs, opts);
    } else if (a->format == "pdf") {
      report::HtmlOptions opts;  // the same report as the HTML one (src/report/pdf_report.hpp)
      opts.issues = read.issues;
      text = report::render_pdf_report(read.runs, opts);
    } else {
      text = report::render_text(figures, total, read.issues, a->latex, jobs);
    }
    if (!usable && a->statement) {
      // No statement to write.
    } else if (a->output.empty()) {
      std::cout << text;
    } else {
      // Whole or not at all, never through a link or into a FIFO, not killed by SIGXFSZ.
      const Status st = io::write_atomically(a->output, text, "cannot write the --output file");
      if (!st) throw std::runtime_error(st.to_string());  // not a usage error: no "--help" hint
      std::cerr << "carbontracker: wrote " << a->output << "\n";
    }
    // Problems while reading are reported (in the text/json outputs, and here for the others).
    if (a->format == "csv" || a->format == "html" || a->format == "pdf" || a->statement) warn_issues();
    if (!usable) {
      std::cerr << fmt::format(
          "carbontracker: none of the {} run(s) found has a usable energy figure ({} damaged: NaN, negative or missing "
          "values, each named with its file:line): no statement written\n",
          read.runs.size(), total.runs_damaged);
      return 1;
    }
    return 0;
  };
}

}  // namespace carbontracker::cli
