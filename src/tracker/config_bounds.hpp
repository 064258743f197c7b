// The documented range of every configuration value, in one place, so a value is refused the
// same way whichever door it came through: a CLI flag, an environment variable, the config file
// (set_config_key), a C++ Config (check_config), the C API's JSON or Python keyword arguments.
// The table in docs/configuration.md ("Bounds") is this table; keep them together.
//
// Contract
//  - check_number: NaN, infinities and values outside [min, max] (open ends where marked) are
//    invalid_argument naming the key, where it came from, the range with its unit, and the fix.
//  - check_text: a string with an embedded NUL (which C would cut silently) is invalid for every
//    key; log_file_prefix also may not contain '/' or "..", which would put logs outside
//    log_dir, and must fit a file name.
//  - Keys without numeric bounds (bools, budget_action, ...) are accepted by check_number.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace carbontracker::tracker {

struct NumberBounds {
  std::string_view key;
  std::string_view unit;     // "s", "W", "" (dimensionless)
  double min;
  double max;
  bool min_open = false;     // (min, max]: min itself is refused
  std::string_view fix;      // what a sensible value looks like
};

// The bounds of `key`, or none for keys that are not numbers.
const NumberBounds* number_bounds(std::string_view key) noexcept;

// "between 0.01 and 3600 s", "greater than 0 and at most 1e+09 kWh".
std::string range_text(const NumberBounds& b);

struct Problem {
  std::string problem;  // "must be between 1 and 5, got 7"
  std::string fix;
};

// What is wrong with `value` for `key`, or none.
std::optional<Problem> number_problem(std::string_view key, double value);
std::optional<Problem> text_problem(std::string_view key, std::string_view value);

// The same as a Status: "key (origin): problem", with the fix.
Status check_number(std::string_view key, double value, std::string_view origin);
Status check_text(std::string_view key, std::string_view value, std::string_view origin);

// Longest log_file_prefix: the file names add about 60 characters, and a name has 255.
inline constexpr std::size_t kMaxLogPrefixChars = 128;

}  // namespace carbontracker::tracker
