// `carbontracker run` measures the whole command, always (issue 11 section 1): measuring ends at
// the child's exit, never at a marker count; markers beyond the plan are further epochs; the time
// after the last marker counts; the planned count is unknown without --epochs unless a pattern's
// total group gives it; repeats of one epoch number are one marker; every disagreement is one
// warning at exit in the console, the logs and the summary. Real binary, real shell children, the
// fixture machine of run_test.cpp (fake GPUs whose counters the child writes).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fake_machine.hpp"
#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::run_process;
using testing::TempDir;
using testing::write_file;

using testing::kCli;

// The fake host (tests/support/fake_machine.hpp) with one GPU.
struct Machine : testing::FakeMachine {
  std::filesystem::path logs = dir / "logs";
  std::filesystem::path summary = dir / "summary.json";

  Machine() : FakeMachine(1) {}
  std::vector<std::string> args(std::vector<std::string> opts, const std::string& script) const {
    std::vector<std::string> a{kCli, "run", "--update-interval", "3600", "--log-dir", logs.string(),
                               "--summary-json", summary.string(), "--intensity", "100"};
    a.insert(a.end(), opts.begin(), opts.end());
    a.insert(a.end(), {"--", "/bin/sh", "-c", script});
    return a;
  }
  json summary_json() const { return json::parse(testing::read_text(summary)); }
  // The text of every log file whose name ends with `suffix`.
  std::string log(const std::string& suffix) const {
    std::string all;
    if (!std::filesystem::exists(logs)) return all;
    for (const auto& e : std::filesystem::directory_iterator(logs)) {
      if (e.path().filename().string().ends_with(suffix)) all += testing::read_text(e.path());
    }
    return all;
  }
  // Shell: GPU 0's counter becomes `value` (uJ) at once: a rename, so a read never sees a torn file.
  std::string set_gpu(const std::string& value) const {
    const std::string file = gpu(0).string();
    return "echo " + value + " > " + file + ".new; mv " + file + ".new " + file;
  }
  // A shell loop printing `line` (with $i) n times, GPU 0 burning `joules` per iteration.
  std::string epochs(int n, const std::string& line, int joules = 100) const {
    return fmt::format("e=1000000; for i in $(seq 1 {n}); do e=$((e+{uj})); {set}; echo \"{line}\"; done",
                       fmt::arg("n", n), fmt::arg("uj", joules * 1000), fmt::arg("set", set_gpu("$e")),
                       fmt::arg("line", line));
  }
};

bool has_warning(const json& s, const std::string& text) {
  for (const auto& w : s["warnings"]) {
    if (w.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(RunWholeCommand, APatternWithoutEpochsMeasuresToTheExitWithNoForecast) {
  Machine m;
  // Seen: monitoring ended at the first marker (epochs defaulted to 1).
  auto r = run_process(m.args({"--epoch-pattern", "^Epoch"}, m.epochs(4, "Epoch $i") + "; echo tail; sleep 0.2"),
                       m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  // Four marked epochs and the time after the last marker, which is the last epoch.
  ASSERT_EQ(s["epochs"].size(), 5u) << r.err;
  EXPECT_DOUBLE_EQ(s["total"]["energy_j"]["gpu"].get<double>(), 400.0);
  EXPECT_TRUE(s["planned_epochs"].is_null());
  EXPECT_TRUE(s["prediction"].is_null());
  EXPECT_EQ(r.err.find("Predicted consumption"), std::string::npos) << r.err;
  EXPECT_GE(s["epochs"][4]["duration_s"].get<double>(), 0.2);  // the sleep after "tail" is counted
  EXPECT_NE(r.err.find("Actual consumption for 5 epoch(s):"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("The whole command, from start to exit:"), std::string::npos) << r.err;
  EXPECT_TRUE(s["warnings"].empty()) << s["warnings"].dump();
}

// The first epoch starts before the command runs (RunObserver::on_spawning): energy the command
// uses before its first output line is in the epochs, not only in the whole run. Seen before,
// under load: 300 of 400 J in the epochs when the shell moved the counter before the first read.
// The race is rare (this test passed 10 of 10 without the fix); the order itself is pinned by
// ChildRunner.OnSpawningComesBeforeTheCommandRuns.
TEST(RunWholeCommand, TheFirstEpochHoldsWhatTheCommandUsesFirst) {
  Machine m;
  auto r = run_process(m.args({}, m.set_gpu("1100000") + "; sleep 0.1; " + m.set_gpu("1150000")), m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  ASSERT_EQ(s["epochs"].size(), 1u) << r.err;
  EXPECT_DOUBLE_EQ(s["total"]["energy_j"]["gpu"].get<double>(), 150.0);
  EXPECT_DOUBLE_EQ(s["whole_run"]["energy_j"]["gpu"].get<double>(), 150.0);
}

TEST(RunWholeCommand, MarkersBeyondThePlanAreFurtherEpochsAndWarned) {
  Machine m;
  auto r = run_process(m.args({"--epochs", "2", "--epoch-pattern", "^Epoch"}, m.epochs(4, "Epoch $i")), m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["epochs"].size(), 4u);
  EXPECT_DOUBLE_EQ(s["total"]["energy_j"]["gpu"].get<double>(), 400.0);
  EXPECT_FALSE(s["wrap_up"].is_null());  // after the fourth marker: all planned epochs had ended
  // One marker ends an epoch and starts the next at the same counter read: nothing falls between
  // epochs, however late the tracker reads the lines (seen under ASan: 200 J of 400 between them).
  EXPECT_DOUBLE_EQ(s["total"]["energy_j"]["gpu"].get<double>() + s["wrap_up"]["energy_j"]["gpu"].get<double>(),
                   s["whole_run"]["energy_j"]["gpu"].get<double>());
  EXPECT_TRUE(s["interrupted_epoch"].is_null());
  EXPECT_TRUE(has_warning(s, "4 epochs seen, 2 planned")) << s["warnings"].dump();
  EXPECT_NE(r.err.find("4 epochs seen, 2 planned"), std::string::npos) << r.err;
  EXPECT_NE(m.log("_carbontracker_err.log").find("4 epochs seen, 2 planned"), std::string::npos);
  EXPECT_NE(m.log("_events.jsonl").find("4 epochs seen, 2 planned"), std::string::npos);
  // The forecast was for the 2 planned epochs; none for fewer epochs than already seen.
  EXPECT_EQ(s["prediction"]["epochs"], 2);
  for (const auto& f : s["prediction_history"]) EXPECT_LE(f["after_epochs"].get<int>(), 2);
}

TEST(RunWholeCommand, FewerMarkersThanPlannedAtANormalExitAreWarned) {
  Machine m;
  auto r = run_process(m.args({"--epochs", "10", "--epoch-pattern", "^Epoch"}, m.epochs(3, "Epoch $i")), m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["epochs"].size(), 4u);  // three marked, and the time after the last one
  EXPECT_TRUE(has_warning(s, "4 epochs seen, 10 planned")) << s["warnings"].dump();
}

TEST(RunWholeCommand, APatternThatNeverMatchedIsWarnedAndNoForecastFollowsTheExit) {
  Machine m;
  auto r = run_process(m.args({"--epochs", "5", "--epoch-pattern", "^Epoch"}, m.epochs(3, "epoch $i done")), m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["epochs"].size(), 1u);
  EXPECT_DOUBLE_EQ(s["total"]["energy_j"]["gpu"].get<double>(), 300.0);  // all of it, in the one epoch
  EXPECT_TRUE(has_warning(s, "--epoch-pattern '^Epoch' never matched any of the command's 3 output line(s)"))
      << s["warnings"].dump();
  EXPECT_NE(r.err.find("never matched"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Predicted consumption"), std::string::npos) << r.err;  // the child had exited
  EXPECT_TRUE(s["prediction"].is_null());
}

TEST(RunWholeCommand, MarkersFasterThanPlausibleAreWarned) {
  Machine m;
  // A pattern that matches every progress line: 40 "epochs" in a blink.
  auto r = run_process(m.args({"--epoch-pattern", "it/s"}, m.epochs(40, "step $i 12.5it/s")), m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["epochs"].size(), 41u);
  EXPECT_TRUE(has_warning(s, "faster than a training epoch plausibly runs")) << s["warnings"].dump();
}

TEST(RunWholeCommand, RepeatsOfOneEpochNumberAreOneMarkerAndTheTotalPlansTheForecast) {
  Machine m;
  // tqdm's final 100% line, drawn twice (last step, then close()), with \r between the draws.
  const std::string script =
      "e=1000000; for i in 1 2 3; do e=$((e+100000)); " + m.set_gpu("$e") +
      "; printf 'epoch %d/3:  90%%|#########  | 9/10\\repoch %d/3: 100%%|##########| 10/10 [1.0it/s]\\r"
      "epoch %d/3: 100%%|##########| 10/10 [0.9it/s]\\n' $i $i $i >&2; done";
  auto r = run_process(m.args({"--epoch-pattern", R"(^epoch (?P<epoch>\d+)/(?P<total>\d+): 100%\|)"}, script),
                       m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["epochs"].size(), 3u) << r.err;
  EXPECT_EQ(s["planned_epochs"], 3);
  ASSERT_TRUE(s["prediction"].is_object());
  EXPECT_EQ(s["prediction"]["epochs"], 3);
  EXPECT_FALSE(s["wrap_up"].is_null());
  EXPECT_TRUE(s["warnings"].empty()) << s["warnings"].dump();
}

TEST(RunWholeCommand, AStopBudgetIsEnforcedBeyondThePlannedMarkers) {
  Machine m;
  // Seen: once --epochs markers were seen, monitoring had ended and a stop budget was ignored.
  // 1000 J per epoch (--pue 1: device energy); 0.001 kWh = 3600 J is crossed, as actual energy, in epoch 4.
  const std::string script = "i=1; e=1000000; while true; do e=$((e+1000000)); " + m.set_gpu("$e") +
                             "; echo \"Epoch $i\"; i=$((i+1)); sleep 0.05; done";
  auto r = run_process(m.args({"--epochs", "2", "--epoch-pattern", "^Epoch", "--pue", "1", "--max-energy-kwh", "0.001",
                               "--budget-action", "stop", "--grace-period", "2"},
                              script),
                       m.env());
  EXPECT_EQ(r.exit_code, 124) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["stopped_by_budget"], true);
  ASSERT_FALSE(s["budget_events"].empty());
  EXPECT_EQ(s["budget_events"][0]["basis"], "actual");
  EXPECT_GE(s["epochs"].size(), 3u);
}

TEST(RunWholeCommand, AForecastThatLeavesItsIntervalGetsAnUpdatedLine) {
  Machine m;
  // Epoch 1 burns 100 J, the later ones 5000 J each: the forecast after epoch 1 is far too low.
  const std::string script = m.set_gpu("1100000") + "; echo 'Epoch 1'; e=1100000; for i in 2 3 4 5 6; do " +
                             "e=$((e+5000000)); " + m.set_gpu("$e") + "; echo \"Epoch $i\"; done";
  auto r = run_process(m.args({"--epochs", "6", "--epoch-pattern", "^Epoch"}, script), m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("Predicted consumption for 6 epoch(s):"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("epoch 1 includes the command's start-up"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Updated prediction after "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("outside the interval printed after 1 epoch(s)"), std::string::npos) << r.err;
}

TEST(RunWholeCommand, TheLogsAndSummaryRecordTheCommandWithSecretsMasked) {
  Machine m;
  auto r = run_process({kCli, "run", "--log-dir", m.logs.string(), "--summary-json", m.summary.string(),
                        "--intensity", "100", "--", "/bin/sh", "-c", "exit 0", "train", "--api-key", "SECRET1",
                        "hf_token=SECRET2", "--db=https://user:SECRET3@db.example/x", "--lr", "0.1"},
                       m.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json s = m.summary_json();
  EXPECT_EQ(s["command"], json({"/bin/sh", "-c", "exit 0", "train", "--api-key", "***", "hf_token=***",
                                "--db=https://user:***@db.example/x", "--lr", "0.1"}));
  const std::string log = m.log("_carbontracker.log");
  EXPECT_NE(log.find("Command: /bin/sh -c 'exit 0' train --api-key *** hf_token=*** "
                     "--db=https://user:***@db.example/x --lr 0.1"),
            std::string::npos)
      << log;
  const std::string everything = log + m.log("_events.jsonl") + testing::read_text(m.summary) + r.err;
  for (const char* secret : {"SECRET1", "SECRET2", "SECRET3"}) EXPECT_EQ(everything.find(secret), std::string::npos);
}

TEST(RunWholeCommand, ACommandThatCannotStartIsNotMeasuredAndWritesNoReport) {
  Machine m;
  write_file(m.dir / "not-executable", "echo hi\n");
  for (const auto& [cmd, code] : std::vector<std::pair<std::string, int>>{
           {(m.dir / "missing").string(), 127}, {"no-such-command-xyz", 127}, {(m.dir / "not-executable").string(), 126}}) {
    auto r = run_process({kCli, "run", "--log-dir", m.logs.string(), "--summary-json", m.summary.string(), "--",
                          cmd},
                         m.env());
    EXPECT_EQ(r.exit_code, code) << cmd << r.err;
    EXPECT_NE(r.err.find("not measured: cannot run"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("kWh"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(m.summary));
    EXPECT_TRUE(m.log(".log").empty());
  }
}

TEST(RunWholeCommand, AStartThatFailsAfterTheChecksIsNotMeasuredEither) {
  Machine m;
  // An executable script the test holds open for writing: it passes the pre-start check, and
  // execve refuses it (ETXTBSY), once the tracker has started.
  const auto script = m.dir / "busy.sh";
  write_file(script, "#!/bin/sh\necho ran\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const int writer = ::open(script.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  const std::string long_arg(5000, 'x');
  auto r = run_process({kCli, "run", "--log-dir", m.logs.string(), "--summary-json", m.summary.string(),
                        "--intensity", "100", "--", script.string(), long_arg},
                       m.env());
  ::close(writer);
  EXPECT_EQ(r.exit_code, 126) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Not measured: the command could not be started"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Actual consumption"), std::string::npos);
  EXPECT_EQ(r.err.find("Energy:"), std::string::npos);  // no figure at all, not even 0 kWh
  EXPECT_EQ(r.err.find("The whole command"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(m.summary));
  EXPECT_NE(m.log("_events.jsonl").find("\"not_measured\""), std::string::npos);
  // The recorded command names the run without archiving a long argument whole.
  const std::string log = m.log("_carbontracker.log");
  EXPECT_NE(log.find("xxx...[+" + std::to_string(long_arg.size() - 1024) + " bytes]"), std::string::npos) << log;
  EXPECT_EQ(log.find(std::string(1025, 'x')), std::string::npos);
}

TEST(RunWholeCommand, GracePeriodValuesAreCheckedBeforeTheCommandStarts) {
  Machine m;
  for (const std::string bad : {"", "abc", "-1", "3601", "nan", "10s"}) {
    auto r = run_process(m.args({"--grace-period", bad}, "echo ran"), m.env());
    EXPECT_NE(r.exit_code, 0) << "'" << bad << "'";
    EXPECT_EQ(r.out.find("ran"), std::string::npos) << "'" << bad << "'";
    EXPECT_NE(r.err.find("--grace-period"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("between 0 and 3600"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("fix:"), std::string::npos) << r.err;
  }
  for (const std::string good : {"0", "2.5", "3600"}) {
    auto r = run_process(m.args({"--grace-period", good}, "echo ran"), m.env());
    EXPECT_EQ(r.exit_code, 0) << good << r.err;
    EXPECT_EQ(r.out, "ran\n");
  }
}

}  // namespace
}  // namespace carbontracker
