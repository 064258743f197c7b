// The tracker's console and stdin, routed through Python: PyStdoutBuf writes what the C++
// tracker prints to sys.stdout (so notebooks, redirect_stdout and pytest's capture see it), and
// PyInputBuf reads the answers to its questions with builtins.input().
//
// Contract
//  - Threading: used only by the thread that calls the tracker's methods (the tracker writes the
//    console and reads input on that thread only; the sampler never does). Both acquire the GIL
//    for each Python call (the caller released it around the C++ call); they are safe to use
//    with or without the GIL held.
//  - PyStdoutBuf hands over every complete line at once and whatever is pending on flush
//    (the tracker flushes after each line). While the interpreter is finalizing, or when
//    sys.stdout is missing or its write() fails, it writes to the C stdout instead: a final
//    report is never lost. A KeyboardInterrupt raised inside write() is kept (take_error()) and
//    re-raised by the binding after the C++ call, so Ctrl-C is not swallowed.
//  - PyInputBuf returns one input() line per read, newline-terminated. EOFError is end of input
//    (the tracker then treats the question as answered "n"); any other Python exception
//    (KeyboardInterrupt at the prompt) is kept, end of input is returned, and the binding
//    re-raises it once the C++ call has unwound (take_error()).
#pragma once

#include <optional>
#include <streambuf>
#include <string>

#include <pybind11/pybind11.h>

namespace carbontracker::python {

// True once Python can no longer run code (finalization has begun or is over).
bool interpreter_finalizing() noexcept;

class PyStdoutBuf : public std::streambuf {
 public:
  PyStdoutBuf() = default;
  ~PyStdoutBuf() override;
  std::optional<pybind11::error_already_set> take_error();

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void emit_through(std::size_t end);  // writes pending_[0, end) and drops it
  std::string pending_;
  std::optional<pybind11::error_already_set> error_;
};

class PyInputBuf : public std::streambuf {
 public:
  // The Python exception input() raised (other than EOFError), taken once.
  std::optional<pybind11::error_already_set> take_error();

 protected:
  int_type underflow() override;

 private:
  std::string line_;
  std::optional<pybind11::error_already_set> error_;
};

}  // namespace carbontracker::python
