// libFuzzer target: the epoch-pattern matcher of `carbontracker run` (src/runner/). The input's
// first line is the pattern, the rest is the child's output. The pattern goes through
// ChildRunner's own validation (RE2 syntax, no empty-line match); a valid one is matched, as
// ChildRunner::Impl::on_output_line does, against every line LineSplitter cuts from the output.
// Checked: validation throws only std::invalid_argument; lines are non-empty, separator-free and
// bounded; the lines do not depend on how the output was chunked by read().
#include <re2/re2.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "runner/child_runner.hpp"
#include "runner/line_splitter.hpp"

namespace {

using carbontracker::runner::LineSplitter;

std::vector<std::string> split(std::string_view output, std::size_t max_line_bytes, std::size_t chunk_bytes) {
  std::vector<std::string> lines;
  LineSplitter splitter(max_line_bytes);
  const auto on_line = [&](std::string_view line) {
    FUZZ_CHECK(!line.empty() && line.size() <= max_line_bytes);
    FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
    lines.emplace_back(line);
  };
  for (std::size_t at = 0; at < output.size(); at += chunk_bytes) splitter.feed(output.substr(at, chunk_bytes), on_line);
  splitter.finish(on_line);
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  const std::string pattern(input.substr(0, nl));
  const std::string_view output = input.substr(nl + 1);

  carbontracker::runner::RunOptions options;
  options.argv = {"true"};
  options.control_channel = false;
  options.epoch_pattern = pattern;
  bool valid = true;
  try {
    carbontracker::runner::ChildRunner runner(std::move(options));
  } catch (const std::invalid_argument&) {
    valid = false;
  }

  // The run's own line limit, whole and in small reads; and a tiny limit to exercise cutting.
  const auto lines = split(output, carbontracker::runner::ChildRunner::kMaxMatchedLineBytes, output.size() + 1);
  FUZZ_CHECK(split(output, carbontracker::runner::ChildRunner::kMaxMatchedLineBytes, 7) == lines);
  const std::size_t small = 1 + static_cast<std::size_t>(data[0] % 16);
  FUZZ_CHECK(split(output, small, 1) == split(output, small, 5));

  if (!valid) return 0;
  RE2::Options re_options;  // as ChildRunner
  re_options.set_log_errors(false);
  const RE2 re(pattern, re_options);
  FUZZ_CHECK(re.ok());
  FUZZ_CHECK(!RE2::PartialMatch("", re));
  for (const std::string& line : lines) (void)RE2::PartialMatch(line, re);
  return 0;
}
