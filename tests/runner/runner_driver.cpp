// Test driver: runs one command under ChildRunner in its own process, so a test can send
// signals to "the runner" or put it on a terminal.
// Usage: runner_driver [--pattern RE] -- CMD ARGS...
// Passes the child's output through and ends with one line on stderr:
//   runner: exit=<n> signal=<n> received=<sig,sig,...>
// then exits with the child's exit code.
#include <cstdio>
#include <cstring>
#include <string>

#include "runner/child_runner.hpp"

int main(int argc, char** argv) {
  carbontracker::runner::RunOptions options;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    if (std::strcmp(argv[i], "--pattern") == 0 && i + 1 < argc) options.epoch_pattern = argv[++i];
  }
  for (++i; i < argc; ++i) options.argv.emplace_back(argv[i]);
  carbontracker::runner::ChildRunner runner(options);
  carbontracker::runner::RunObserver observer;
  const auto result = runner.run(observer);
  std::string received;
  for (const int sig : result.received_signals) received += (received.empty() ? "" : ",") + std::to_string(sig);
  std::fprintf(stderr, "runner: exit=%d signal=%d received=%s\n", result.exit_code, result.signal, received.c_str());
  for (const auto& w : result.warnings) std::fprintf(stderr, "runner warning: %s\n", w.c_str());
  return result.exit_code;
}
