// Golden files: the observable outputs of a fixed run (console, the Python-format logs, the
// event log, the summary JSON) compared byte for byte with tests/golden/expected/<scenario>/.
//
// Contract
//  - expect_golden() compares every output of a scenario with its expected file, and the set of
//    names with the files in the scenario's folder (an output that appears or disappears fails
//    too). A mismatch fails the test with the file's path and a unified-style diff of the first
//    differing lines.
//  - With CARBONTRACKER_UPDATE_GOLDEN=1 in the environment, expected files that differ are
//    rewritten (and stale ones removed) and the test FAILS, naming them: regeneration is never
//    silent, so a CI that sets the variable by mistake still goes red. Unchanged files pass.
//  - Normaliser: only what a fixed run cannot fix (temporary paths, the pid and random log id,
//    the version, real-clock times) is replaced, by exact text or narrow regular expressions.
//    Lines are never dropped, so any change of wording, number format, key or line order shows.
#pragma once

#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace carbontracker::golden {

// The scenario's folder in the source tree (tests/golden/expected/<scenario>).
std::filesystem::path expected_dir(const std::string& scenario);
bool updating();

class Normaliser {
 public:
  // Every occurrence of `from` (a path, a pid) becomes `to`; applied first, in the order added.
  Normaliser& literal(std::string from, std::string to);
  // std::regex (ECMAScript) replaced with `to` ($1 ... allowed); applied after the literals.
  Normaliser& pattern(const std::string& regex, std::string to);
  [[nodiscard]] std::string apply(std::string text) const;

 private:
  std::vector<std::pair<std::string, std::string>> literals_;
  std::vector<std::pair<std::regex, std::string>> patterns_;
};

// The version in the standard log's first line and in the JSON "carbontracker_version" member.
void add_version_patterns(Normaliser& norm);

// The first differing region of two texts (up to where they agree again) as a unified-style diff
// (---/+++/@@, then " ", "-", "+" lines),
// at most `max_lines` changed lines per side.
std::string first_difference(const std::string& expected, const std::string& actual, const std::string& label,
                             std::size_t max_lines = 40);

// outputs: file name in the scenario's folder -> its (normalised) content.
void expect_golden(const std::string& scenario, const std::map<std::string, std::string>& outputs);

}  // namespace carbontracker::golden
