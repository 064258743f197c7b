#include "tracker/host_process.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <string_view>

#include <ext/stdio_sync_filebuf.h>
#include <fmt/format.h>

namespace carbontracker::tracker {

ForkGuard::ForkGuard() noexcept : owner_(::getpid()) {}

bool ForkGuard::forked_child_quiet() const noexcept { return ::getpid() != owner_; }

bool ForkGuard::forked_child() noexcept {
  if (!forked_child_quiet()) return false;
  if (!warned_) {
    warned_ = true;
    // Fixed-size buffer: no allocation, no stream lock (another thread may have held one at
    // fork time).
    char buf[400];
    const auto r = fmt::format_to_n(
        buf, sizeof buf - 1,
        "CarbonTracker: WARNING - this process ({}) is a fork() child of process {}, which created the tracker: "
        "tracker calls here do nothing and write nothing; fix: create a tracker in the child to measure it\n",
        ::getpid(), owner_);
    const std::string_view text(buf, r.size < sizeof buf - 1 ? r.size : sizeof buf - 1);
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
  }
  return true;
}

namespace {

// std::cin still on its default buffer, which reads the C stdin (sync_with_stdio(true)).
// libstdc++'s own file buffer (after sync_with_stdio(false)) already retries EINTR.
bool cin_reads_c_stdin(const std::istream& in) {
  return &in == &std::cin && dynamic_cast<__gnu_cxx::stdio_sync_filebuf<char>*>(in.rdbuf()) != nullptr;
}

bool read_stdin_line(std::string& line) {
  line.clear();
  for (;;) {
    errno = 0;
    const int c = std::fgetc(stdin);
    if (c == EOF) {
      if (std::ferror(stdin) && errno == EINTR) {
        std::clearerr(stdin);  // a signal, not an answer: read on
        continue;
      }
      return !line.empty();
    }
    if (c == '\n') return true;
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace

bool read_answer_line(std::istream& in, std::string& line) {
  if (cin_reads_c_stdin(in)) return read_stdin_line(line);
  return static_cast<bool>(std::getline(in, line));
}

}  // namespace carbontracker::tracker
