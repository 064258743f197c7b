#include "runner/command_line.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "core/text.hpp"
#include "runner/spawn.hpp"

namespace carbontracker::runner {
namespace {

constexpr std::string_view kMask = "***";
constexpr std::array<std::string_view, 9> kSecretWords{"key",  "token",      "secret", "password", "passwd",
                                                       "pwd",  "credential", "auth",   "cookie"};

bool names_a_secret(std::string_view name) {
  const std::string lower = text::to_lower(name);
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

// scheme://user:password@host... -> scheme://user:***@host...
std::string mask_url_password(std::string arg) {
  const auto scheme = arg.find("://");
  if (scheme == std::string::npos) return arg;
  const auto start = scheme + 3;
  const auto at = arg.find('@', start);
  const auto slash = arg.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return arg;
  const auto colon = arg.find(':', start);
  if (colon == std::string::npos || colon > at) return arg;
  return arg.substr(0, colon + 1) + std::string(kMask) + arg.substr(at);
}

}  // namespace

std::optional<StartProblem> precheck_start(const std::string& file, const char* path_env) {
  bool found_any = false;
  for (const auto& candidate : exec_candidates(file, path_env)) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0) continue;
    found_any = true;
    if (!S_ISREG(st.st_mode)) continue;  // a directory of that name: execvp would go on searching
    if (::access(candidate.c_str(), X_OK) == 0) return std::nullopt;
  }
  const std::string head = "cannot run '" + file + "': ";
  if (found_any) return StartProblem{126, head + "permission denied (is it an executable file? try chmod +x)"};
  if (file.find('/') != std::string::npos) return StartProblem{127, head + "no such file"};
  const bool here = ::access(file.c_str(), F_OK) == 0;
  return StartProblem{127, head + "command not found (searched PATH)" +
                               (here ? "; to run the file here, say ./" + file : std::string())};
}

std::vector<std::string> masked_command(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  out.reserve(argv.size());
  bool mask_next = false;
  for (const auto& arg : argv) {
    if (mask_next) {
      mask_next = false;
      out.emplace_back(kMask);
      continue;
    }
    const auto eq = arg.find('=');
    if (eq != std::string::npos && eq > 0 && names_a_secret(std::string_view(arg).substr(0, eq))) {
      out.push_back(arg.substr(0, eq + 1) + std::string(kMask));
      continue;
    }
    if (eq == std::string::npos && arg.size() > 1 && arg[0] == '-' && names_a_secret(arg)) {
      mask_next = true;  // --api-key VALUE
    }
    out.push_back(mask_url_password(arg));
  }
  return out;
}

}  // namespace carbontracker::runner
