// The control channel of `carbontracker run`: two FIFOs in a private directory through which the
// child marks epoch boundaries exactly (CARBONTRACKER_CONTROL) and, on request, waits until the
// boundary is recorded (CARBONTRACKER_CONTROL_ACK).
//
// Protocol (docs/run-mode.md): one command per line, written with a single write() so lines from
// several writers never interleave (PIPE_BUF): `epoch_start`, `epoch_end`, optionally followed by
// ` sync`, which asks for one "ok\n" on the ack FIFO once the command has been handled.
//
// Contract
//  - create() makes a mode-0700 directory under $TMPDIR (or /tmp) with FIFOs `control` and
//    `control.ack` (0600) and opens both O_RDWR|O_NONBLOCK: we are always a reader and a writer
//    of each, so the child's open() never blocks, our reads never see EOF when writers come and
//    go, and our acks never raise SIGPIPE. Destruction closes them and removes the directory.
//  - Errors: create() returns std::nullopt and sets `error`; nothing throws except bad_alloc.
//  - Not thread-safe; used from the run loop only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"
#include "runner/line_splitter.hpp"
#include "runner/posix_util.hpp"

namespace carbontracker::runner {

struct ControlCommand {
  enum class Kind { epoch_start, epoch_end, unknown };
  Kind kind = Kind::unknown;
  bool sync = false;
  std::string text;  // the line, trimmed (for warnings)
};

// Parses one line: "<command>[ sync]" with any surrounding blanks.
ControlCommand parse_control_line(std::string_view line);

class ControlChannel {
 public:
  static constexpr std::size_t kMaxLineBytes = 4096;

  // A private directory with the two FIFOs; unavailable (with the path and errno) when it cannot be made.
  static Result<ControlChannel> create();
  ControlChannel(ControlChannel&&) noexcept;
  ControlChannel& operator=(ControlChannel&&) = delete;
  ControlChannel(const ControlChannel&) = delete;
  ControlChannel& operator=(const ControlChannel&) = delete;
  ~ControlChannel();

  [[nodiscard]] const std::string& control_path() const noexcept { return control_path_; }
  [[nodiscard]] const std::string& ack_path() const noexcept { return ack_path_; }
  [[nodiscard]] int fd() const noexcept { return control_.get(); }

  // Reads what is available now, up to max_bytes (so a child flooding the FIFO cannot hold the
  // loop), and calls on_command(const ControlCommand&) per line.
  template <class OnCommand>
  void read_available(OnCommand&& on_command, std::size_t max_bytes = 64 * 1024) {
    char buf[4096];
    for (std::size_t n, total = 0; total < max_bytes && (n = read_some(buf, sizeof buf)) > 0; total += n) {
      splitter_.feed(std::string_view(buf, n),
                     [&](std::string_view line) { on_command(parse_control_line(line)); });
    }
  }
  // At the end of the run: a last command written without its newline.
  template <class OnCommand>
  void finish(OnCommand&& on_command) {
    read_available(on_command, 1024 * 1024);
    splitter_.finish([&](std::string_view line) { on_command(parse_control_line(line)); });
  }

  // Writes "ok\n" to the ack FIFO; false when it is full (nobody has read 16k acks).
  bool ack() noexcept;

 private:
  ControlChannel() = default;
  std::size_t read_some(char* buf, std::size_t size) noexcept;

  std::string dir_;
  std::string control_path_;
  std::string ack_path_;
  UniqueFd control_;
  UniqueFd ack_;
  LineSplitter splitter_{kMaxLineBytes};
};

}  // namespace carbontracker::runner
