// What the report tests share: the fixture logs and a readable list of read issues (for
// assertion messages).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report/log_reader.hpp"
#include "test_support.hpp"

namespace carbontracker::report::test_logs {

inline const std::filesystem::path kLogs = carbontracker::testing::fixtures_dir() / "logs";

// One line per issue; `file_name_only` drops the directories (for fixture trees in temp dirs).
inline std::string issues_text(const std::vector<ReadIssue>& issues, bool file_name_only = false) {
  std::string out;
  for (const auto& i : issues) {
    out += (file_name_only ? std::filesystem::path(i.file).filename().string() : i.file) + ":" +
           std::to_string(i.line) + ": " + i.message + "\n";
  }
  return out;
}

}  // namespace carbontracker::report::test_logs
