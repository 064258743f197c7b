#include "runner/control_channel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <utility>

#include "core/text.hpp"

namespace carbontracker::runner {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

std::string errno_text(int e) { return std::generic_category().message(e); }

}  // namespace

ControlCommand parse_control_line(std::string_view line) {
  ControlCommand cmd;
  line = text::trim(line);
  cmd.text = std::string(line);
  // A trailing " sync" is honoured whatever precedes it: a child waiting for its ack must get
  // one even when we do not understand the command, or it would wait forever.
  constexpr std::string_view kSync = "sync";
  if (line.size() > kSync.size() && line.substr(line.size() - kSync.size()) == kSync &&
      is_blank(line[line.size() - kSync.size() - 1])) {
    cmd.sync = true;
    line = text::trim(line.substr(0, line.size() - kSync.size()));
  }
  if (line == "epoch_start") cmd.kind = ControlCommand::Kind::epoch_start;
  if (line == "epoch_end") cmd.kind = ControlCommand::Kind::epoch_end;
  return cmd;
}

Result<ControlChannel> ControlChannel::create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/carbontracker-run-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {  // mkdtemp creates it with mode 0700
    return Status(StatusCode::unavailable, "cannot create a private directory " + tmpl + ": " + errno_text(errno));
  }
  ControlChannel ch;
  ch.dir_ = tmpl;
  ch.control_path_ = tmpl + "/control";
  ch.ack_path_ = tmpl + "/control.ack";
  for (const std::string* path : {&ch.control_path_, &ch.ack_path_}) {
    if (::mkfifo(path->c_str(), 0600) != 0) {
      // ch's destructor removes what exists
      return Status(StatusCode::unavailable, "cannot create the FIFO " + *path + ": " + errno_text(errno));
    }
  }
  ch.control_.reset(::open(ch.control_path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  ch.ack_.reset(::open(ch.ack_path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!ch.control_ || !ch.ack_) {
    return Status(StatusCode::unavailable, "cannot open the control FIFOs in " + tmpl + ": " + errno_text(errno));
  }
  return Result<ControlChannel>(std::move(ch));
}

ControlChannel::ControlChannel(ControlChannel&& o) noexcept
    : dir_(std::exchange(o.dir_, {})),
      control_path_(std::exchange(o.control_path_, {})),
      ack_path_(std::exchange(o.ack_path_, {})),
      control_(std::move(o.control_)),
      ack_(std::move(o.ack_)),
      splitter_(std::move(o.splitter_)) {}

ControlChannel::~ControlChannel() {
  control_.reset();
  ack_.reset();
  if (dir_.empty()) return;
  ::unlink(control_path_.c_str());
  ::unlink(ack_path_.c_str());
  ::rmdir(dir_.c_str());
}

std::size_t ControlChannel::read_some(char* buf, std::size_t size) noexcept {
  for (;;) {
    const ssize_t n = ::read(control_.get(), buf, size);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n < 0 && errno == EINTR) continue;
    return 0;  // EAGAIN: nothing more now (we hold a writer, so there is no EOF)
  }
}

bool ControlChannel::ack() noexcept {
  for (;;) {
    // 3 bytes < PIPE_BUF: written whole or not at all, never interleaved with another ack.
    const ssize_t n = ::write(ack_.get(), "ok\n", 3);
    if (n == 3) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

}  // namespace carbontracker::runner
