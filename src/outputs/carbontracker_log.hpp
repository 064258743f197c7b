// The three carbontracker-compatible log files plus the console, in the Python tool's formats:
//   <dir>/<prefix_><pid>.<id>_<YYYY-MM-DDTHHMMSSZ>_carbontracker.log         info() lines
//   <dir>/<prefix_><pid>.<id>_<YYYY-MM-DDTHHMMSSZ>_carbontracker_output.log  output() lines
//   <dir>/<prefix_><pid>.<id>_<YYYY-MM-DDTHHMMSSZ>_carbontracker_err.log     warnings (created lazily)
// Lines are "YYYY-MM-DD HH:MM:SS - <message>" (local time, as Python's logging); output lines
// carry "CarbonTracker: "; err lines are "YYYY-MM-DD HH:MM:SS,mmm - <thread> - <LEVEL> - <message>".
// The file-name time is UTC (the Python tool labels local time "Z"; we keep the name, fix the time).
//
// Contract: not thread-safe (the tracker calls it from the training thread). A failed write
// (disk full, file size limit) never throws: it is kept in status(), logging to files stops,
// the console keeps working. flush() pushes everything to the kernel.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iterator>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "core/status.hpp"

namespace carbontracker::outputs {

struct LogNaming {
  std::filesystem::path dir;
  std::string prefix;
  int pid = 0;
  int id = 0;
  std::chrono::system_clock::time_point start{};
  // "<prefix_><pid>.<id>_<time>" — the common stem; add "_carbontracker.log" etc.
  [[nodiscard]] std::string stem() const;
};

class CarbontrackerLog {
 public:
  // naming == nullopt: console only. Throws nothing; a directory that cannot be created or a
  // file that cannot be opened is a Status (the tracker turns it into a ConfigError). The files
  // are created new (io/safe_file.hpp): never through a symbolic link, never over an existing
  // file, never blocking on a FIFO; when a name exists, the next id is used (see naming()).
  static Result<std::unique_ptr<CarbontrackerLog>> open(const std::optional<LogNaming>& naming, std::ostream* console,
                                                        int verbose);
  ~CarbontrackerLog();
  CarbontrackerLog(const CarbontrackerLog&) = delete;
  CarbontrackerLog& operator=(const CarbontrackerLog&) = delete;

  // wall: the time stamped on the line (injected clock).
  void info(std::chrono::system_clock::time_point wall, std::string_view message);
  // As info(), the message formatted straight into the line (no string in between); nothing is
  // formatted when there is no std log.
  template <class... Args>
  void info_format(std::chrono::system_clock::time_point wall, fmt::format_string<Args...> format, Args&&... args) {
    if (!begin_line(std_, wall, {})) return;
    fmt::format_to(std::back_inserter(line_), format, std::forward<Args>(args)...);
    end_line(std_);
  }
  // Whether info() writes anywhere: false without log_dir, or once the logs failed. A caller
  // whose message costs something to build asks first.
  [[nodiscard]] bool writes_info() const noexcept { return std_ && status_.is_ok(); }
  void output(std::chrono::system_clock::time_point wall, std::string_view message);
  // As output(), but shown on the console whatever `verbose` says (a question awaiting an answer).
  void prompt(std::chrono::system_clock::time_point wall, std::string_view message);
  void warning(std::chrono::system_clock::time_point wall, std::string_view message);
  // The console only (when verbose), not the output log: a line the Python tool keeps out of it
  // because its parser would misread it (the PUE sentence contains "actual consumption").
  void console_only(std::string_view message);
  // The output log only: a line the console has already shown (as a warning).
  void output_log_only(std::chrono::system_clock::time_point wall, std::string_view message);
  void flush();

  [[nodiscard]] const Status& status() const noexcept { return status_; }
  // The naming in use: its id may differ from the one given to open() when that name existed.
  [[nodiscard]] const std::optional<LogNaming>& naming() const noexcept { return naming_; }
  [[nodiscard]] std::optional<std::filesystem::path> std_path() const;
  [[nodiscard]] std::optional<std::filesystem::path> output_path() const;
  [[nodiscard]] std::optional<std::filesystem::path> err_path() const;

 private:
  CarbontrackerLog() = default;
  void write(std::FILE* f, std::string_view text);
  void line(std::FILE* f, std::chrono::system_clock::time_point wall, std::string_view tag, std::string_view message);
  // line() in two halves: the time and tag into line_ (false: nothing to write), then the newline and the write.
  bool begin_line(std::FILE* f, std::chrono::system_clock::time_point wall, std::string_view tag);
  void end_line(std::FILE* f);
  std::FILE* err_file();
  const std::string& line_time(std::chrono::system_clock::time_point wall);  // log_time, cached per second

  std::optional<LogNaming> naming_;
  std::ostream* console_ = nullptr;
  int verbose_ = 1;
  std::FILE* std_ = nullptr;
  std::FILE* output_ = nullptr;
  std::FILE* err_ = nullptr;
  Status status_;
  std::time_t line_time_secs_ = 0;
  std::string line_time_;
  std::string line_;  // the line being written
};

// "2025-11-18 15:53:54" in local time; with millis: "2025-11-18 15:53:54,123".
std::string log_time(std::chrono::system_clock::time_point t, bool millis = false);

}  // namespace carbontracker::outputs
