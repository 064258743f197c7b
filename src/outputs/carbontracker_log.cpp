#include "outputs/carbontracker_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>
#include <system_error>

#include <fmt/format.h>

#include "io/safe_file.hpp"
#include "outputs/fork_safe_files.hpp"

namespace carbontracker::outputs {
namespace fs = std::filesystem;

std::string log_time(std::chrono::system_clock::time_point t, bool millis) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&secs, &tm);
  std::string out = fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", tm.tm_year + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (millis) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    out += fmt::format(",{:03d}", static_cast<int>(ms < 0 ? ms + 1000 : ms));
  }
  return out;
}

std::string LogNaming::stem() const {
  const std::time_t secs = std::chrono::system_clock::to_time_t(start);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{}{}.{}_{:04d}-{:02d}-{:02d}T{:02d}{:02d}{:02d}Z", prefix.empty() ? "" : prefix + "_", pid, id,
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

namespace {
// Log names are unique per run (pid, random id, start second); a name that exists anyway (a
// second tracker in this process drew the same id, or a file or link planted there) is never
// reused: the next id is tried.
constexpr int kNameAttempts = 64;
}  // namespace

Result<std::unique_ptr<CarbontrackerLog>> CarbontrackerLog::open(const std::optional<LogNaming>& naming,
                                                                 std::ostream* console, int verbose) {
  std::unique_ptr<CarbontrackerLog> log(new CarbontrackerLog());
  log->console_ = console;
  log->verbose_ = verbose;
  log->naming_ = naming;
  if (!naming) return log;
  if (naming->dir.native().find('\0') != std::string::npos) {
    return Status(StatusCode::invalid_argument, "log_dir contains a NUL byte (it would be cut there)",
                  "give a log_dir without NUL characters");
  }
  std::error_code ec;
  fs::create_directories(naming->dir, ec);
  if (ec) {
    return io::file_error(ec.value(), naming->dir, "cannot create the log directory",
                          "choose a writable log_dir (--log-dir) or fix its permissions");
  }
  for (int attempt = 0;; ++attempt) {
    int err = 0;
    auto std_file = io::open_new_log(*log->std_path(), &err);
    // Out of memory (fopen allocates) is not a bad log_dir: it is reported as what it is.
    if (!std_file && err == ENOMEM) throw std::bad_alloc();
    if (!std_file && (err != EEXIST || attempt + 1 == kNameAttempts)) return std_file.status();
    if (std_file) {
      auto out_file = io::open_new_log(*log->output_path(), &err);
      if (out_file) {
        log->std_ = std_file->release();
        log->output_ = out_file->release();
        register_fork_safe(log->std_);
        register_fork_safe(log->output_);
        return log;
      }
      if (err == ENOMEM) throw std::bad_alloc();
      std_file->reset();
      ::unlink(log->std_path()->c_str());  // ours, just created, empty
      if (err != EEXIST || attempt + 1 == kNameAttempts) return out_file.status();
    }
    log->naming_->id = log->naming_->id % 999999 + 1;
  }
}

CarbontrackerLog::~CarbontrackerLog() {
  for (std::FILE* f : {std_, output_, err_}) {
    if (!f) continue;
    forget_fork_safe(f);
    std::fclose(f);
  }
}

std::optional<fs::path> CarbontrackerLog::std_path() const {
  if (!naming_) return std::nullopt;
  return naming_->dir / (naming_->stem() + "_carbontracker.log");
}
std::optional<fs::path> CarbontrackerLog::output_path() const {
  if (!naming_) return std::nullopt;
  return naming_->dir / (naming_->stem() + "_carbontracker_output.log");
}
std::optional<fs::path> CarbontrackerLog::err_path() const {
  if (!naming_) return std::nullopt;
  return naming_->dir / (naming_->stem() + "_carbontracker_err.log");
}

void CarbontrackerLog::write(std::FILE* f, std::string_view text) {
  if (!f || !status_.is_ok()) return;
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::ferror(f)) {
    const int err = errno ? errno : EIO;
    status_ = Status(StatusCode::unavailable,
                     fmt::format("writing the carbontracker logs failed: {}; logging to files stopped, the run "
                                 "goes on and the final report is still printed",
                                 io::errno_text(err)),
                     io::fix_for_errno(err, std_path().value_or(fs::path())));
  }
}

std::FILE* CarbontrackerLog::err_file() {
  if (!err_ && naming_ && status_.is_ok()) {
    auto f = io::open_new_log(*err_path());
    if (f) {
      err_ = f->release();
      register_fork_safe(err_);
    } else {
      status_ = Status(f.status().code(), f.status().message() + "; logging to files stopped", f.status().fix());
    }
  }
  return err_;
}

// Every line of an epoch falls in the same second: format that second once.
const std::string& CarbontrackerLog::line_time(std::chrono::system_clock::time_point wall) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(wall);
  if (secs != line_time_secs_ || line_time_.empty()) {
    line_time_ = log_time(wall);
    line_time_secs_ = secs;
  }
  return line_time_;
}

// "<time> - <tag><message>\n" built in a buffer kept across lines: one fwrite, no allocation once
// it has grown. Nothing is formatted when there is no file (no log_dir) or it has failed.
bool CarbontrackerLog::begin_line(std::FILE* f, std::chrono::system_clock::time_point wall, std::string_view tag) {
  if (!f || !status_.is_ok()) return false;
  line_.clear();
  line_ += line_time(wall);
  line_ += " - ";
  line_ += tag;
  return true;
}

void CarbontrackerLog::end_line(std::FILE* f) {
  line_ += '\n';
  write(f, line_);
}

void CarbontrackerLog::line(std::FILE* f, std::chrono::system_clock::time_point wall, std::string_view tag,
                            std::string_view message) {
  if (!begin_line(f, wall, tag)) return;
  line_ += message;
  end_line(f);
}

void CarbontrackerLog::info(std::chrono::system_clock::time_point wall, std::string_view message) {
  line(std_, wall, {}, message);
}

void CarbontrackerLog::output(std::chrono::system_clock::time_point wall, std::string_view message) {
  line(output_, wall, "CarbonTracker: ", message);
  if (console_ && verbose_ > 0) *console_ << "CarbonTracker: " << message << '\n' << std::flush;
}

void CarbontrackerLog::console_only(std::string_view message) {
  if (console_ && verbose_ > 0) *console_ << "CarbonTracker: " << message << '\n' << std::flush;
}

void CarbontrackerLog::output_log_only(std::chrono::system_clock::time_point wall, std::string_view message) {
  line(output_, wall, "CarbonTracker: ", message);
}

void CarbontrackerLog::prompt(std::chrono::system_clock::time_point wall, std::string_view message) {
  write(output_, fmt::format("{} - CarbonTracker: {}\n", log_time(wall), message));
  if (console_) *console_ << "CarbonTracker: " << message << '\n' << std::flush;
}

void CarbontrackerLog::warning(std::chrono::system_clock::time_point wall, std::string_view message) {
  write(err_file(), fmt::format("{} - MainThread - WARNING - {}\n", log_time(wall, true), message));
  // Warnings reach the console whatever `verbose` says, as in the Python tool.
  if (console_) *console_ << "CarbonTracker: WARNING - " << message << '\n' << std::flush;
}

void CarbontrackerLog::flush() {
  for (std::FILE* f : {std_, output_, err_}) {
    if (f && std::fflush(f) != 0 && status_.is_ok()) {
      const int err = errno ? errno : EIO;
      status_ = Status(StatusCode::unavailable,
                       fmt::format("writing the carbontracker logs failed: {}; logging to files stopped",
                                   io::errno_text(err)),
                       io::fix_for_errno(err, std_path().value_or(fs::path())));
    }
  }
}

}  // namespace carbontracker::outputs
