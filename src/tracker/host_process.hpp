// The tracker inside its host process: fork() children and interrupted reads of stdin.
//
// Contract
//  - ForkGuard remembers the process that created the tracker. In a fork()ed child (a
//    DataLoader worker, multiprocessing's fork start method, a C program's fork()), the
//    tracker's sampler and intensity threads do not exist and its mutex may have been held at
//    fork time: every Tracker call there is a no-op that writes nothing (one warning on fd 2
//    per tracker, written with write(2): no stdio or stream lock is taken), and the destructor
//    leaks the state instead of joining threads that are not there. The log streams' buffers
//    are discarded in the child (outputs/fork_safe_files.hpp).
//  - read_answer_line() reads one line of the user's answer. From std::cin (the real stdin),
//    a read interrupted by a signal the host caught without SA_RESTART is retried, so the
//    signal neither counts as an answer nor leaves stdin failed for later prompts. Any other
//    istream (tests, Python's input()) is read with std::getline.
#pragma once

#include <sys/types.h>

#include <istream>
#include <string>

namespace carbontracker::tracker {

class ForkGuard {
 public:
  ForkGuard() noexcept;
  // True in a fork()ed child of the creating process; warns once (fd 2) on the first true.
  [[nodiscard]] bool forked_child() noexcept;
  [[nodiscard]] bool forked_child_quiet() const noexcept;

 private:
  pid_t owner_;
  bool warned_ = false;
};

// false at end of input (or a read error other than EINTR) with nothing read.
bool read_answer_line(std::istream& in, std::string& line);

}  // namespace carbontracker::tracker
