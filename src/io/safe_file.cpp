#include "io/safe_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "io/fs.hpp"

namespace carbontracker::io {
namespace fs = std::filesystem;

namespace {

fs::path directory_of(const fs::path& path) {
  fs::path dir = path.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// The fix for a cause, where the cause has one of its own.
std::string fix_for(int err, const fs::path& path) {
  const std::string dir = directory_of(path).string();
  switch (err) {
    case ENOENT: return fmt::format("create the directory {} first, or choose a path in an existing one", dir);
    case ENOTDIR: return fmt::format("a part of {} is not a directory: choose another path", dir);
    case EISDIR: return fmt::format("{} is a directory: give the path of a file (e.g. {})", path.string(),
                                    (path / "summary.json").string());
    case ENOSPC: return fmt::format("free space on the file system that holds {}, or choose a path on another one", dir);
    case EDQUOT: return "free space within your disk quota, raise the quota, or choose a path elsewhere";
    case EFBIG:
      return "the file size limit of this process was reached (ulimit -f, RLIMIT_FSIZE): raise it (ulimit -f "
             "unlimited) or free space";
    case ENAMETOOLONG:
      return fmt::format("use a shorter path (a file name may have at most {} bytes, a whole path {})", NAME_MAX,
                         PATH_MAX - 1);
    case EACCES:
    case EPERM: return fmt::format("make {} writable for this user, or choose another path", dir);
    case EROFS: return "that file system is mounted read-only: choose a path on a writable one";
    case ELOOP:
      return fmt::format("{} is a symbolic link, which carbontracker never writes through: remove it or give the "
                         "path of the file itself",
                         path.string());
    case EEXIST: return fmt::format("remove {} or choose another name", path.string());
    case EIO: return "the storage reported an I/O error: check the disk, or choose a path on another one";
    default: return {};
  }
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

// An existing target that is not a regular file: refused, never replaced nor written through.
Status not_regular(const fs::path& path, mode_t mode, std::string_view action) {
  if (S_ISDIR(mode)) return file_error(EISDIR, path, action, "");
  if (S_ISLNK(mode)) {
    return {StatusCode::invalid_argument, fmt::format("{} {}: it is a symbolic link", action, path.string()),
            fix_for(ELOOP, path)};
  }
  return {StatusCode::invalid_argument,
          fmt::format("{} {}: it is {}, not a regular file", action, path.string(), kind_of(mode)),
          fmt::format("give the path of a regular file (remove {} or choose another path)", path.string())};
}

bool has_nul(const fs::path& path) { return path.native().find('\0') != std::string::npos; }

Status check_name(const fs::path& path, std::string_view action) {
  if (path.empty()) return {StatusCode::invalid_argument, "the path is empty", "give the path of a file, e.g. summary.json"};
  if (has_nul(path)) {
    return {StatusCode::invalid_argument, "the path contains a NUL byte (it would be cut there)",
            "give a path without NUL characters"};
  }
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") return file_error(EISDIR, path, action, "");
  return {};
}

// The target as it is now: absent or a regular file is fine.
Status check_target(const fs::path& path, std::string_view action) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode) ? Status{} : not_regular(path, st.st_mode, action);
  if (errno == ENOENT) return {};  // the directory is checked by the caller or shows up in mkstemp
  return file_error(errno, path, action, "");
}

// The process umask, read without changing it (umask(2) can only set; another thread could
// create a file in between).
mode_t current_umask() {
  auto status = read_file("/proc/self/status");
  if (status) {
    const auto pos = status->find("\nUmask:");
    if (pos != std::string::npos) return static_cast<mode_t>(std::strtoul(status->c_str() + pos + 7, nullptr, 8)) & 0777;
  }
  return 022;
}

// Writes all of `content`; a write past RLIMIT_FSIZE returns EFBIG, and the SIGXFSZ it raised
// (blocked here) is consumed, so the process is not killed whatever its disposition.
int write_all(int fd, std::string_view content) {
  sigset_t xfsz;
  sigset_t old;
  sigemptyset(&xfsz);
  sigaddset(&xfsz, SIGXFSZ);
  const bool masked = ::pthread_sigmask(SIG_BLOCK, &xfsz, &old) == 0;
  int err = 0;
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (n == 0) {
      err = EIO;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (masked) {
    if (err == EFBIG) {
      const timespec now{0, 0};
      while (::sigtimedwait(&xfsz, nullptr, &now) == SIGXFSZ) {
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  return err;
}

}  // namespace

std::string fix_for_errno(int err, const fs::path& path) {
  std::string fix = fix_for(err, path);
  return fix.empty() ? "choose another path" : fix;
}

std::string errno_text(int err) {
  const char* name = ::strerrorname_np(err);
  return fmt::format("{} ({})", std::strerror(err), name ? name : std::to_string(err));
}

Status file_error(int err, const fs::path& path, std::string_view action, std::string_view default_fix) {
  std::string fix = fix_for(err, path);
  if (fix.empty()) fix = default_fix.empty() ? "choose another path" : std::string(default_fix);
  const StatusCode code = err == EACCES || err == EPERM ? StatusCode::permission_denied
                          : err == ENOENT || err == ENOTDIR ? StatusCode::not_found
                                                             : StatusCode::invalid_argument;
  return {code, fmt::format("{} {}: {}", action, path.string(), errno_text(err)), std::move(fix)};
}

Result<FilePtr> open_new_log(const fs::path& path, int* errno_out) {
  int ignored = 0;
  int& err_out = errno_out ? *errno_out : ignored;
  err_out = 0;
  const std::string_view action = "cannot create the log file";
  const std::string_view fix = "choose a writable log_dir (--log-dir) or fix its permissions";
  if (has_nul(path)) {
    err_out = EINVAL;
    return file_error(EINVAL, path, action, "give a log_dir without NUL characters");
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
  if (fd < 0) {
    err_out = errno;
    return file_error(err_out, path, action, fix);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    err_out = EINVAL;
    return not_regular(path, st.st_mode, action);
  }
  // Non-blocking was only for the open; regular files ignore it, but a later reader of the
  // flags should see a plain descriptor.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* f = ::fdopen(fd, "w");
  if (!f) {
    err_out = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return file_error(err_out, path, action, fix);
  }
  return FilePtr(f);
}

Status check_replaceable(const fs::path& path) {
  const std::string_view action = "cannot write";
  if (Status st = check_name(path, action); !st) return st;
  if (Status st = check_target(path, action); !st) return st;
  const fs::path dir = directory_of(path);
  const auto dir_error = [&](int err, std::string_view problem) {
    Status st = file_error(err, path, action, "");
    return Status(st.code(), fmt::format("{} {}: the directory {} {}: {}", action, path.string(), dir.string(), problem,
                                         errno_text(err)),
                  st.fix());
  };
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return dir_error(errno, errno == ENOENT ? "does not exist" : "cannot be examined");
  }
  if (!S_ISDIR(st.st_mode)) return dir_error(ENOTDIR, "is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return dir_error(errno, "is not writable");
  const long name_max = ::pathconf(dir.c_str(), _PC_NAME_MAX);
  if (path.filename().native().size() > static_cast<std::size_t>(name_max > 0 ? name_max : NAME_MAX)) {
    return file_error(ENAMETOOLONG, path, action, "");
  }
  return {};
}

Status write_atomically(const fs::path& path, std::string_view content, std::string_view action) {
  if (Status st = check_name(path, action); !st) return st;
  if (Status st = check_target(path, action); !st) return st;
  // A hidden name derived from the target (cut so that it stays within NAME_MAX) tells whose a
  // temporary left by a crash is.
  std::string tmp = (directory_of(path) / ("." + path.filename().string().substr(0, 200) + ".XXXXXX")).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return file_error(errno, path, action, "");
  const auto fail = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return file_error(err, path, action, "");
  };
  // mkstemp creates 0600; the result should look as any file this user creates.
  if (::fchmod(fd, 0666 & ~current_umask()) != 0) return fail(errno);
  if (const int err = write_all(fd, content); err != 0) return fail(err);
  // Delayed allocation reports a full disk only here (and on NFS, close does).
  if (::fsync(fd) != 0 && errno != EINVAL) return fail(errno);
  if (::close(fd) != 0 && errno != EINTR) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return file_error(err, path, action, "");
  }
  // Checked again: the target may have become a directory or link since the first check.
  Status target = check_target(path, action);
  if (target && ::rename(tmp.c_str(), path.c_str()) == 0) return {};
  const int err = errno;
  ::unlink(tmp.c_str());
  return target ? file_error(err, path, action, "") : target;
}

bool open_dev_null_on_closed_std_fds() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free descriptor: this one, as the lower ones are open by now.
    const int got = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (got < 0) return false;
    if (got != fd) {
      const int moved = ::dup2(got, fd);
      ::close(got);
      if (moved != fd) return false;
    }
  }
  return true;
}

}  // namespace carbontracker::io
