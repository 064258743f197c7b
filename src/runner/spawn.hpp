// Starting the child of `carbontracker run`: fork + execve with execvp's rules, no shell.
//
// Contract
//  - exec_candidates(): the paths execvp would try, in order: `file` itself when it contains a
//    '/', else every PATH entry (an empty entry is the current directory; PATH unset:
//    /bin:/usr/bin, glibc's default). PATH is ours, not the child's, as with execvp.
//  - spawn_child(): the child gets `env` as its whole environment, `stdout_fd`/`stderr_fd` as its
//    fds 1 and 2, an empty signal mask, SIGPIPE at its default, and SIGINT/SIGTERM/SIGHUP/SIGQUIT
//    at their default unless listed in `keep_ignored` (nohup). Other descriptors are inherited
//    as with execvp (ours are all close-on-exec). A file that is not a binary nor a #! script runs
//    under /bin/sh, as execvp does.
//  - Errors are values: a command that cannot be started returns pid -1 with exit_code 127 (not
//    found) or 126 (found, not executable), like a shell, and the reason; a failure of ours (fork)
//    returns exit_code 1. Only std::bad_alloc can be thrown (before fork).
//  - Between fork and exec the child only makes async-signal-safe calls; everything is prepared
//    before fork, so this is safe in a process with other threads.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace carbontracker::runner {

std::vector<std::string> exec_candidates(const std::string& file, const char* path_env);

// `base` (environ-style, may be null) with `overrides` applied in order (same name: replaced),
// plus PYTHONUNBUFFERED=1 unless already set: Python block-buffers stdout into a pipe, which
// would hold epoch markers back until 8 KiB accumulate.
std::vector<std::string> build_child_env(char** base,
                                         const std::vector<std::pair<std::string, std::string>>& overrides);

struct SpawnSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  int stdout_fd = -1;  // must be >= 3 (see make_pipe)
  int stderr_fd = -1;
  std::vector<int> keep_ignored;
};

struct SpawnResult {
  pid_t pid = -1;     // > 0: the child is running
  int exit_code = 0;  // when pid < 0
  std::string error;  // when pid < 0
};

SpawnResult spawn_child(const SpawnSpec& spec);

// pipe2(O_CLOEXEC) whose ends are both >= 3, so dup2 onto 0..2 in the child can never clobber
// the other end even when the caller runs with closed standard descriptors. false on failure.
bool make_pipe(int (&fds)[2]) noexcept;

// A pidfd for our child (readable once it has terminated), or -1 where the kernel has none
// (before 5.3, or a seccomp filter): then the caller polls waitpid.
int open_pidfd(pid_t pid) noexcept;

// Emergency stop for a child we can no longer supervise: SIGTERM, up to `grace` for it to exit,
// SIGKILL, reap. Blocks; sleeps in 10 ms steps.
void terminate_and_reap(pid_t pid, std::chrono::nanoseconds grace) noexcept;

}  // namespace carbontracker::runner
