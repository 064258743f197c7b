#include "io/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "core/text.hpp"

namespace carbontracker::io {

Status errno_status(int err, const std::filesystem::path& path, std::string_view what) {
  std::string msg = std::string(what) + " " + path.string() + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return {StatusCode::not_found, std::move(msg)};
    case EACCES:
    case EPERM:
      return {StatusCode::permission_denied, std::move(msg)};
    default:
      return {StatusCode::unavailable, std::move(msg)};
  }
}

Result<std::string> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(errno, path, "cannot open");
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return errno_status(err, path, "cannot read");
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<std::string> read_line(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.status();
  std::string_view v = *text;
  v = v.substr(0, v.find('\n'));
  return std::string(text::trim(v));
}

Result<std::uint64_t> read_u64(const std::filesystem::path& path) {
  auto line = read_line(path);
  if (!line) return line.status();
  return text::parse_u64(*line, path.string());
}

Result<double> read_double(const std::filesystem::path& path) {
  auto line = read_line(path);
  if (!line) return line.status();
  return text::parse_double(*line, path.string());
}

Result<std::vector<std::string>> list_dir(const std::filesystem::path& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), &::closedir);
  if (!dir) return errno_status(errno, path, "cannot list");
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir.get())) {
    const std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names.emplace_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool exists(const std::filesystem::path& path) noexcept {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

CounterFile::~CounterFile() {
  if (fd_ >= 0) ::close(fd_);
}

CounterFile::CounterFile(CounterFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

CounterFile& CounterFile::operator=(CounterFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

Result<CounterFile> CounterFile::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(errno, path, "cannot open");
  CounterFile f;
  f.fd_ = fd;
  f.path_ = path;
  // A file that opens but cannot be read (sysfs attribute without a show method) is refused now.
  if (auto v = f.read_u64(); !v) return v.status();
  return f;
}

Result<std::uint64_t> CounterFile::read_u64() const noexcept {
  char buf[32];
  ssize_t n;
  do {
    n = ::pread(fd_, buf, sizeof buf - 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status(StatusCode::unavailable, "read failed");
  // A full buffer may be a truncated number: refused rather than read short.
  if (n >= static_cast<ssize_t>(sizeof buf - 1)) return Status(StatusCode::unavailable, "value too long");
  std::uint64_t v = 0;
  const char* end = buf + n;
  const char* p = buf;
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  const auto [q, ec] = std::from_chars(p, end, v);
  if (ec != std::errc() || q == p) return Status(StatusCode::unavailable, "not a number");
  // Only whitespace may follow: "0x1f" or "12abc" is a failed read, never 0 or 12.
  for (const char* t = q; t < end; ++t) {
    if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r') return Status(StatusCode::unavailable, "not a number");
  }
  return v;
}

}  // namespace carbontracker::io
