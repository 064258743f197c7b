// Small string helpers shared by the report readers (internal). ASCII only, locale-independent,
// no allocation except where a std::string is returned; never throw.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/run_data.hpp"

namespace carbontracker::report::detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

// A whole (trimmed) number: "1.5", "-2e-3", "nan", "inf". from_chars: no locale, no exceptions.
inline std::optional<double> to_double(std::string_view s) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// The number at the start of s (after blanks); `rest` gets what follows it.
inline std::optional<double> leading_double(std::string_view s, std::string_view* rest = nullptr) {
  s = trim(s);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return std::nullopt;
  if (rest) *rest = s.substr(static_cast<std::size_t>(ptr - s.data()));
  return v;
}

inline std::optional<int> to_int(std::string_view s) {
  s = trim(s);
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Collects the issues of one file, at most `max` of them; the rest are counted in one summary.
class IssueSink {
 public:
  IssueSink(std::vector<ReadIssue>* out, std::string file, int max) : out_(out), file_(std::move(file)), max_(max) {}
  IssueSink(const IssueSink&) = delete;
  IssueSink& operator=(const IssueSink&) = delete;
  ~IssueSink() {
    if (out_ && dropped_ > 0) {
      out_->push_back({file_, 0, std::to_string(dropped_) + " more problem(s) in this file not listed"});
    }
  }
  void add(int line, std::string message) {
    if (!out_) return;
    if (count_ >= max_) {
      ++dropped_;
      return;
    }
    ++count_;
    out_->push_back({file_, line, std::move(message)});
  }

 private:
  std::vector<ReadIssue>* out_;
  std::string file_;
  int max_;
  int count_ = 0;
  int dropped_ = 0;
};

}  // namespace carbontracker::report::detail
