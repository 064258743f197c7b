// Yes/no questions asked during `carbontracker run` (a budget with action `ask`), answered from
// an input descriptor by the run loop, so the child's output keeps flowing while the user thinks.
//
// Contract
//  - ask() only queues; the loop calls next_prompt() to print the next question to `error_fd`
//    when none is waiting, and on_readable() when fd() polls readable.
//  - on_readable() reads ONE byte per call (never more than the answer line, so whatever follows
//    stays for the child or the caller; and never blocks after POLLIN on a blocking tty or pipe).
//  - "y"/"yes" -> true, "n"/"no" -> false (case and surrounding blanks ignored), end of input ->
//    false (and every later question is answered false at once); anything else prints
//    "Input not recognized. Try again (y/n): " and waits for another line.
//  - Answers are returned, not called, so the caller can run them under its exception guard.
//    Not thread-safe; the loop's thread only.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>

namespace carbontracker::runner {

class Questions {
 public:
  using Answer = std::function<void(bool)>;
  struct Decided {
    Answer answer;
    bool yes = false;
  };

  Questions(int input_fd, int error_fd) : input_fd_(input_fd), error_fd_(error_fd) {}

  void ask(std::string prompt, Answer answer);
  // Prints the next prompt if no question is waiting; after end of input, returns the next
  // question answered "no" instead (call again until it returns nothing).
  std::optional<Decided> next_prompt();
  // The descriptor to poll for POLLIN, or -1 when no question is waiting.
  [[nodiscard]] int fd() const noexcept { return waiting_ && !eof_ ? input_fd_ : -1; }
  std::optional<Decided> on_readable();
  [[nodiscard]] bool pending() const noexcept { return waiting_ || !queue_.empty(); }
  // Forgets every question (the child has exited: nothing left to decide).
  void clear() noexcept;

 private:
  struct Question {
    std::string prompt;
    Answer answer;
  };
  std::optional<Decided> decide(const std::string& line);

  int input_fd_;
  int error_fd_;
  std::deque<Question> queue_;
  bool waiting_ = false;  // queue_.front() has been printed and awaits its line
  bool eof_ = false;
  std::string line_;
};

}  // namespace carbontracker::runner
