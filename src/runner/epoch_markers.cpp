#include "runner/epoch_markers.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <stdexcept>
#include <vector>

#include "core/text.hpp"

namespace carbontracker::runner {
namespace {

// Longest whole number we take from a group: beyond it, not an epoch count.
constexpr std::size_t kMaxDigits = 9;

std::optional<long> whole_number(std::string_view text) {
  if (text.empty() || text.size() > kMaxDigits) return std::nullopt;
  const auto v = carbontracker::text::to_number<long>(text);
  if (!v || *v < 0) return std::nullopt;
  return v;
}

// ANSI CSI sequences and backspaces: progress bars draw with them, patterns should not need to.
bool needs_cleaning(std::string_view line) {
  return line.find('\x1b') != std::string_view::npos || line.find('\b') != std::string_view::npos;
}

std::string cleaned(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\b') continue;
    if (c == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      std::size_t j = i + 2;
      while (j < line.size() && ((line[j] >= '0' && line[j] <= '9') || line[j] == ';' || line[j] == '?')) ++j;
      if (j < line.size() && ((line[j] >= 'A' && line[j] <= 'Z') || (line[j] >= 'a' && line[j] <= 'z'))) {
        i = j;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct EpochMarkers::Pattern {
  std::unique_ptr<RE2> re;
  int epoch_group = -1;  // capture index, -1: none
  int total_group = -1;
  std::optional<long> last_epoch;
  std::vector<re2::StringPiece> groups;
};

EpochMarkers::EpochMarkers(std::optional<std::string> end_pattern, std::optional<std::string> start_pattern) {
  auto make = [](const std::optional<std::string>& text, const char* option) -> std::unique_ptr<Pattern> {
    if (!text) return nullptr;
    RE2::Options re_options;
    re_options.set_log_errors(false);  // the error goes into the exception, not to stderr
    auto p = std::make_unique<Pattern>();
    p->re = std::make_unique<RE2>(*text, re_options);
    if (!p->re->ok()) {
      throw std::invalid_argument(fmt::format("{} '{}' is not a valid regular expression (RE2 syntax): {}", option,
                                              *text, p->re->error()));
    }
    if (RE2::PartialMatch("", *p->re)) {
      throw std::invalid_argument(
          fmt::format("{} '{}' matches an empty line, so every line of output would be a marker; give "
                      "the text that marks an epoch, e.g. 'Epoch \\d+'",
                      option, *text));
    }
    for (const auto& [name, index] : p->re->NamedCapturingGroups()) {
      if (name == "epoch") {
        p->epoch_group = index;
      } else if (name == "total") {
        p->total_group = index;
      } else {
        throw std::invalid_argument(fmt::format(
            "{} '{}' has a named group '{}'; the names understood are 'epoch' (the epoch number) and 'total' (the "
            "planned count), e.g. 'Epoch (?P<epoch>\\d+)/(?P<total>\\d+)'; use (...) for other groups",
            option, *text, name));
      }
    }
    p->groups.resize(static_cast<std::size_t>(p->re->NumberOfCapturingGroups()) + 1);
    return p;
  };
  end_ = make(end_pattern, "--epoch-pattern");
  start_ = make(start_pattern, "--epoch-start-pattern");
}

EpochMarkers::~EpochMarkers() = default;
EpochMarkers::EpochMarkers(EpochMarkers&&) noexcept = default;
EpochMarkers& EpochMarkers::operator=(EpochMarkers&&) noexcept = default;

std::optional<EpochMarker> EpochMarkers::try_pattern(Pattern& p, std::string_view line, EpochMarker::Kind kind) {
  if (!p.re->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::UNANCHORED, p.groups.data(),
                   static_cast<int>(p.groups.size()))) {
    return std::nullopt;
  }
  EpochMarker m;
  m.kind = kind;
  const auto group = [&](int index) -> std::optional<long> {
    if (index < 0 || p.groups[static_cast<std::size_t>(index)].data() == nullptr) return std::nullopt;
    const auto& g = p.groups[static_cast<std::size_t>(index)];
    return whole_number(std::string_view(g.data(), g.size()));
  };
  m.epoch = group(p.epoch_group);
  m.total = group(p.total_group);
  if (m.epoch) {
    if (p.last_epoch == m.epoch) {
      ++repeats_;
      return std::nullopt;
    }
    p.last_epoch = m.epoch;
  }
  ++matched_;
  return m;
}

std::optional<EpochMarker> EpochMarkers::match(std::string_view line) {
  if (!any()) return std::nullopt;
  std::string clean;
  if (needs_cleaning(line)) {
    clean = cleaned(line);
    line = clean;
  }
  if (start_) {
    if (auto m = try_pattern(*start_, line, EpochMarker::Kind::start)) return m;
  }
  if (end_) return try_pattern(*end_, line, EpochMarker::Kind::end);
  return std::nullopt;
}

}  // namespace carbontracker::runner
