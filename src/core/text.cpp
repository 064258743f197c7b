#include "core/text.hpp"

namespace carbontracker::text {
namespace {

template <class T>
Result<T> parse_whole(std::string_view text, std::string_view what, std::string_view expected) {
  const std::string_view t = trim(text);
  if (const auto v = to_number<T>(t)) return *v;
  return Status(StatusCode::invalid_argument,
                std::string(what) + ": expected " + std::string(expected) + ", got \"" + std::string(t) + "\"");
}

}  // namespace

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_upper(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::optional<double> leading_double(std::string_view s, std::string_view* rest) noexcept {
  s = trim(s);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return std::nullopt;
  if (rest) *rest = s.substr(static_cast<std::size_t>(ptr - s.data()));
  return v;
}

Result<double> parse_double(std::string_view text, std::string_view what) {
  return parse_whole<double>(text, what, "a number");
}

Result<std::uint64_t> parse_u64(std::string_view text, std::string_view what) {
  return parse_whole<std::uint64_t>(text, what, "an unsigned integer");
}

Result<int> parse_int(std::string_view text, std::string_view what) {
  return parse_whole<int>(text, what, "an integer");
}

}  // namespace carbontracker::text
