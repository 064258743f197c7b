// Claims on what a process measures, shared by the processes of one job on one physical host:
// an exclusive flock(2) on a file <run dir>/<job>/<host>/<name>.lock, held until the Claims
// object is destroyed (or the process dies: the kernel releases it, so a restarted rank can
// claim again). Two ranks never claim the same GPU or the same host's CPU and DRAM.
//
// Contract
//  - The run directory must be local to the physical host and shared by the job's processes on
//    it (default: $CARBONTRACKER_RUN_DIR, else $XDG_RUNTIME_DIR/carbontracker, else
//    /tmp/carbontracker-<uid>; default_run_dir()). It and the job's directories are created 0700
//    and refused (an error, not a claim) unless this user owns them and no one else can write them.
//  - claim(): true when this process now holds the name (or already did), false when another
//    process holds it (holder() then says who, as that process wrote it: may be empty for the
//    instant between its lock and its write), an error when the directory or file cannot be used.
//  - Files are opened O_CLOEXEC: a child the training starts does not inherit a claim.
//  - Not thread-safe: one Claims per tracker, used on its constructing thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/status.hpp"

namespace carbontracker::distributed {

// `s` as one file-name component: characters other than letters, digits, '.', '-' and '_'
// become '_' (a job id "prterun-x-1@1" or "10.0.0.1:29500" cannot make a path).
std::string file_name_part(const std::string& s);

std::filesystem::path default_run_dir(const std::function<std::optional<std::string>(const std::string&)>& getenv);

class Claims {
 public:
  // dir: <run dir>/<job>/<host>, made of the job id and host key with unsafe characters replaced.
  Claims(const std::filesystem::path& run_dir, const std::string& job_id, const std::string& host_key);
  ~Claims();
  Claims(const Claims&) = delete;
  Claims& operator=(const Claims&) = delete;

  // who: written into the file for the processes that lose ("rank 0 (local rank 0) on node1 ...").
  Result<bool> claim(const std::string& name, const std::string& who);
  [[nodiscard]] std::string holder(const std::string& name) const;
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  [[nodiscard]] std::filesystem::path file(const std::string& name) const;
  [[nodiscard]] Status make_private_dirs() const;
  std::filesystem::path dir_;
  std::map<std::string, int> held_;  // name -> fd
};

}  // namespace carbontracker::distributed
