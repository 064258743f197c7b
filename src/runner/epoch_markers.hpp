// Epoch markers in a child's output: the `--epoch-pattern` (an epoch ends) and the
// `--epoch-start-pattern` (an epoch starts) of `carbontracker run`, matched line by line.
//
// Contract
//  - Patterns are RE2, searched unanchored in each line after ANSI escape sequences
//    (`ESC [ ... letter`) and backspaces are removed (Keras 3 colours its bars even in a pipe).
//  - Named groups: `(?P<epoch>...)` is the epoch number, `(?P<total>...)` the planned count.
//    Their text must be a whole number to count (else the group is ignored). A match whose epoch
//    number equals the previous match's number (same pattern) is a repeat, not a new marker: tqdm
//    draws its final 100% line twice, Keras redraws its last step. Repeats are counted.
//  - The constructor throws std::invalid_argument naming the option for an invalid pattern, a
//    pattern that matches an empty line, or an `epoch`/`total` group that is not the digits it
//    must capture (a pattern that can match without them is fine).
//  - Not thread-safe (the run loop's thread).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace carbontracker::runner {

struct EpochMarker {
  enum class Kind { start, end };
  Kind kind = Kind::end;
  std::optional<long> epoch;  // from (?P<epoch>\d+)
  std::optional<long> total;  // from (?P<total>\d+)
};

class EpochMarkers {
 public:
  EpochMarkers(std::optional<std::string> end_pattern, std::optional<std::string> start_pattern);
  ~EpochMarkers();
  EpochMarkers(EpochMarkers&&) noexcept;
  EpochMarkers& operator=(EpochMarkers&&) noexcept;

  [[nodiscard]] bool any() const noexcept { return end_ != nullptr || start_ != nullptr; }
  [[nodiscard]] bool has_start() const noexcept { return start_ != nullptr; }
  [[nodiscard]] bool has_end() const noexcept { return end_ != nullptr; }

  // The marker in `line`, if any (a start marker wins when both patterns match one line).
  std::optional<EpochMarker> match(std::string_view line);

  [[nodiscard]] std::size_t matched() const noexcept { return matched_; }   // markers reported
  [[nodiscard]] std::size_t repeats() const noexcept { return repeats_; }   // dropped as repeats

 private:
  struct Pattern;
  std::optional<EpochMarker> try_pattern(Pattern& p, std::string_view line, EpochMarker::Kind kind);

  std::unique_ptr<Pattern> end_;
  std::unique_ptr<Pattern> start_;
  std::size_t matched_ = 0;
  std::size_t repeats_ = 0;
};

}  // namespace carbontracker::runner
