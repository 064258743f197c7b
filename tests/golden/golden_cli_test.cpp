// Golden run of `carbontracker run` (issue 13, "What must show"): the real binary runs a small
// shell child that prints "Epoch k/3 done" markers (--epoch-pattern) and moves the fake
// machine's counters (the intel-2socket powercap fixture, two fake GPUs whose energy is read from
// files) between them. The child waits for the tracker's epoch record before the next write, so
// every joule is exact; only real-clock values (times, durations, powers) are normalised.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "golden_files.hpp"
#include "golden_scenarios.hpp"
#include "fake_machine.hpp"
#include "test_support.hpp"

namespace carbontracker::golden {
namespace {

using testing::run_process;
using testing::TempDir;
using testing::write_file;

const std::string kCli = CARBONTRACKER_CLI;
const std::string kFakeNvml = FAKE_NVML_LIBRARY;

// The fake host (tests/support/fake_machine.hpp) with two GPUs and no perf PMU (its probe would
// call the host's perf_event_open, whose errors vary by kernel); RAPL counters at fixed starts.
struct CliMachine : testing::FakeMachine {
  std::filesystem::path logs = dir / "logs";

  CliMachine() : FakeMachine(2, /*perf_pmu=*/false) {
    set_zone("intel-rapl:0", 1'000'000);
    set_zone("intel-rapl:1", 5'000'000);
    set_zone("intel-rapl:0:0", 7'000'000);
    set_zone("intel-rapl:1:0", 9'000'000);
  }
  std::string zone(const std::string& z) const { return zone_file(z).string(); }
  // No configuration file, location, provider key or network: nothing of the host's is read.
  std::vector<std::string> env() const {
    std::vector<std::string> e = FakeMachine::env();
    e.insert(e.end(), {"GOLDEN_LOGS=" + logs.string(),
                       "CARBONTRACKER_CONFIG",
                       "CARBONTRACKER_LOG_DIR",
                       "CARBONTRACKER_INTENSITY_G_PER_KWH",
                       "CARBONTRACKER_PUE",
                       "CARBONTRACKER_COUNTRY",
                       "CARBONTRACKER_ZONE",
                       "CARBONTRACKER_CLOUD",
                       "CARBONTRACKER_GB_POSTCODE",
                       "CARBONTRACKER_ELECTRICITYMAPS_TOKEN",
                       "CARBONTRACKER_WATTTIME_USER",
                       "CARBONTRACKER_WATTTIME_PASSWORD",
                       "CARBONTRACKER_ENERGIDATASERVICE_URL=http://127.0.0.1:9",
                       "TZ=UTC"});
    return e;
  }
};

// The child: epoch k's counter writes, "Epoch k/3 done", then it waits until the tracker has
// written epoch k's record (so the next writes fall in epoch k+1) and 0.5 s more (epochs shorter
// than 0.25 s draw a warning about progress lines). Epoch 1 starts when the runner has spawned
// the child; nothing shows that moment, so the first writes come after a 0.5 s sleep (the one
// timing assumption here: the runner calls epoch_start right after fork, microseconds). The
// wrap-up after the last marker prints a line and writes nothing.
std::string child_script(const CliMachine& m) {
  return fmt::format(
      R"sh(wait_epochs() {{
  n=0
  while [ "$(cat "$GOLDEN_LOGS"/*_carbontracker_events.jsonl 2>/dev/null | grep -c '"type":"epoch",')" -lt "$1" ]; do
    n=$((n+1)); [ $n -gt 1200 ] && {{ echo "no epoch $1 record" >&2; exit 3; }}
    sleep 0.05
  done
  sleep 0.5
}}
echo "loading data"
sleep 0.5
echo 3000000 > {z0}; echo 6000000 > {z1}; echo 7500000 > {d0}; echo 9250000 > {d1}
echo 1100000 > {g0}; echo 2200000 > {g1}
echo "Epoch 1/3 done"
wait_epochs 1
echo 5000000 > {z0}; echo 8000000 > {z1}; echo 8000000 > {d0}; echo 9500000 > {d1}
echo 1300000 > {g0}; echo 2400000 > {g1}
echo "Epoch 2/3 done"
wait_epochs 2
echo 6000000 > {z0}; echo 9000000 > {z1}; echo 8250000 > {d0}; echo 9750000 > {d1}
echo 1400000 > {g0}; echo 2500000 > {g1}
echo "Epoch 3/3 done"
wait_epochs 3
echo "saved the model")sh",
      fmt::arg("z0", m.zone("intel-rapl:0")), fmt::arg("z1", m.zone("intel-rapl:1")),
      fmt::arg("d0", m.zone("intel-rapl:0:0")), fmt::arg("d1", m.zone("intel-rapl:1:0")),
      fmt::arg("g0", (m.dir / "gpu0").string()), fmt::arg("g1", (m.dir / "gpu1").string()));
}

// Real-clock values: wall times, durations, powers and anything computed from durations.
void add_real_clock_patterns(Normaliser& norm) {
  norm.pattern(R"re(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - )re", "<DATE> <TIME>,<MS> - ")
      .pattern(R"re(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - )re", "<DATE> <TIME> - ")
      .pattern(R"re(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)re", "<ISO_TIME>")
      .pattern(R"re(\d{4}-\d\d-\d\dT\d{6}Z)re", "<FILE_TIME>")
      .pattern(R"re(\b\d+:\d\d:\d\d(\.\d\d)?\b)re", "<H:MM:SS>")
      .pattern(R"re(("(?:duration_s|duration_s_low|duration_s_high|start_s|t_s|start_unix_s)": ?)-?[0-9.e+-]+)re",
               "$1<SECONDS>")
      .pattern(R"re((Average power usage \(W\) for [a-z]+: )[0-9.]+)re", "$1<WATTS>")
      .pattern(R"re((time )[0-9.]+( s \[)[0-9.]+(, )[0-9.]+(\]))re", "$1<S>$2<S>$3<S>$4")
      .pattern(R"re(\b\d+\.\d\d s\b)re", "<S> s");
}

std::map<std::string, std::string> run_outputs(const CliMachine& m, int verbose) {
  const auto r = run_process({kCli, "run", "--epochs", "3", "--epoch-pattern", R"(^Epoch (?P<epoch>\d+)/3 done$)",
                              "--verbose", std::to_string(verbose), "--log-dir", m.logs.string(), "--summary-json",
                              (m.dir / "summary.json").string(), "--intensity", "250", "--update-interval",
                              "3600", "--", "/bin/sh", "-c", child_script(m)},
                             m.env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(m.logs)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  Normaliser norm;
  norm.literal(m.dir.path().string(), "<TMP>")
      .literal(testing::fixtures_dir().string(), "<FIXTURES>")
      .literal(kFakeNvml, "<FAKE_NVML>");
  // The CLI's pid and the random log id, in the file stem and the run_start record.
  norm.pattern(R"re(\b\d+\.\d+_(\d{4}-\d\d-\d\dT\d{6}Z_carbontracker))re", "<PID>.<ID>_$1")
      .pattern(R"re(("pid": ?)\d+,)re", "$1<PID>,");
  add_version_patterns(norm);
  add_real_clock_patterns(norm);
  std::map<std::string, std::string> out;
  out["stdout.txt"] = norm.apply(r.out);
  out["stderr.txt"] = norm.apply(r.err);
  std::string listing;
  for (const auto& n : names) {
    listing += norm.apply(n) + "\n";
    const std::size_t cut = n.find("_carbontracker");
    out[cut == std::string::npos ? n : n.substr(cut + 1)] = norm.apply(testing::read_text(m.logs / n));
  }
  out["files.txt"] = listing;
  out["summary.json"] = norm.apply(testing::read_text(m.dir / "summary.json"));
  return out;
}

TEST(GoldenCli, RunWithEpochPattern) {
  std::map<std::string, std::string> all;
  {
    CliMachine m;
    for (auto& [name, text] : run_outputs(m, 1)) all[name == "stderr.txt" ? "stderr_verbose1.txt" : name] = text;
  }
  {
    CliMachine m;
    for (auto& [name, text] : run_outputs(m, 2)) {
      if (name == "stderr.txt") {
        all["stderr_verbose2.txt"] = text;
      } else if (!all.count(name) || all.at(name) != text) {
        all["verbose2_" + name] = text;
      }
    }
  }
  expect_golden("cli_run_pattern", all);
}

// What `carbontracker report` (the event-log reader) and the Python tool's forms read back from
// the complete API run's logs: from the event log, then from the Python-format logs alone.
TEST(GoldenCli, ReportOfTheCompleteApiRun) {
  GoldenMachine m(1);
  complete_run(m);
  Normaliser norm;
  norm.literal(m.dir().string(), "<TMP>")
      .pattern(R"re(\b\d+\.\d+_(\d{4}-\d\d-\d\dT\d{6}Z_carbontracker))re", "<PID>.<ID>_$1");
  std::map<std::string, std::string> out;
  auto run = [&](const std::string& name, const std::vector<std::string>& args) {
    std::vector<std::string> argv{kCli};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_process(argv, {"TZ=UTC"});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.err, "") << name;
    out[name] = norm.apply(r.out);
  };
  const std::string logs = m.logs_dir().string();
  auto ext = [](const std::string& format) { return format == "text" ? std::string("txt") : format; };
  for (const std::string format : {"text", "json", "csv"}) {
    run("report_events." + ext(format), {"report", "--format", format, logs});
  }
  run("report_events_statement.txt", {"report", "--statement", logs});
  for (const auto& e : std::filesystem::directory_iterator(m.logs_dir())) {
    if (e.path().string().ends_with("_carbontracker_events.jsonl")) std::filesystem::remove(e.path());
  }
  for (const std::string format : {"text", "json"}) {
    run("report_python_logs." + ext(format), {"report", "--format", format, logs});
  }
  run("parse_python_logs.txt", {"--parse", logs});
  expect_golden("report_api_complete", out);
}

}  // namespace
}  // namespace carbontracker::golden
