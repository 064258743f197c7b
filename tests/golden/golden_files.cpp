#include "golden_files.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "test_support.hpp"

namespace carbontracker::golden {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  // "a\nb\n" -> {"a", "b", ""}: a missing final newline is a difference of its own.
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (true) {
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) {
      lines.push_back(text.substr(at));
      return lines;
    }
    lines.push_back(text.substr(at, nl - at));
    at = nl + 1;
  }
}

void write_exact(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) ADD_FAILURE() << "cannot write " << path;
}

bool read_exact(const std::filesystem::path& path, std::string& content) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  content = s.str();
  return true;
}

}  // namespace

std::filesystem::path expected_dir(const std::string& scenario) {
  return std::filesystem::path(CARBONTRACKER_GOLDEN_DIR) / scenario;
}

bool updating() {
  const char* v = std::getenv("CARBONTRACKER_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

Normaliser& Normaliser::literal(std::string from, std::string to) {
  if (!from.empty()) literals_.emplace_back(std::move(from), std::move(to));
  return *this;
}

Normaliser& Normaliser::pattern(const std::string& regex, std::string to) {
  patterns_.emplace_back(std::regex(regex), std::move(to));
  return *this;
}

std::string Normaliser::apply(std::string text) const {
  for (const auto& [from, to] : literals_) {
    std::string out;
    std::size_t at = 0;
    for (std::size_t hit = text.find(from); hit != std::string::npos; hit = text.find(from, at)) {
      out.append(text, at, hit - at);
      out += to;
      at = hit + from.size();
    }
    out.append(text, at, std::string::npos);
    text = std::move(out);
  }
  for (const auto& [re, to] : patterns_) text = std::regex_replace(text, re, to);
  return text;
}

void add_version_patterns(Normaliser& norm) {
  norm.pattern(R"re((carbontracker version )[0-9][0-9A-Za-z.+~-]*( \(C\+\+ carbontracker\)))re", "$1<VERSION>$2")
      .pattern(R"re(("carbontracker_version": ?")[^"]*")re", "$1<VERSION>\"");
}

std::string first_difference(const std::string& expected, const std::string& actual, const std::string& label,
                             std::size_t max_lines) {
  const auto a = split_lines(expected);
  const auto b = split_lines(actual);
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  // The first hunk ends where both sides agree again on two lines in a row (a small search,
  // enough to show one changed region without a full diff algorithm); else at the ends.
  std::size_t a_end = a.size();
  std::size_t b_end = b.size();
  auto agree = [&](std::size_t p, std::size_t q) {
    if (p >= a.size() || q >= b.size() || a[p] != b[q]) return false;
    return p + 1 >= a.size() || q + 1 >= b.size() || a[p + 1] == b[q + 1];
  };
  bool found = false;
  for (std::size_t d = 1; d <= 2 * max_lines && !found; ++d) {
    for (std::size_t i = 0; i <= d && !found; ++i) {
      if (agree(head + i, head + d - i)) {
        a_end = head + i;
        b_end = head + d - i;
        found = true;
      }
    }
  }
  constexpr std::size_t kContext = 3;
  const std::size_t from = head > kContext ? head - kContext : 0;
  // Context after the hunk: lines both sides share, up to the next difference.
  std::size_t after = 0;
  while (after < kContext && a_end + after < a.size() && b_end + after < b.size() &&
         a[a_end + after] == b[b_end + after]) {
    ++after;
  }
  const std::size_t a_after = a_end + after;
  const std::size_t b_after = b_end + after;
  std::ostringstream d;
  d << "--- " << label << " (expected)\n+++ " << label << " (actual)\n";
  d << "@@ -" << from + 1 << "," << a_after - from << " +" << from + 1 << "," << b_after - from << " @@\n";
  for (std::size_t i = from; i < head; ++i) d << " " << a[i] << "\n";
  auto side = [&](const std::vector<std::string>& lines, std::size_t end, char mark) {
    for (std::size_t i = head; i < end; ++i) {
      if (i - head == max_lines) {
        d << "  ... " << end - i << " more " << (mark == '-' ? "expected" : "actual") << " line(s)\n";
        break;
      }
      d << mark << lines[i] << "\n";
    }
  };
  side(a, a_end, '-');
  side(b, b_end, '+');
  for (std::size_t i = a_end; i < a_after; ++i) d << " " << a[i] << "\n";
  const bool rest_equal = std::equal(a.begin() + static_cast<std::ptrdiff_t>(a_end), a.end(),
                                     b.begin() + static_cast<std::ptrdiff_t>(b_end), b.end());
  if (!rest_equal) d << "(more differences further down)\n";
  if (!expected.empty() && expected.back() != '\n') d << "\\ expected: no newline at end of file\n";
  if (!actual.empty() && actual.back() != '\n') d << "\\ actual: no newline at end of file\n";
  return d.str();
}

void expect_golden(const std::string& scenario, const std::map<std::string, std::string>& outputs) {
  const auto dir = expected_dir(scenario);
  std::set<std::string> on_disk;
  if (std::filesystem::is_directory(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) on_disk.insert(e.path().filename().string());
  }
  std::vector<std::string> rewritten;
  for (const auto& [name, actual] : outputs) {
    const auto path = dir / name;
    std::string expected;
    const bool present = read_exact(path, expected);
    if (present && expected == actual) continue;
    if (updating()) {
      write_exact(path, actual);
      rewritten.push_back(path.string());
    } else if (!present) {
      ADD_FAILURE() << "golden file " << path << " is missing; the run produced:\n"
                    << actual << "\n(create it with CARBONTRACKER_UPDATE_GOLDEN=1, see tests/golden/README.md)";
    } else {
      ADD_FAILURE() << "golden file " << path << " differs from this run's output:\n"
                    << first_difference(expected, actual, "tests/golden/expected/" + scenario + "/" + name)
                    << "(if the change is intended, regenerate with CARBONTRACKER_UPDATE_GOLDEN=1, see "
                       "tests/golden/README.md)";
    }
  }
  for (const auto& name : on_disk) {
    if (outputs.count(name)) continue;
    if (updating()) {
      std::filesystem::remove(dir / name);
      rewritten.push_back((dir / name).string() + " (removed)");
    } else {
      ADD_FAILURE() << "golden file " << (dir / name) << " has no counterpart: this run no longer produces "
                    << name;
    }
  }
  if (!rewritten.empty()) {
    std::string list;
    for (const auto& r : rewritten) list += "\n  " + r;
    ADD_FAILURE() << "CARBONTRACKER_UPDATE_GOLDEN=1 rewrote:" << list
                  << "\nReview them with `git diff tests/golden/expected`, then rerun without the variable.";
  }
}

}  // namespace carbontracker::golden
