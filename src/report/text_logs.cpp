#include "report/text_logs.hpp"

#include <cmath>
#include <limits>

#include "report/text_util.hpp"

namespace carbontracker::report {
namespace {

using detail::IssueSink;
using text::istarts_with;
using text::leading_double;
using text::trim;

std::optional<double> to_double(std::string_view s) { return text::to_number<double>(trim(s)); }
std::optional<int> to_int(std::string_view s) { return text::to_number<int>(trim(s)); }

using text::is_digit;

// Length of a leading "YYYY-MM-DD HH:MM:SS[,mmm] - " (Python logging's asctime), or 0.
std::size_t timestamp_length(std::string_view line) {
  static constexpr std::string_view shape = "dddd-dd-dd dd:dd:dd";
  if (line.size() < shape.size()) return 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !is_digit(line[i]) : line[i] != shape[i]) return 0;
  }
  std::size_t n = shape.size();
  if (n + 4 <= line.size() && line[n] == ',' && is_digit(line[n + 1]) && is_digit(line[n + 2]) &&
      is_digit(line[n + 3])) {
    n += 4;
  }
  if (line.substr(n, 3) == " - ") return n + 3;
  if (line.substr(n, 2) == " -" && n + 2 == line.size()) return n + 2;
  return 0;
}

std::string block_name(bool actual) { return actual ? "\"Actual consumption\"" : "\"Predicted consumption\""; }

constexpr const char* kDamagedEpoch = ": damaged; this epoch's energy is unknown and is not counted";
constexpr const char* kDamagedBlock = ": damaged; never added to a total";

// "None" or "null" (what a Python or JSON writer prints for a missing number), then anything.
bool is_null_word(std::string_view s) {
  s = trim(s);
  return istarts_with(s, "None") || istarts_with(s, "null");
}

// A report block being read: its header, then tab-indented Time / Energy / CO2eq lines and the
// optional equivalents.
struct Block {
  bool actual = false;
  int line = 0;
  Consumption c;
  bool time = false, energy = false, co2 = false, in_equivalents = false;
};

// Header forms: "Predicted consumption for N epoch(s):", "Actual consumption for N epoch(s):",
// "Actual consumption:" (epochs_before_pred == 0), "... for N epochs:" (what the Python parser's
// regex expects).
std::optional<Block> block_header(std::string_view m, int line) {
  Block b;
  std::string_view rest;
  static constexpr std::string_view predicted = "Predicted consumption", actual = "Actual consumption";
  if (istarts_with(m, predicted)) {
    rest = m.substr(predicted.size());
  } else if (istarts_with(m, actual)) {
    b.actual = true;
    rest = m.substr(actual.size());
  } else {
    return std::nullopt;
  }
  b.line = line;
  rest = trim(rest);
  if (istarts_with(rest, "for ")) {
    std::string_view after;
    if (const auto n = leading_double(rest.substr(4), &after); n && *n >= 0 && *n < 1e9 && std::floor(*n) == *n) {
      b.c.epochs = static_cast<int>(*n);
    }
  }
  return b;
}

class Parser {
 public:
  Parser(const std::string& file, std::vector<ReadIssue>* issues, const TextParseOptions& o)
      : file_(file), issues_(issues, file, o.max_issues) {}

  void line(std::string_view raw, int number) {
    const std::size_t ts = timestamp_length(raw);
    std::string_view m = raw.substr(ts);
    std::string_view rest;
    if (take(m, "CarbonTracker:", rest)) m = rest;
    m = trim(m);
    const bool has_ts = ts > 0;

    if (array_) {
      if (!has_ts && array_lines_ < 64) {
        array_text_ += ' ';
        array_text_ += m;
        ++array_lines_;
        if (m.find(']') != std::string_view::npos) finish_array();
        return;
      }
      issues_.add(array_->line, "power array for " + array_->component + " has no closing ']' (truncated?); skipped");
      array_.reset();
    }
    if (block_) {
      if (!has_ts && block_line(m, number)) return;
      close_block();
    }
    message(m, number);
  }

  TextLog finish() {
    if (array_) {
      issues_.add(array_->line, "power array for " + array_->component + " has no closing ']' (truncated?); skipped");
      array_.reset();
    }
    close_block();
    return std::move(log_);
  }

  IssueSink& issues() { return issues_; }

 private:
  void message(std::string_view m, int number) {
    if (m.empty()) return;
    if (auto b = block_header(m, number)) {
      block_ = std::move(b);
      return;
    }
    std::string_view rest;
    if (take(m, "carbontracker version ", rest)) {
      rest = trim(rest);
      log_.ours = rest.find("C++") != std::string_view::npos;
      log_.version = std::string(rest.substr(0, rest.find(' ')));
    } else if (take(m, "The following components were found:", rest)) {
      if (log_.devices_line == 0) {
        log_.devices = parse_components(rest, &log_.device_order);
        log_.devices_line = number;
      }
    } else if (take(m, "Epoch ", rest) && rest.size() > 1 && rest.back() == ':' &&
               to_int(rest.substr(0, rest.size() - 1))) {
      const int index = *to_int(rest.substr(0, rest.size() - 1));
      if (!log_.epochs.empty() && !log_.epochs.back().header && !log_.epochs.back().duration_s &&
          !log_.epochs.back().powers.empty()) {
        // Power lines written before this header: they are this epoch's.
        log_.epochs.back().index = index;
        log_.epochs.back().header = true;
      } else {
        log_.epochs.push_back({index, number, std::nullopt, {}, true});
      }
    } else if (take(m, "Duration:", rest)) {
      duration(rest, number);
    } else if (take(m, "Average power usage (W) for ", rest)) {
      power(rest, number);
    } else if (take(m, "Average carbon intensity during training was ", rest)) {
      // "X gCO2eq/kWh." (ours, v2.4), "X gCO2/kWh at detected location: ..." (older Python).
      if (const auto v = leading_double(rest); v && std::isfinite(*v)) log_.intensity_g_per_kwh = *v;
    } else if (take(m, "Carbon intensity used: ", rest)) {
      intensity_used(rest);
    } else if (take(m, "Carbon intensity fetched: ", rest) || take(m, "Carbon intensity: ", rest)) {
      if (const auto v = leading_double(rest); v && std::isfinite(*v)) log_.intensity_used_g_per_kwh = *v;
    } else if (take(m, "The whole run, time outside epochs included: ", rest)) {
      whole_run(rest);
    } else if (m.find("Training was interrupted") != std::string_view::npos) {
      log_.early_stop = true;
    } else if (const std::size_t p = m.find("PUE coefficient of "); p != std::string_view::npos) {
      if (const auto v = leading_double(m.substr(p + 19)); v && std::isfinite(*v) && *v > 0) log_.pue = *v;
    }
  }

  // rest = m after `prefix` (ASCII case-insensitive), when m starts with it.
  static bool take(std::string_view m, std::string_view prefix, std::string_view& rest) {
    if (!istarts_with(m, prefix)) return false;
    rest = m.substr(prefix.size());
    return true;
  }

  void duration(std::string_view rest, int number) {
    const auto d = parse_hms(rest);
    if (!d) {
      issues_.add(number, "unreadable epoch duration '" + std::string(trim(rest).substr(0, 40)) + "'; skipped");
      return;
    }
    log_.durations_s.push_back(*d);
    if (log_.epochs.empty() || log_.epochs.back().duration_s) {
      log_.epochs.push_back({next_index(), number, std::nullopt, {}});
    }
    log_.epochs.back().duration_s = *d;
  }

  int next_index() const {
    if (log_.epochs.empty()) return 1;
    const int last = log_.epochs.back().index;
    return last < std::numeric_limits<int>::max() ? last + 1 : last;  // a damaged "Epoch 2147483647:"
  }

  void power(std::string_view rest, int number) {
    const std::size_t sep = rest.find(": ");
    const std::size_t sep2 = sep == std::string_view::npos ? rest.rfind(':') : sep;
    if (sep2 == std::string_view::npos || sep2 == 0) {
      issues_.add(number, "power line without a component and value; skipped");
      return;
    }
    PowerLine p;
    p.component = text::to_lower(trim(rest.substr(0, sep2)));
    p.line = number;
    std::string_view value = trim(rest.substr(sep2 + 1));
    if (!value.empty() && value.front() == '[') {
      p.bracketed = true;
      log_.python_v1 = true;
      if (value.find(']') == std::string_view::npos) {
        array_ = std::move(p);
        array_text_ = std::string(value);
        array_lines_ = 0;
        return;
      }
      array_ = std::move(p);
      array_text_ = std::string(value);
      finish_array();
      return;
    }
    if (value == "None") {
      p.none = true;
      p.damage = "no power sample for " + p.component + " (logged None)";
    } else if (const auto v = to_double(value); v && std::isfinite(*v) && *v >= 0) {
      p.values_w.push_back(*v);
    } else if (v) {
      p.damage = "power for " + p.component + " is " + std::string(value.substr(0, 40)) + " W";
    } else {
      issues_.add(number, "unreadable power value for " + p.component + "; skipped");
      return;
    }
    if (!p.damage.empty()) issues_.add(number, p.damage + kDamagedEpoch);
    add_power(std::move(p));
  }

  // "[136.86 140.2]", numpy's wrapped form over several lines, "[None]", "[nan 12.]".
  void finish_array() {
    PowerLine p = std::move(*array_);
    array_.reset();
    std::string_view s = array_text_;
    s.remove_prefix(1);
    s = s.substr(0, s.find(']'));
    bool unknown = false, bad = false, negative = false;
    while (!s.empty()) {
      const std::size_t start = s.find_first_not_of(" \t,");
      if (start == std::string_view::npos) break;
      s.remove_prefix(start);
      const std::size_t end = s.find_first_of(" \t,");
      const std::string_view token = s.substr(0, end);
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
      if (token == "None") {
        unknown = true;
      } else if (const auto v = to_double(token)) {
        if (!std::isfinite(*v)) unknown = true;
        else if (*v < 0) negative = true;
        else p.values_w.push_back(*v);
      } else {
        bad = true;
      }
    }
    if (bad) {
      issues_.add(p.line, "unreadable power array for " + p.component + "; skipped");
      return;
    }
    if (unknown || negative || p.values_w.empty()) {
      p.values_w.clear();
      p.damage = negative ? "a negative power for a device of " + p.component
                          : "no power sample (None or nan) for a device of " + p.component;
      issues_.add(p.line, p.damage + kDamagedEpoch);
    }
    add_power(std::move(p));
  }

  void add_power(PowerLine p) {
    log_.power_lines.push_back(p);
    if (log_.epochs.empty() || log_.epochs.back().powers.count(p.component)) {
      log_.epochs.push_back({next_index(), p.line, std::nullopt, {}});
    }
    log_.epochs.back().powers[p.component] = std::move(p);
  }

  // "473.01 gCO2eq/kWh (assumed: SOURCE; WHY). ..."
  void intensity_used(std::string_view rest) {
    std::string_view after;
    if (const auto v = leading_double(rest, &after); v && std::isfinite(*v)) log_.intensity_used_g_per_kwh = *v;
    const std::size_t open = after.find('(');
    if (open == std::string_view::npos) return;
    std::string_view inside = after.substr(open + 1);
    const std::size_t colon = inside.find(": ");
    if (colon == std::string_view::npos) return;
    log_.intensity_kind = std::string(trim(inside.substr(0, colon)));
    inside.remove_prefix(colon + 2);
    log_.intensity_source = std::string(trim(inside.substr(0, inside.find("; "))));
  }

  // "0:00:01, 0.000002669 kWh, 0.001262 g CO2eq."
  void whole_run(std::string_view rest) {
    const std::size_t c1 = rest.find(", ");
    if (c1 == std::string_view::npos) return;
    log_.whole_run_duration_s = parse_hms(rest.substr(0, c1));
    std::string_view after;
    log_.whole_run_energy_kwh = leading_double(rest.substr(c1 + 2), &after);
    const std::size_t c2 = after.find(", ");
    if (c2 != std::string_view::npos) log_.whole_run_co2eq_g = leading_double(after.substr(c2 + 2));
  }

  // Marks the block being read as damaged (the first reason only) and reports it.
  void damage(Block& b, int number, const std::string& what) {
    if (!b.c.damaged) b.c.damaged = ReadIssue{file_, number, block_name(b.actual) + " block: " + what};
    issues_.add(number, block_name(b.actual) + " block: " + what + kDamagedBlock);
  }

  // One line inside a report block; false when the line does not belong to it.
  bool block_line(std::string_view m, int number) {
    Block& b = *block_;
    if (m.empty()) return true;
    std::string_view rest;
    if (take(m, "Time:", rest)) {
      if (const auto d = parse_hms(rest)) {
        b.c.duration_s = *d;
        b.time = true;
      }
      return true;
    }
    if (take(m, "Energy:", rest)) {
      std::string_view unit;
      if (const auto v = leading_double(rest, &unit); v && istarts_with(trim(unit), "kWh")) {
        b.c.energy_kwh = *v;
        b.energy = true;
        if (!std::isfinite(*v) || *v < 0) damage(b, number, "Energy is " + std::string(trim(rest).substr(0, 40)));
      } else if (is_null_word(rest)) {
        b.c.energy_kwh = std::nan("");
        b.energy = true;
        damage(b, number, "Energy is " + std::string(trim(rest).substr(0, 40)));
      }
      return true;
    }
    if (take(m, "CO2eq:", rest)) {
      std::string_view unit;
      if (const auto v = leading_double(rest, &unit); v && istarts_with(trim(unit), "g")) {
        // nan: the tool had no intensity (CO2eq unknown, the energy still counts).
        b.c.co2eq_g = std::isnan(*v) ? std::nan("") : *v;
        b.co2 = true;
        if (std::isinf(*v) || *v < 0) damage(b, number, "CO2eq is " + std::string(trim(rest).substr(0, 40)));
      } else if (is_null_word(rest)) {
        b.c.co2eq_g = std::nan("");
        b.co2 = true;
      }
      return true;
    }
    if (istarts_with(m, "This is equivalent to:")) {
      b.in_equivalents = true;
      return true;
    }
    if (b.in_equivalents) {
      std::string_view unit;
      if (const auto v = leading_double(m, &unit); v && !trim(unit).empty()) {
        b.c.equivalents[std::string(trim(unit))] = *v;
        return true;
      }
    }
    return false;
  }

  void close_block() {
    if (!block_) return;
    Block b = std::move(*block_);
    block_.reset();
    if (!b.time || !b.energy || !b.co2) {
      const char* missing = !b.time ? "Time" : (!b.energy ? "Energy" : "CO2eq");
      issues_.add(b.line, "incomplete " + block_name(b.actual) + " block (no readable " + missing +
                              " line; truncated?); skipped");
      return;
    }
    (b.actual ? log_.actual : log_.predicted).push_back({std::move(b.c), b.in_equivalents, b.line});
  }

  std::string file_;
  IssueSink issues_;
  TextLog log_;
  std::optional<Block> block_;
  std::optional<PowerLine> array_;  // a bracketed array still waiting for its ']'
  std::string array_text_;
  int array_lines_ = 0;
};

// Calls fn(line, number) for each line; drops a torn last line (no final '\n') when asked.
template <typename Fn>
void for_each_line(std::string_view text, const TextParseOptions& o, IssueSink& issues, Fn&& fn) {
  int number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      if (o.drop_torn_last_line) {
        if (!trim(text).empty()) issues.add(number, "the file ends mid-line (truncated?): last line skipped");
      } else {
        fn(text, number);
      }
      return;
    }
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line, number);
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

std::optional<double> parse_hms(std::string_view text) {
  text = trim(text);
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const std::size_t c1 = text.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  const std::size_t c2 = text.find(':', c1 + 1);
  if (c2 == std::string_view::npos || c2 != c1 + 3) return std::nullopt;
  const auto h = to_int(text.substr(0, c1));
  const auto m = to_int(text.substr(c1 + 1, 2));
  std::string_view sec = text.substr(c2 + 1);
  // The seconds run to the first blank (a report "Time:" line has nothing after them).
  sec = sec.substr(0, sec.find_first_of(" \t,"));
  const auto s = to_double(sec);
  if (!h || !m || !s || *h < 0 || *m < 0 || *m >= 60 || !(*s >= 0) || *s >= 61 || !is_digit(sec.front())) {
    return std::nullopt;
  }
  const double v = *h * 3600.0 + *m * 60.0 + *s;
  return negative ? -v : v;
}

std::map<std::string, std::vector<std::string>> parse_components(std::string_view text, std::vector<std::string>* order) {
  static constexpr std::string_view marker = " with device(s) ";
  std::map<std::string, std::vector<std::string>> out;
  // Positions of each component's name and of its marker.
  struct Part {
    std::size_t name_start, marker;
  };
  std::vector<Part> parts;
  std::size_t from = 0;
  while (true) {
    const std::size_t p = text.find(marker, from);
    if (p == std::string_view::npos) break;
    std::size_t s = p;
    while (s > from && text[s - 1] != ' ') --s;
    if (s < p) parts.push_back({s, p});
    from = p + marker.size();
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::size_t begin = parts[i].marker + marker.size();
    const std::size_t end = i + 1 < parts.size() ? parts[i + 1].name_start : text.size();
    std::string_view list = trim(text.substr(begin, end > begin ? end - begin : 0));
    if (!list.empty() && list.back() == '.') list.remove_suffix(1);
    std::vector<std::string> devices;
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      const std::string_view d = trim(list.substr(0, comma));
      if (!d.empty()) devices.emplace_back(d);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    std::string name = text::to_lower(trim(text.substr(parts[i].name_start, parts[i].marker - parts[i].name_start)));
    if (order && !out.count(name)) order->push_back(name);
    out[std::move(name)] = std::move(devices);
  }
  return out;
}

TextLog parse_text_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues,
                       const TextParseOptions& options) {
  Parser parser(file, issues, options);
  for_each_line(text, options, parser.issues(), [&](std::string_view line, int n) { parser.line(line, n); });
  return parser.finish();
}

std::vector<std::string> parse_err_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues,
                                       const TextParseOptions& options) {
  IssueSink sink(issues, file, options.max_issues);
  std::vector<std::string> out;
  for_each_line(text, options, sink, [&](std::string_view line, int) {
    const std::size_t ts = timestamp_length(line);
    if (ts == 0 || out.size() >= 1000) return;  // traceback lines, or enough
    std::string_view m = line.substr(ts);
    // "<thread> - <LEVEL> - <message>"
    const std::size_t a = m.find(" - ");
    if (a == std::string_view::npos) return;
    const std::size_t b = m.find(" - ", a + 3);
    if (b == std::string_view::npos) return;
    const std::string_view level = m.substr(a + 3, b - a - 3);
    if (level == "WARNING" || level == "ERROR" || level == "CRITICAL") out.emplace_back(trim(m.substr(b + 3)));
  });
  return out;
}

}  // namespace carbontracker::report
