// Creating and replacing the files the tool writes (logs, summaries, report outputs) without
// clobbering what is not ours, without hanging, and without leaving torn output.
//
// Contract:
// - open_new_log() creates a NEW regular file: O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK. It never
//   follows a symbolic link, never truncates an existing file, never blocks on a FIFO (an
//   existing name of any kind is EEXIST), and checks with fstat that it got a regular file.
// - write_atomically() writes the whole content to a temporary file made by mkstemp in the
//   target's directory, fsyncs it and renames it over the target: a reader sees the previous file
//   or the new one, never a part. Concurrent writers to one path each use their own temporary;
//   the last rename wins and one complete file remains. On failure the temporary is removed and
//   the target is left as it was. A target that exists and is not a regular file (a directory,
//   a symbolic link, a FIFO, a device) is refused, not replaced or written through.
//   A write past RLIMIT_FSIZE fails with EFBIG instead of killing the process: SIGXFSZ is blocked
//   in the calling thread for the write and a SIGXFSZ it raised is consumed (the process-wide
//   disposition is not touched).
// - check_replaceable() is what write_atomically() will need, checked in advance (a summary
//   path is refused at construction, before a child or a training starts).
// - Every error is a Status whose message names the path, the cause and its errno name
//   ("No space left on device (ENOSPC)") and whose fix says what to do about that cause.
// - Nothing here throws (beyond std::bad_alloc) and nothing changes process-wide state, except
//   open_dev_null_on_closed_std_fds(), meant for the first line of main().
#pragma once

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace carbontracker::io {

// "No space left on device (ENOSPC)".
std::string errno_text(int err);

// A Status for `err` from `action` ("cannot create the log file") on `path`: the message names
// the cause; the fix is the one for that cause, else `default_fix`.
Status file_error(int err, const std::filesystem::path& path, std::string_view action, std::string_view default_fix);

// The fix for cause `err` on `path` ("free space on the file system that holds DIR, ..."), or
// "choose another path" for a cause without a fix of its own.
std::string fix_for_errno(int err, const std::filesystem::path& path);

struct FileCloser {
  void operator()(std::FILE* f) const noexcept {
    if (f) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// A new regular file at `path`, opened for writing (close-on-exec), mode 0666 & ~umask.
// Fails with EEXIST (stored in *errno_out when given) when the name exists in any form (file,
// link, FIFO): the caller picks another name. Errors speak of a log file and log_dir.
Result<FilePtr> open_new_log(const std::filesystem::path& path, int* errno_out = nullptr);

// Errors: empty path, NUL byte, a directory, an existing non-regular file or symbolic link,
// a missing or non-directory parent, an unwritable parent, a name too long.
Status check_replaceable(const std::filesystem::path& path);

// `action` starts every error message: "<action> <path>: <cause>".
Status write_atomically(const std::filesystem::path& path, std::string_view content,
                        std::string_view action = "cannot write");

// For each of fds 0, 1 and 2 that is closed, opens /dev/null there, so that no file the process
// opens later becomes its standard input, output or error (and so receives the console report,
// or a child's output). False when /dev/null could not be opened (nothing can be reported then).
[[nodiscard]] bool open_dev_null_on_closed_std_fds() noexcept;

}  // namespace carbontracker::io
