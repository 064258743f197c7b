#include "outputs/event_log.hpp"

#include <cerrno>
#include <cstring>
#include <new>

#include <fmt/format.h>

#include "io/safe_file.hpp"
#include "outputs/fork_safe_files.hpp"

namespace carbontracker::outputs {

Result<std::unique_ptr<EventLog>> EventLog::open(const std::filesystem::path& path) {
  std::unique_ptr<EventLog> log(new EventLog());
  log->path_ = path;
  int err = 0;
  auto file = io::open_new_log(path, &err);
  if (!file && err == ENOMEM) throw std::bad_alloc();  // not a bad log_dir
  if (!file) return file.status();
  log->file_ = file->release();
  // Before register_fork_safe (which may make it unbuffered) and before any write.
  (void)std::setvbuf(log->file_, nullptr, _IOFBF, kBufferBytes);
  register_fork_safe(log->file_);
  return log;
}

void EventLog::failed(int err) {
  if (err == 0) err = EIO;
  status_ = Status(StatusCode::unavailable,
                   fmt::format("writing the event log {} failed: {}; event logging stopped", path_.string(),
                               io::errno_text(err)),
                   io::fix_for_errno(err, path_));
}

EventLog::~EventLog() {
  if (!file_) return;
  forget_fork_safe(file_);
  std::fclose(file_);
}

void EventLog::append(const Event& event) {
  // Invalid UTF-8 (a device name, a child's output) is replaced by the writer, never thrown.
  append_line(encode(event));
}

void EventLog::append_line(std::string line) {
  line += '\n';
  std::lock_guard lock(mutex_);
  if (!file_ || !status_.is_ok()) return;
  write_locked(line);
}

void EventLog::write_locked(std::string_view line) {
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) failed(errno);
}

void EventLog::flush() {
  std::lock_guard lock(mutex_);
  if (file_ && status_.is_ok() && std::fflush(file_) != 0) failed(errno);
}

Status EventLog::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace carbontracker::outputs
