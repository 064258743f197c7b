// The process tree rooted at a pid, read from procfs (injected root). Used by devices_by_pid
// to find GPUs running our processes; called on the sampler's slow tick only (it lists /proc).
#pragma once

#include <filesystem>
#include <vector>

namespace carbontracker::io {

// root_pid and every descendant alive now, sorted. Unreadable entries are skipped (processes
// come and go while we scan).
std::vector<int> process_tree(const std::filesystem::path& procfs_root, int root_pid);

}  // namespace carbontracker::io
