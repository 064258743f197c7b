// "Did you mean ...?": the closest of a few known names to a mistyped one. Used for unknown
// configuration keys and unknown subcommands, so both suggest by the same rule.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace carbontracker::io {

// Optimal string alignment distance, ASCII case-insensitive: a swapped pair of letters
// ("reprot") counts as one edit.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto low = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The known name closest to `word`, when it is close enough to be a slip: at most a third of
// its letters edited (at least one), or `word` is a prefix of it of three letters or more.
// Empty when none is. Ties go to the first in `known`.
inline std::string closest_name(std::string_view word, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = 0;
  for (const auto& name : known) {
    const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
    const bool prefix = word.size() >= 3 && word.size() < name.size() && edit_distance(word, name.substr(0, word.size())) == 0;
    // The distance is at least the difference in length: a long word is never computed through.
    if (!prefix && word.size() > name.size() + allowed) continue;
    const std::size_t d = prefix ? 1 : edit_distance(word, name);
    if (d <= allowed && (best.empty() || d < best_d)) {
      best = name;
      best_d = d;
    }
  }
  return best;
}

}  // namespace carbontracker::io
