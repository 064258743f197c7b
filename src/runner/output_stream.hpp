// One of the child's output pipes (stdout or stderr): read in chunks, written through to our own
// descriptor unchanged, and, when an epoch pattern is in use, split into lines for matching.
//
// Contract
//  - pump() does one read of the (non-blocking) pipe: the bytes go to the sink first, then to
//    on_line line by line (LineSplitter rules, lines cut at ChildRunner::kMaxMatchedLineBytes).
//  - A failed sink write (EPIPE: nobody reads our stdout any more) marks the sink broken: later
//    bytes are still read and matched, not written, and `problem` is set once to say so.
//  - At EOF or on a read error the pipe is closed and the last partial line is reported; close()
//    does the same early (idempotent).
//  - Not thread-safe; the run loop's thread only.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "runner/line_splitter.hpp"
#include "runner/posix_util.hpp"

namespace carbontracker::runner {

class OutputStream {
 public:
  using OnLine = std::function<void(std::string_view)>;
  enum class Pumped { data, nothing, closed };

  // on_line empty: no line splitting at all (no pattern).
  OutputStream(UniqueFd pipe, int sink_fd, std::string name, OnLine on_line);

  Pumped pump(std::span<char> buffer, std::string& problem);
  void close();
  [[nodiscard]] int fd() const noexcept { return pipe_.get(); }
  [[nodiscard]] bool is_open() const noexcept { return static_cast<bool>(pipe_); }
  [[nodiscard]] std::size_t cut_lines() const noexcept { return splitter_.cut_lines(); }

 private:
  UniqueFd pipe_;
  int sink_;
  std::string name_;
  OnLine on_line_;
  bool sink_broken_ = false;
  LineSplitter splitter_;
};

}  // namespace carbontracker::runner
