// Reading sysfs/procfs-style files under an injected root. Every reader of /sys and /proc goes
// through these helpers, so tests point the roots at fixture trees.
//
// Errors are classified from errno: ENOENT/ENOTDIR -> not_found, EACCES/EPERM ->
// permission_denied, anything else -> unavailable; messages name the path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace carbontracker::io {

// Status for a failed system call on `path` (errno captured by the caller).
Status errno_status(int err, const std::filesystem::path& path, std::string_view what);

Result<std::string> read_file(const std::filesystem::path& path);
// First line without the trailing newline/whitespace.
Result<std::string> read_line(const std::filesystem::path& path);
Result<std::uint64_t> read_u64(const std::filesystem::path& path);
Result<double> read_double(const std::filesystem::path& path);
// Entry names (no "." / ".."), sorted.
Result<std::vector<std::string>> list_dir(const std::filesystem::path& path);
bool exists(const std::filesystem::path& path) noexcept;

// Parsing the text (trim, numbers) is core/text.hpp's.

// A file kept open and re-read from offset 0: the hot path for counters exposed as text
// (powercap energy_uj). Opening is where permission problems show up.
class CounterFile {
 public:
  CounterFile() = default;
  ~CounterFile();
  CounterFile(CounterFile&& other) noexcept;
  CounterFile& operator=(CounterFile&& other) noexcept;
  CounterFile(const CounterFile&) = delete;
  CounterFile& operator=(const CounterFile&) = delete;

  static Result<CounterFile> open(const std::filesystem::path& path);
  // Reads and parses a decimal unsigned integer. No allocation.
  Result<std::uint64_t> read_u64() const noexcept;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace carbontracker::io
