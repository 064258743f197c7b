#include "distributed/claims.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace carbontracker::distributed {

std::string file_name_part(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

std::filesystem::path default_run_dir(const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  auto get = [&](const char* name) -> std::optional<std::string> {
    if (!getenv) return std::nullopt;
    auto v = getenv(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  if (auto d = get("CARBONTRACKER_RUN_DIR")) return *d;
  // srun passes on the login node's XDG_RUNTIME_DIR, which a compute node may not have.
  std::error_code ec;
  if (auto d = get("XDG_RUNTIME_DIR"); d && std::filesystem::is_directory(*d, ec)) {
    return std::filesystem::path(*d) / "carbontracker";
  }
  return std::filesystem::path("/tmp") / ("carbontracker-" + std::to_string(::getuid()));
}

Claims::Claims(const std::filesystem::path& run_dir, const std::string& job_id, const std::string& host_key)
    : dir_(run_dir / file_name_part(job_id) / file_name_part(host_key)) {}

Claims::~Claims() {
  for (const auto& [name, fd] : held_) ::close(fd);  // releases the lock; the file stays for the others
}

// The run directory and the job's directories below it: made 0700 and refused unless this user
// owns them (not a link, not writable by others). A shared /tmp lets anyone create
// /tmp/carbontracker-<uid> first and hold our claims.
Status Claims::make_private_dirs() const {
  const std::string fix =
      "set CARBONTRACKER_RUN_DIR to a directory on local disk that only you can write, the same for every rank of the job";
  const std::filesystem::path run = dir_.parent_path().parent_path();
  for (const auto& d : {run, dir_.parent_path(), dir_}) {
    if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status(StatusCode::unavailable, "cannot create the job's run directory " + d.string() + ": " + std::strerror(errno), fix);
    }
    struct stat st {};
    if (::lstat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 0022) != 0) {
      return Status(StatusCode::permission_denied,
                    "the job's run directory " + d.string() + " is not this user's own directory (its owner, a link, or others may write to it)",
                    fix);
    }
  }
  return {};
}

std::filesystem::path Claims::file(const std::string& name) const { return dir_ / (file_name_part(name) + ".lock"); }

Result<bool> Claims::claim(const std::string& name, const std::string& who) {
  if (held_.count(name)) return true;
  if (Status st = make_private_dirs(); !st) return st;
  const std::filesystem::path path = file(name);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(StatusCode::unavailable, "cannot open " + path.string() + ": " + std::strerror(errno),
                  "set CARBONTRACKER_RUN_DIR to a writable directory on local disk, the same for every rank of the job");
  }
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return false;
    return Status(StatusCode::unavailable, "cannot lock " + path.string() + ": " + std::strerror(err),
                  "use a CARBONTRACKER_RUN_DIR on a local file system that supports flock(2)");
  }
  // Who holds it, for the processes that lose. Best effort: the claim stands without it.
  if (::ftruncate(fd, 0) == 0) {
    const std::string text = who + "\n";
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  }
  held_.emplace(name, fd);
  return true;
}

std::string Claims::holder(const std::string& name) const {
  std::ifstream in(file(name));
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace carbontracker::distributed
