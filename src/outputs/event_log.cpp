#include "outputs/event_log.hpp"

#include <cerrno>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "outputs/fork_safe_files.hpp"

namespace carbontracker::outputs {

Result<std::unique_ptr<EventLog>> EventLog::open(const std::filesystem::path& path) {
  std::unique_ptr<EventLog> log(new EventLog());
  log->path_ = path;
  log->file_ = std::fopen(path.c_str(), "we");
  if (!log->file_) {
    if (errno == ENOMEM) throw std::bad_alloc();  // not a bad log_dir
    return Status(StatusCode::invalid_argument,
                  fmt::format("cannot write the event log {}: {}", path.string(), std::strerror(errno)),
                  "choose a writable log_dir (--log-dir) or fix its permissions");
  }
  register_fork_safe(log->file_);
  return log;
}

EventLog::~EventLog() {
  if (!file_) return;
  forget_fork_safe(file_);
  std::fclose(file_);
}

void EventLog::append(nlohmann::json record) {
  record["v"] = kEventLogVersion;
  // Invalid UTF-8 (a device name, a child's output) must not throw: replace it.
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line += '\n';
  std::lock_guard lock(mutex_);
  if (!file_ || !status_.is_ok()) return;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
    status_ = Status(StatusCode::unavailable,
                     fmt::format("writing the event log failed ({}); event logging stopped", std::strerror(errno)),
                     "free space in the log directory or raise the file size limit");
  }
}

void EventLog::flush() {
  std::lock_guard lock(mutex_);
  if (file_ && status_.is_ok() && std::fflush(file_) != 0) {
    status_ = Status(StatusCode::unavailable,
                     fmt::format("flushing the event log failed ({}); event logging stopped", std::strerror(errno)),
                     "free space in the log directory or raise the file size limit");
  }
}

Status EventLog::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace carbontracker::outputs
