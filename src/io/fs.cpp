#include "core/text.hpp"
#include "io/fs.hpp"
#include "core/text.hpp"

#include "core/text.hpp"
#include <dirent.h>
#include "core/text.hpp"
#include <fcntl.h>
#include "core/text.hpp"
#include <sys/stat.h>
#include "core/text.hpp"
#include <unistd.h>
#include "core/text.hpp"

#include "core/text.hpp"
#include <algorithm>
#include "core/text.hpp"
#include <cerrno>
#include "core/text.hpp"
#include <charconv>
#include "core/text.hpp"
#include <cstring>
#include "core/text.hpp"
#include <memory>
#include "core/text.hpp"

#include "core/text.hpp"
namespace carbontracker::io {
#include "core/text.hpp"

#include "core/text.hpp"
Status errno_status(int err, const std::filesystem::path& path, std::string_view what) {
#include "core/text.hpp"
  std::string msg = std::string(what) + " " + path.string() + ": " + std::strerror(err);
#include "core/text.hpp"
  switch (err) {
#include "core/text.hpp"
    case ENOENT:
#include "core/text.hpp"
    case ENOTDIR:
#include "core/text.hpp"
      return {StatusCode::not_found, std::move(msg)};
#include "core/text.hpp"
    case EACCES:
#include "core/text.hpp"
    case EPERM:
#include "core/text.hpp"
      return {StatusCode::permission_denied, std::move(msg)};
#include "core/text.hpp"
    default:
#include "core/text.hpp"
      return {StatusCode::unavailable, std::move(msg)};
#include "core/text.hpp"
  }
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<std::string> read_file(const std::filesystem::path& path) {
#include "core/text.hpp"
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
#include "core/text.hpp"
  if (fd < 0) return errno_status(errno, path, "cannot open");
#include "core/text.hpp"
  std::string out;
#include "core/text.hpp"
  char buf[4096];
#include "core/text.hpp"
  for (;;) {
#include "core/text.hpp"
    const ssize_t n = ::read(fd, buf, sizeof buf);
#include "core/text.hpp"
    if (n < 0) {
#include "core/text.hpp"
      if (errno == EINTR) continue;
#include "core/text.hpp"
      const int err = errno;
#include "core/text.hpp"
      ::close(fd);
#include "core/text.hpp"
      return errno_status(err, path, "cannot read");
#include "core/text.hpp"
    }
#include "core/text.hpp"
    if (n == 0) break;
#include "core/text.hpp"
    out.append(buf, static_cast<std::size_t>(n));
#include "core/text.hpp"
  }
#include "core/text.hpp"
  ::close(fd);
#include "core/text.hpp"
  return out;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<std::string> read_line(const std::filesystem::path& path) {
#include "core/text.hpp"
  auto text = read_file(path);
#include "core/text.hpp"
  if (!text) return text.status();
#include "core/text.hpp"
  std::string_view v = *text;
#include "core/text.hpp"
  v = v.substr(0, v.find('\n'));
#include "core/text.hpp"
  return std::string(text::trim(v));
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<std::uint64_t> read_u64(const std::filesystem::path& path) {
#include "core/text.hpp"
  auto line = read_line(path);
#include "core/text.hpp"
  if (!line) return line.status();
#include "core/text.hpp"
  return text::parse_u64(*line, path.string());
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<double> read_double(const std::filesystem::path& path) {
#include "core/text.hpp"
  auto line = read_line(path);
#include "core/text.hpp"
  if (!line) return line.status();
#include "core/text.hpp"
  return text::parse_double(*line, path.string());
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<std::vector<std::string>> list_dir(const std::filesystem::path& path) {
#include "core/text.hpp"
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), &::closedir);
#include "core/text.hpp"
  if (!dir) return errno_status(errno, path, "cannot list");
#include "core/text.hpp"
  std::vector<std::string> names;
#include "core/text.hpp"
  while (const dirent* e = ::readdir(dir.get())) {
#include "core/text.hpp"
    const std::string_view n = e->d_name;
#include "core/text.hpp"
    if (n == "." || n == "..") continue;
#include "core/text.hpp"
    names.emplace_back(n);
#include "core/text.hpp"
  }
#include "core/text.hpp"
  std::sort(names.begin(), names.end());
#include "core/text.hpp"
  return names;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
bool exists(const std::filesystem::path& path) noexcept {
#include "core/text.hpp"
  struct stat st {};
#include "core/text.hpp"
  return ::stat(path.c_str(), &st) == 0;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
CounterFile::~CounterFile() {
#include "core/text.hpp"
  if (fd_ >= 0) ::close(fd_);
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
CounterFile::CounterFile(CounterFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
#include "core/text.hpp"
  other.fd_ = -1;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
CounterFile& CounterFile::operator=(CounterFile&& other) noexcept {
#include "core/text.hpp"
  if (this != &other) {
#include "core/text.hpp"
    if (fd_ >= 0) ::close(fd_);
#include "core/text.hpp"
    fd_ = other.fd_;
#include "core/text.hpp"
    path_ = std::move(other.path_);
#include "core/text.hpp"
    other.fd_ = -1;
#include "core/text.hpp"
  }
#include "core/text.hpp"
  return *this;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<CounterFile> CounterFile::open(const std::filesystem::path& path) {
#include "core/text.hpp"
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
#include "core/text.hpp"
  if (fd < 0) return errno_status(errno, path, "cannot open");
#include "core/text.hpp"
  CounterFile f;
#include "core/text.hpp"
  f.fd_ = fd;
#include "core/text.hpp"
  f.path_ = path;
#include "core/text.hpp"
  // A file that opens but cannot be read (sysfs attribute without a show method) is refused now.
#include "core/text.hpp"
  if (auto v = f.read_u64(); !v) return v.status();
#include "core/text.hpp"
  return f;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
Result<std::uint64_t> CounterFile::read_u64() const noexcept {
#include "core/text.hpp"
  char buf[32];
#include "core/text.hpp"
  ssize_t n;
#include "core/text.hpp"
  do {
#include "core/text.hpp"
    n = ::pread(fd_, buf, sizeof buf - 1, 0);
#include "core/text.hpp"
  } while (n < 0 && errno == EINTR);
#include "core/text.hpp"
  if (n < 0) return Status(StatusCode::unavailable, "read failed");
#include "core/text.hpp"
  // A full buffer may be a truncated number: refused rather than read short.
#include "core/text.hpp"
  if (n >= static_cast<ssize_t>(sizeof buf - 1)) return Status(StatusCode::unavailable, "value too long");
#include "core/text.hpp"
  std::uint64_t v = 0;
#include "core/text.hpp"
  const char* end = buf + n;
#include "core/text.hpp"
  const char* p = buf;
#include "core/text.hpp"
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
#include "core/text.hpp"
  const auto [q, ec] = std::from_chars(p, end, v);
#include "core/text.hpp"
  if (ec != std::errc() || q == p) return Status(StatusCode::unavailable, "not a number");
#include "core/text.hpp"
  // Only whitespace may follow: "0x1f" or "12abc" is a failed read, never 0 or 12.
#include "core/text.hpp"
  for (const char* t = q; t < end; ++t) {
#include "core/text.hpp"
    if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r') return Status(StatusCode::unavailable, "not a number");
#include "core/text.hpp"
  }
#include "core/text.hpp"
  return v;
#include "core/text.hpp"
}
#include "core/text.hpp"

#include "core/text.hpp"
}  // namespace carbontracker::io
