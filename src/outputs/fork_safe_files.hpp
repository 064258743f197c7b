// Output files a fork()ed child must never write to.
//
// The logs are stdio streams with buffers. A child forked while a buffer holds the parent's
// records would write them again when it exits (exit() flushes every open FILE), so the
// parent's log would get duplicated or interleaved lines. Every log stream registers here
// right after it is opened; in a forked child (a pthread_atfork handler) their buffers are
// discarded unwritten, before any code of the child runs.
//
// Contract
//  - forget() before fclose(); both are lock-free and never allocate (a fixed table), so they
//    are safe on any thread, also under memory pressure.
//  - When the table is full, the stream is made unbuffered instead (register before the first
//    write): nothing then waits in a buffer for a child to write.
#pragma once

#include <cstdio>

namespace carbontracker::outputs {

void register_fork_safe(std::FILE* f) noexcept;
void forget_fork_safe(std::FILE* f) noexcept;

}  // namespace carbontracker::outputs
