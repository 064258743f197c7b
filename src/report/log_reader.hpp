// Finds and reads carbontracker logs — ours (JSON Lines event log and compatible text logs) and
// the Python carbontracker's (v1.x, v2.x) — for `carbontracker report` and python_compat.
//
// Contract:
// - `paths` are files or directories. A directory's own entries are read, not its
//   subdirectories (a log directory is flat in both tools; pass subdirectories explicitly).
//   Recognised names: `<stem>_carbontracker_events.jsonl`, `<stem>_carbontracker.log` (standard),
//   `<stem>_carbontracker_output.log`, `<stem>_carbontracker_err.log` (warnings only); other files
//   in a directory are ignored. A file given explicitly with another name is recognised by its
//   content (a JSON object per line, a report block, or a standard-log line), else reported.
// - Files are grouped into runs by (directory, stem); the stem is the name before
//   `_carbontracker` (the Python tool's `<prefix_><pid>.<id>_<time>`), so several runs in one
//   directory, and several hosts/ranks of one job (different pids), are separate runs; a text
//   pair is matched by stem, never by position in a sorted list. A run with a readable event log
//   is read from it alone (its text logs say the same and are not counted again); otherwise from
//   its standard and output logs, either of which may be missing (read for what it has, with an
//   issue). Empty files are treated as absent. The same file reached twice is read once.
// - Runs come out sorted by directory and stem. Never throws for bad or unreadable files, never
//   crashes: every problem is a ReadIssue "file:line: reason" (line 0: the whole file).
// - Thread-safe: no shared state.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/run_data.hpp"

namespace carbontracker::report {

// The files of one run (empty path: not there).
struct LogFiles {
  std::filesystem::path dir;
  std::string stem;
  std::filesystem::path events, std_log, output_log, err_log;
};

// Finds the log files under `paths` and groups them by run (sorted by dir, stem).
std::vector<LogFiles> find_logs(const std::vector<std::filesystem::path>& paths, std::vector<ReadIssue>* issues);

// Reads one run; std::nullopt (with an issue) when none of its files has anything usable.
std::optional<RunData> read_run(const LogFiles& files, std::vector<ReadIssue>* issues);

// find_logs + read_run for each run. A message met in more than 5 files (the same note on every
// run of a cluster) is kept for the first 5 files (all their lines), then the other files are
// counted exactly in one issue with an empty file: "the same in N more file(s) (M lines): ...".
ReadResult read_logs(const std::vector<std::filesystem::path>& paths);

// The whole file, or std::nullopt with an issue (unreadable, or larger than 1 GiB).
std::optional<std::string> read_log_file(const std::filesystem::path& path, std::vector<ReadIssue>* issues);

}  // namespace carbontracker::report
