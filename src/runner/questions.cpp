#include "runner/questions.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/text.hpp"
#include "runner/posix_util.hpp"

namespace carbontracker::runner {
namespace {

constexpr std::size_t kMaxAnswerBytes = 256;  // a longer line is not an answer anyway
constexpr std::string_view kRetry = "Input not recognized. Try again (y/n): ";

// Trimmed and lower-cased ("\r" of a CRLF terminal goes with the blanks).
std::string normalise(const std::string& s) {
  return text::to_lower(text::trim(s));
}

}  // namespace

void Questions::ask(std::string prompt, Answer answer) {
  queue_.push_back({std::move(prompt), std::move(answer)});
}

std::optional<Questions::Decided> Questions::next_prompt() {
  if (waiting_ || queue_.empty()) return std::nullopt;
  write_all(error_fd_, queue_.front().prompt);
  if (eof_) {
    write_all(error_fd_, "\n");
    Decided d{std::move(queue_.front().answer), false};
    queue_.pop_front();
    return d;
  }
  waiting_ = true;
  line_.clear();
  return std::nullopt;
}

std::optional<Questions::Decided> Questions::on_readable() {
  if (!waiting_) return std::nullopt;
  char c = 0;
  const ssize_t n = ::read(input_fd_, &c, 1);
  if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
  if (n <= 0) {  // end of input (or an unreadable input, which we treat the same way)
    eof_ = true;
    const std::string last = std::exchange(line_, {});
    if (auto d = decide(last)) return d;  // "yes" typed without a newline before EOF
    waiting_ = false;
    Decided d{std::move(queue_.front().answer), false};
    queue_.pop_front();
    return d;
  }
  if (c != '\n') {
    if (line_.size() < kMaxAnswerBytes) line_.push_back(c);
    return std::nullopt;
  }
  return decide(std::exchange(line_, {}));
}

std::optional<Questions::Decided> Questions::decide(const std::string& line) {
  const std::string word = normalise(line);
  bool yes = false;
  if (word == "y" || word == "yes") {
    yes = true;
  } else if (word != "n" && word != "no") {
    if (!eof_) write_all(error_fd_, kRetry);
    return std::nullopt;
  }
  waiting_ = false;
  Decided d{std::move(queue_.front().answer), yes};
  queue_.pop_front();
  return d;
}

void Questions::clear() noexcept {
  queue_.clear();
  waiting_ = false;
  line_.clear();
}

}  // namespace carbontracker::runner
