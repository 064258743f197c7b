#include "sensors/cpu_table.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <exception>

#include "core/csv_rows.hpp"
#include "core/text.hpp"

namespace carbontracker::sensors {
namespace {

using text::iequals;
using text::is_alnum;
using text::is_alpha;
using text::is_digit;
using text::istarts_with;

// "64-Core", "16-Cores", "Dual-Core", "Eight-Core": core counts are not part of the model.
bool is_core_count_word(std::string_view t) noexcept {
  std::string_view stem;
  for (std::string_view suffix : {std::string_view("-cores"), std::string_view("-core")}) {
    if (t.size() > suffix.size() && iequals(t.substr(t.size() - suffix.size()), suffix)) {
      stem = t.substr(0, t.size() - suffix.size());
      break;
    }
  }
  if (stem.empty()) return false;
  return std::all_of(stem.begin(), stem.end(), is_digit) || std::all_of(stem.begin(), stem.end(), is_alpha);
}

// "13th", "7th", "2nd": the "<N>th Gen" prefix of recent Intel/AMD model strings.
bool is_ordinal(std::string_view t) noexcept {
  if (t.size() < 3) return false;
  const std::string_view digits = t.substr(0, t.size() - 2);
  const std::string_view suffix = t.substr(t.size() - 2);
  return std::all_of(digits.begin(), digits.end(), is_digit) &&
         (iequals(suffix, "st") || iequals(suffix, "nd") || iequals(suffix, "rd") || iequals(suffix, "th"));
}

// Marks, spacing, '@' and parenthesised remarks; the result is tokenised afterwards.
std::string strip_marks(std::string_view raw) {
  std::string s;
  s.reserve(raw.size());
  // A removed mark followed by a letter or digit leaves a space ("Core(TM)2 Duo" -> "Core 2 Duo");
  // otherwise nothing ("FX(tm)-8350" -> "FX-8350").
  auto after_mark = [&](std::size_t next) {
    if (next < raw.size() && is_alnum(raw[next])) s += ' ';
  };
  for (std::size_t i = 0; i < raw.size();) {
    const std::string_view rest = raw.substr(i);
    if (istarts_with(rest, "(r)")) {
      after_mark(i + 3);
      i += 3;
    } else if (istarts_with(rest, "(tm)")) {
      after_mark(i + 4);
      i += 4;
    } else if (rest.starts_with("\xC2\xAE")) {  // ®
      after_mark(i + 2);
      i += 2;
    } else if (rest.starts_with("\xE2\x84\xA2")) {  // ™
      after_mark(i + 3);
      i += 3;
    } else if (rest.starts_with("\xC2\xA0")) {  // no-break space
      s += ' ';
      i += 2;
    } else if (raw[i] == '@') {
      break;  // "@ 2.50GHz": the frequency is not part of the model
    } else if (raw[i] == '(') {
      const std::size_t close = raw.find(')', i);
      i = close == std::string_view::npos ? raw.size() : close + 1;
      s += ' ';
    } else {
      const char c = raw[i];
      s += (c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') ? ' ' : c;
      ++i;
    }
  }
  return s;
}

}  // namespace

std::string normalize_cpu_name(std::string_view raw) {
  const std::string s = strip_marks(raw);
  std::vector<std::string_view> tokens;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t b = s.find_first_not_of(' ', i);
    if (b == std::string::npos) break;
    const std::size_t e = std::min(s.find(' ', b), s.size());
    tokens.emplace_back(std::string_view(s).substr(b, e - b));
    i = e;
  }
  std::size_t first = 0;
  if (tokens.size() >= 2 && is_ordinal(tokens[0]) && iequals(tokens[1], "gen")) first = 2;
  std::string out;
  for (std::size_t i = first; i < tokens.size(); ++i) {
    const std::string_view t = tokens[i];
    if (iequals(t, "with")) break;  // "with Radeon Graphics", "with Radeon Vega Mobile Gfx"
    if (iequals(t, "cpu") || iequals(t, "processor") || is_core_count_word(t)) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::string format_decimal(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  if (ec != std::errc()) return "?";
  std::string s(buf, end);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

namespace {

bool icontains(std::string_view hay, std::string_view needle) noexcept {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// The longest maximal run of ASCII letters and digits of s (the first of equal length).
std::string_view longest_alnum_run(std::string_view s) noexcept {
  std::string_view best;
  for (std::size_t i = 0; i < s.size();) {
    if (!is_alnum(s[i])) {
      ++i;
      continue;
    }
    std::size_t e = i;
    while (e < s.size() && is_alnum(s[e])) ++e;
    if (e - i > best.size()) best = s.substr(i, e - i);
    i = e;
  }
  return best;
}

}  // namespace

CpuTable CpuTable::parse(std::string_view csv_text, const std::string& source_name) {
  return parse_filtered(csv_text, source_name, {});
}

CpuTable CpuTable::parse_for(std::string_view csv_text, std::string_view raw_model, const std::string& source_name) {
  const std::string normalized = normalize_cpu_name(raw_model);
  return parse_filtered(csv_text, source_name, longest_alnum_run(normalized));
}

CpuTable CpuTable::parse_filtered(std::string_view csv_text, const std::string& source_name,
                                  std::string_view must_contain) {
  CpuTable table;
  // Names such as "Intel EP80579 Integrated, 1066 MHz" are quoted because they hold commas.
  const std::array<std::string, 2> columns{"Name", "TDP"};
  csv::for_each_row<2>(
      csv_text, source_name, columns,
      [&](unsigned line, const csv::Cells<2>& cells) {
        const std::string& name = cells[0];
        if (!icontains(name, must_contain)) return;  // cannot normalise to the name looked for
        const std::string& tdp_text = cells[1];
        auto reject = [&](std::string reason) { table.rejected_.push_back({line, name, std::move(reason)}); };
        if (name.empty()) {
          reject("missing name");
          return;
        }
        if (tdp_text.empty()) {
          reject("missing TDP");
          return;
        }
        auto tdp = text::parse_double(tdp_text, "TDP");
        if (!tdp) {
          reject("TDP \"" + tdp_text + "\" is not a number");
          return;
        }
        if (!std::isfinite(*tdp) || *tdp <= 0) {
          reject("TDP " + tdp_text + " is not a positive number of watts");
          return;
        }
        const std::string normalized = normalize_cpu_name(name);
        if (normalized.empty()) {
          reject("name is empty once normalised");
          return;
        }
        table.index_[text::to_lower(normalized)].push_back(table.rows_.size());
        table.rows_.push_back({line, name, *tdp});
      },
      [&](unsigned line, std::string message) { table.rejected_.push_back({line, {}, std::move(message)}); });
  for (const auto& [key, indices] : table.index_) {
    const double tdp0 = table.rows_[indices.front()].tdp_w;
    if (std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return table.rows_[i].tdp_w != tdp0; })) {
      ++table.ambiguous_;
    }
  }
  return table;
}

CpuTableMatch CpuTable::lookup(std::string_view raw_model) const {
  CpuTableMatch m;
  m.normalized = normalize_cpu_name(raw_model);
  if (m.normalized.empty()) return m;
  const auto it = index_.find(text::to_lower(m.normalized));
  if (it == index_.end()) return m;
  const auto& indices = it->second;
  const double tdp0 = rows_[indices.front()].tdp_w;
  const bool conflicting =
      std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return rows_[i].tdp_w != tdp0; });
  if (conflicting) {
    m.kind = CpuTableMatch::Kind::ambiguous;
    for (std::size_t i : indices) m.candidates.push_back(rows_[i]);
  } else {
    m.kind = CpuTableMatch::Kind::found;
    m.row = rows_[indices.front()];
  }
  return m;
}

const CpuTable& builtin_cpu_table() {
  static const CpuTable table = CpuTable::parse(carbontracker::data::kCpuPowerCsv);
  return table;
}

}  // namespace carbontracker::sensors
