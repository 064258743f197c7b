// libFuzzer target: the carbontracker text-log parser (src/report/text_logs.hpp: our logs and the
// Python tool's v1.x/v2.x standard, output and error logs) and the Python-compatible parser
// functions built on it (src/report/python_compat.hpp). Contract: any bytes, never throws, never
// crashes, absent values stay absent.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "report/python_compat.hpp"
#include "report/text_logs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbontracker::report;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string file = "fuzz_carbontracker.log";

  std::vector<ReadIssue> issues;
  TextParseOptions torn;  // the option that drops a last line without '\n'
  torn.drop_torn_last_line = true;
  TextParseOptions whole;  // as `carbontracker report` and python_compat read text
  whole.max_issues = 3;
  const TextLog std_log = parse_text_log(text, file, &issues, torn);
  const TextLog out_log = parse_text_log(text, file, &issues, whole);
  (void)parse_err_log(text, file, &issues, torn);
  for (const ReadIssue& issue : issues) FUZZ_CHECK(issue.file == file);

  // Both halves of a pair, either half alone, and neither.
  std::vector<ReadIssue> run_issues;
  (void)run_from_text_logs(&std_log, &out_log, file, &run_issues);
  (void)run_from_text_logs(&std_log, nullptr, file, &run_issues);
  (void)run_from_text_logs(nullptr, &out_log, file, &run_issues);
  (void)run_from_text_logs(nullptr, nullptr, file, &run_issues);

  for (const TextEpoch& epoch : std_log.epochs) {
    if (epoch.duration_s) FUZZ_CHECK(!std::isnan(*epoch.duration_s));
  }
  (void)parse_hms(text);
  (void)parse_components(text);

  namespace pc = python_compat;
  (void)pc::get_consumption(text);
  (void)pc::get_early_stop(text);
  (void)pc::get_devices(text);
  (void)pc::get_epoch_durations(text);
  (void)pc::get_avg_power_usages(text);
  return 0;
}
