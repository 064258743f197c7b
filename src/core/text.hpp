// The one copy of the small text helpers every module needs: trimming, ASCII case mapping and
// number parsing.
//
// Contract: ASCII only and locale-independent on purpose. std::tolower and strtod follow the C
// locale (a German locale reads "1,5" and writes "1,5"); codes, zone keys, sysfs values and log
// numbers are ASCII whatever the user's locale is. Non-ASCII bytes (UTF-8) pass through
// unchanged. Nothing here throws except std::bad_alloc from a returned std::string.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "core/status.hpp"

namespace carbontracker::text {

// Blank = ' ', '\t', '\r', '\n', '\v', '\f'.
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}
constexpr bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return is_upper(c) || is_lower(c); }
constexpr bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr char to_lower(char c) noexcept { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char to_upper(char c) noexcept { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

// s without leading and trailing blanks (a view into s).
std::string_view trim(std::string_view s) noexcept;

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b) noexcept;
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;

// Exactly one number and nothing else: no blanks, no sign for unsigned types, no trailing bytes
// ("12abc", " 12", "" and out-of-range values are nullopt). For doubles, "nan" and "inf" are
// numbers (callers that refuse them check std::isfinite). T: an integer type or double.
template <class T>
std::optional<T> to_number(std::string_view s) noexcept {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  if (s.empty()) return std::nullopt;
  T v{};
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// The number at the start of s (after blanks); `rest` gets what follows it ("12.5 kWh" -> 12.5,
// " kWh").
std::optional<double> leading_double(std::string_view s, std::string_view* rest = nullptr) noexcept;

// A whole number with surrounding blanks allowed, or invalid_argument naming `what` and the text:
// `what: expected a number, got "abc"`.
Result<double> parse_double(std::string_view text, std::string_view what);
Result<std::uint64_t> parse_u64(std::string_view text, std::string_view what);
Result<int> parse_int(std::string_view text, std::string_view what);

}  // namespace carbontracker::text
