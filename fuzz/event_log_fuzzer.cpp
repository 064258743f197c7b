// libFuzzer target: our JSON Lines event log reader (src/report/event_log_reader.hpp) on
// arbitrary bytes. Its contract: never throws, never crashes; every issue names the file.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "report/event_log_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbontracker::report;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<ReadIssue> issues;
  const auto run = read_event_log(text, "fuzz.jsonl", &issues);
  for (const ReadIssue& issue : issues) FUZZ_CHECK(issue.file == "fuzz.jsonl" && issue.line >= 0);
  if (run) {
    for (const auto& epoch : run->epochs) FUZZ_CHECK(epoch.index >= 0);
  }
  // Without an issues sink too: the reader must not depend on it.
  (void)read_event_log(text, "fuzz.jsonl", nullptr);
  return 0;
}
