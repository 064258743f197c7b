#include "io/process_tree.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "core/text.hpp"
#include "io/fs.hpp"

namespace carbontracker::io {
namespace {

// /proc/<pid>/stat: "pid (comm) state ppid ..." where comm may contain spaces and ')'.
int parent_of(const std::string& stat) {
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::string_view rest(stat);
  rest.remove_prefix(close + 1);
  rest = text::trim(rest);
  const auto sp = rest.find(' ');  // skip state
  if (sp == std::string_view::npos) return -1;
  rest = text::trim(rest.substr(sp + 1));
  int ppid = -1;
  std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
  return ppid;
}

}  // namespace

std::vector<int> process_tree(const std::filesystem::path& procfs_root, int root_pid) {
  std::multimap<int, int> children;  // ppid -> pid
  if (auto entries = list_dir(procfs_root)) {
    for (const auto& name : *entries) {
      int pid = 0;
      const auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
      if (ec != std::errc() || p != name.data() + name.size()) continue;
      auto stat = read_file(procfs_root / name / "stat");
      if (!stat) continue;
      children.emplace(parent_of(*stat), pid);
    }
  }
  std::vector<int> tree{root_pid};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    auto [b, e] = children.equal_range(tree[i]);
    for (auto it = b; it != e; ++it) {
      if (std::find(tree.begin(), tree.end(), it->second) == tree.end()) tree.push_back(it->second);
    }
  }
  std::sort(tree.begin(), tree.end());
  return tree;
}

}  // namespace carbontracker::io
