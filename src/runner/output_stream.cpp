#include "runner/output_stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "runner/child_runner.hpp"

namespace carbontracker::runner {

OutputStream::OutputStream(UniqueFd pipe, int sink_fd, std::string name, OnLine on_line)
    : pipe_(std::move(pipe)),
      sink_(sink_fd),
      name_(std::move(name)),
      on_line_(std::move(on_line)),
      splitter_(ChildRunner::kMaxMatchedLineBytes) {}

OutputStream::Pumped OutputStream::pump(std::span<char> buffer, std::string& problem) {
  if (!pipe_) return Pumped::closed;
  const ssize_t n = ::read(pipe_.get(), buffer.data(), buffer.size());
  if (n > 0) {
    const std::string_view data(buffer.data(), static_cast<std::size_t>(n));
    if (!sink_broken_) {
      if (const int e = write_all(sink_, data); e != 0) {
        sink_broken_ = true;
        problem = "cannot pass the command's " + name_ + " through (" + std::generic_category().message(e) +
                  "); it is read and discarded from now on, and the command keeps running";
      }
    }
    if (on_line_) splitter_.feed(data, on_line_);
    return Pumped::data;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Pumped::nothing;
  if (n < 0) problem = "reading the command's " + name_ + " failed: " + std::generic_category().message(errno);
  close();
  return Pumped::closed;
}

void OutputStream::close() {
  if (!pipe_) return;
  pipe_.reset();
  if (on_line_) splitter_.finish(on_line_);
}

}  // namespace carbontracker::runner
