// Splits a byte stream into lines for epoch-pattern matching and control commands.
//
// Contract
//  - Lines end at '\n' or '\r' (a progress bar redraws its line with '\r'); the separator is not
//    part of the line; empty lines are not reported (so "\r\n" yields one line, not two).
//  - A line longer than `max_line_bytes` is reported once, cut to its first max_line_bytes bytes,
//    as soon as that many bytes have arrived; the rest up to the next separator is dropped and
//    cut_lines() counts it. Memory stays bounded by max_line_bytes whatever the input.
//  - finish() reports the last line when the stream ended without a separator.
//  - Bytes are bytes: NUL and invalid UTF-8 pass unchanged. Not thread-safe (one per stream).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace carbontracker::runner {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line_bytes) : max_(max_line_bytes) {}

  // on_line(std::string_view) is called for each complete (or cut) line in `data`.
  template <class OnLine>
  void feed(std::string_view data, OnLine&& on_line) {
    while (!data.empty()) {
      const std::size_t pos = find_separator(data);
      const std::string_view segment = data.substr(0, pos);
      if (!skipping_) {
        const std::size_t room = max_ - line_.size();
        if (segment.size() > room) {
          line_.append(segment.substr(0, room));
          on_line(std::string_view(line_));
          line_.clear();
          skipping_ = true;
          ++cut_lines_;
        } else {
          line_.append(segment);
        }
      }
      if (pos == std::string_view::npos) return;
      if (!skipping_ && !line_.empty()) on_line(std::string_view(line_));
      line_.clear();
      skipping_ = false;
      data.remove_prefix(pos + 1);
    }
  }

  template <class OnLine>
  void finish(OnLine&& on_line) {
    if (!skipping_ && !line_.empty()) on_line(std::string_view(line_));
    line_.clear();
    skipping_ = false;
  }

  [[nodiscard]] std::size_t cut_lines() const noexcept { return cut_lines_; }

 private:
  static std::size_t find_separator(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n' || s[i] == '\r') return i;
    }
    return std::string_view::npos;
  }

  std::size_t max_;
  std::string line_;
  bool skipping_ = false;
  std::size_t cut_lines_ = 0;
};

}  // namespace carbontracker::runner
