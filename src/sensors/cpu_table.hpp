// The CPU TDP table (CodeCarbon's cpu_power.csv, MIT; data/hardware/) and CPU name
// normalisation, for the TDP-based CPU estimate.
//
// Contract
//  - The table is compiled in (carbontracker::data::kCpuPowerCsv) and parsed once, lazily, on
//    the first call to builtin_cpu_table() (a function-local static: thread-safe, nothing
//    happens at start-up). CpuTable::parse() parses any CSV text the same way (tests).
//  - Malformed rows are rejected, never repaired: a TDP that is not one plain number
//    ("27.29.5"), empty, non-finite or <= 0; an empty name; a row with the wrong number of
//    columns. Every rejection keeps its line number, name and reason.
//  - Lookup is a case-insensitive exact match of normalised names. Rows that normalise to the
//    same name with the same TDP are duplicates and harmless; with different TDPs the name is
//    ambiguous and lookup says so instead of picking one. There is no substring or fuzzy match.
//  - Units: TDP in watts. Nothing here throws except std::bad_alloc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace carbontracker::data {
extern const std::string_view kCpuPowerCsv;  // generated from data/hardware/cpu_power.csv
}

namespace carbontracker::sensors {

// "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz" -> "Intel Xeon Gold 6248". Drops (R), (TM), ®, ™,
// everything from '@' on, parenthesised remarks ("(OEM Only)", "(125W)"), a leading
// "<N>th Gen", the words "CPU" and "Processor", "<N>-Core(s)" / "Dual-Core"-style words, and
// everything from the word "with" on ("with Radeon Graphics"); collapses whitespace
// (including no-break spaces). Case is kept; matching lower-cases.
std::string normalize_cpu_name(std::string_view raw);

struct CpuTableRow {
  unsigned line = 0;       // 1-based line in the CSV (the header is line 1)
  std::string name;        // as written in the table
  double tdp_w = 0.0;
};

struct CpuTableRejection {
  unsigned line = 0;
  std::string name;        // empty when the row could not be split into columns
  std::string reason;
};

struct CpuTableMatch {
  enum class Kind { found, unknown, ambiguous };
  Kind kind = Kind::unknown;
  std::string normalized;               // the query after normalize_cpu_name
  std::optional<CpuTableRow> row;       // found: the row used (the first of equal duplicates)
  std::vector<CpuTableRow> candidates;  // ambiguous: every row with that name
};

class CpuTable {
 public:
  // Never throws on bad input: a missing/wrong header leaves the table empty with one rejection.
  static CpuTable parse(std::string_view csv_text, const std::string& source_name = "cpu_power.csv");
  // As parse(), keeping only the rows that lookup(raw_model) can return, for a tracker that
  // looks up one model (parsing the whole compiled-in table costs 5-8 ms of its start-up):
  // lookup(raw_model) on the result equals parse(csv_text).lookup(raw_model). Every maximal
  // run of ASCII letters and digits of a normalised name is a run of the raw name (marks are
  // removed or replaced by a space, never joining two runs), so a row whose name does not contain
  // the longest run of raw_model's normalised name, case-insensitively, is skipped before it is
  // normalised. rows(), rejected() and ambiguous_names() cover the rows kept.
  static CpuTable parse_for(std::string_view csv_text, std::string_view raw_model,
                            const std::string& source_name = "cpu_power.csv");

  [[nodiscard]] const std::vector<CpuTableRow>& rows() const noexcept { return rows_; }
  [[nodiscard]] const std::vector<CpuTableRejection>& rejected() const noexcept { return rejected_; }
  // Normalised names that map to rows with different TDPs.
  [[nodiscard]] std::size_t ambiguous_names() const noexcept { return ambiguous_; }
  [[nodiscard]] CpuTableMatch lookup(std::string_view raw_model) const;

 private:
  // parse() of the rows whose name contains `must_contain` (ASCII case-insensitive; "" keeps all).
  static CpuTable parse_filtered(std::string_view csv_text, const std::string& source_name,
                                 std::string_view must_contain);
  std::vector<CpuTableRow> rows_;
  std::vector<CpuTableRejection> rejected_;
  // lower-cased normalised name -> indices into rows_, in file order
  std::unordered_map<std::string, std::vector<std::size_t>> index_;
  std::size_t ambiguous_ = 0;
};

// The compiled-in table, parsed on first use.
const CpuTable& builtin_cpu_table();

// Locale-independent short decimal text for notes ("150", "6.5", "0.375"): at most 3
// decimals, trailing zeros dropped. Shared by the estimate and simulated backends.
std::string format_decimal(double v);

}  // namespace carbontracker::sensors
