// The JSON Lines event log's file: one record per line, encoded by outputs/event_codec.hpp
// (schema in docs/log-format.md). Written next to the carbontracker logs as
// <stem>_carbontracker_events.jsonl.
//
// Contract: thread-safe (the sampler thread appends power records, the training thread epoch
// records); each append is one fwrite of a formatted line under a mutex. The stream's buffer
// (kBufferBytes) holds an epoch's lines, so they reach the kernel in one write(2), at flush(). A
// failed write never throws: status() keeps it and writing stops. The file is created new
// (io/safe_file.hpp: no symbolic link followed, no existing file truncated, no FIFO blocked on).
#pragma once

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "outputs/event_codec.hpp"

namespace carbontracker::outputs {

class EventLog {
 public:
  static Result<std::unique_ptr<EventLog>> open(const std::filesystem::path& path);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Encodes the record (outside the lock) and writes it as one line.
  void append(const Event& event);
  // An encoded record (outputs/event_codec.hpp), without its newline.
  void append_line(std::string line);
  // A record encoded by `encode(std::string& out)` (one of event_codec's append_*_line) into a
  // buffer the log keeps, under the lock: no allocation once the buffer has grown.
  template <class Encode>
  void append_encoded(Encode&& encode) {
    std::lock_guard lock(mutex_);
    if (!file_ || !status_.is_ok()) return;
    line_.clear();
    encode(line_);
    line_ += '\n';
    write_locked(line_);
  }
  void flush();
  [[nodiscard]] Status status() const;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  static constexpr std::size_t kBufferBytes = 64 * 1024;
  EventLog() = default;
  void failed(int err);  // mutex_ held
  void write_locked(std::string_view line);  // mutex_ held
  std::string line_;  // mutex_
  mutable std::mutex mutex_;
  std::FILE* file_ = nullptr;
  std::filesystem::path path_;
  Status status_;
};

}  // namespace carbontracker::outputs
