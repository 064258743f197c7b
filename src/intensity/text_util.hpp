// ASCII-only text helpers shared by the intensity tables, location and provider choice.
// Locale-independent on purpose: std::tolower would follow the C locale, and codes, zone keys
// and postcodes are ASCII whatever the user's locale is. Non-ASCII bytes (UTF-8) pass through.
#pragma once

#include <string>
#include <string_view>

namespace carbontracker::intensity::text {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

inline std::string_view trim(std::string_view s) noexcept {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

inline bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace carbontracker::intensity::text
