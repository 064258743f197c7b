// libFuzzer target: the control channel of `carbontracker run` (src/runner/control_channel.hpp),
// through its real FIFO: each input is written into the control FIFO (as a child would, in
// pieces when it is larger than the pipe), read back by read_available()/finish() and parsed
// line by line. Checked: commands are trimmed of blanks, only the two known words are recognised, a
// trailing " sync" is always seen, lines stay within kMaxLineBytes.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz_check.hpp"
#include "runner/control_channel.hpp"

namespace {

using carbontracker::runner::ControlChannel;
using carbontracker::runner::ControlCommand;

bool blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

void check(const ControlCommand& cmd) {
  const std::string& t = cmd.text;
  FUZZ_CHECK(t.size() <= ControlChannel::kMaxLineBytes);  // empty for a line of blanks
  FUZZ_CHECK(t.empty() || (!blank(t.front()) && !blank(t.back())));
  FUZZ_CHECK(t.find_first_of("\r\n") == std::string::npos);
  if (cmd.kind == ControlCommand::Kind::epoch_start) FUZZ_CHECK(t.rfind("epoch_start", 0) == 0);
  if (cmd.kind == ControlCommand::Kind::epoch_end) FUZZ_CHECK(t.rfind("epoch_end", 0) == 0);
  if (cmd.kind != ControlCommand::Kind::unknown && !cmd.sync) FUZZ_CHECK(t == "epoch_start" || t == "epoch_end");
  if (cmd.sync) FUZZ_CHECK(t.size() > 5 && t.substr(t.size() - 4) == "sync" && blank(t[t.size() - 5]));
}

ControlChannel& channel() {
  static std::optional<ControlChannel> ch = [] {
    auto c = ControlChannel::create();
    if (!c) {
      std::fprintf(stderr, "control channel: %s\n", c.status().message().c_str());
      std::abort();
    }
    return std::optional<ControlChannel>(std::move(c).value());
  }();
  return *ch;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ControlChannel& ch = channel();
  const auto on_command = [&](const ControlCommand& cmd) {
    check(cmd);
    // Also straight from the parser, without the FIFO.
    const ControlCommand again = carbontracker::runner::parse_control_line(cmd.text);
    FUZZ_CHECK(again.kind == cmd.kind && again.sync == cmd.sync && again.text == cmd.text);
  };
  // Small writes (a child's lines are one write() each, <= PIPE_BUF) so the FIFO never fills.
  constexpr std::size_t kChunk = 4096;
  for (std::size_t at = 0; at < size; at += kChunk) {
    const std::size_t n = std::min(kChunk, size - at);
    FUZZ_CHECK(::write(ch.fd(), data + at, n) == static_cast<ssize_t>(n));
    ch.read_available(on_command);
  }
  ch.finish(on_command);  // also resets the line splitter, so each input starts clean
  (void)carbontracker::runner::parse_control_line(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
