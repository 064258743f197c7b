// How the CLI prints an error the library raised. The library's own exceptions start with
// "carbontracker: " (they reach Python and C callers that way); printed after the CLI's
// "carbontracker: error: " that prefix would be said twice.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace carbontracker::cli {

inline std::string error_line(const std::exception& e) {
  constexpr std::string_view kPrefix = "carbontracker: ";
  std::string_view what = e.what();
  if (what.substr(0, kPrefix.size()) == kPrefix) what.remove_prefix(kPrefix.size());
  return "carbontracker: error: " + std::string(what);
}

}  // namespace carbontracker::cli
