// Real training scripts of our own (tests/real_scripts/*.py), one per output style, each run under
// the real `carbontracker run` with exactly the options its recipe in docs/run-mode.md gives.
// Each must give the planned epoch count, no warning, and whole-run and per-part figures that
// cover the child's whole wall time (from its exec, interpreter start-up included, to its exit).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::run_process;
using testing::TempDir;

const std::string kCli = CARBONTRACKER_CLI;
const std::filesystem::path kScripts = REAL_SCRIPTS_DIR;
const std::string kPython = REAL_SCRIPTS_PYTHON;
constexpr int kEpochs = 5;

struct Outcome {
  testing::ProcessResult process;
  json summary;
  double child_wall_s = 0;
};

// The recipe's options, then `-- python3 SCRIPT 5`. A simulated 100 W CPU (no hardware needed,
// energy proportional to time) and a fixed intensity (no network).
Outcome run_recipe(const std::string& script, const std::vector<std::string>& recipe) {
  TempDir dir;
  std::filesystem::create_directories(dir / "empty-sys");
  std::vector<std::string> argv{kCli,          "run",       "--log-dir",     (dir / "logs").string(),
                                "--summary-json", (dir / "summary.json").string(), "--components", "cpu",
                                "--sim-cpu",     "Test CPU",  "--sim-cpu-tdp", "100",
                                "--intensity",   "100"};
  argv.insert(argv.end(), recipe.begin(), recipe.end());
  argv.insert(argv.end(), {"--", kPython, (kScripts / script).string(), std::to_string(kEpochs)});
  Outcome o;
  o.process = run_process(argv, {"CARBONTRACKER_SYSFS_ROOT=" + (dir / "empty-sys").string(),
                                 "CARBONTRACKER_NVML_LIBRARY=" + (dir / "no-libnvidia-ml.so").string(),
                                 "REAL_SCRIPT_TIMES=" + (dir / "times").string(), "PYTHONDONTWRITEBYTECODE=1"});
  std::ifstream times(dir / "times");
  double start_s = 0, end_s = 0;
  times >> start_s >> end_s;
  o.child_wall_s = end_s - start_s;
  if (std::filesystem::exists(dir / "summary.json")) o.summary = json::parse(testing::read_text(dir / "summary.json"));
  return o;
}

double duration(const json& totals) { return totals.is_null() ? 0.0 : totals["duration_s"].get<double>(); }

// What every recipe must give.
void expect_whole_command_measured(const Outcome& o) {
  ASSERT_EQ(o.process.exit_code, 0) << o.process.err;
  ASSERT_TRUE(o.summary.is_object()) << o.process.err;
  ASSERT_GT(o.child_wall_s, 0.5) << "the script did not record its times";
  const json& s = o.summary;
  EXPECT_EQ(s["epochs"].size(), static_cast<std::size_t>(kEpochs)) << o.process.err;
  EXPECT_EQ(s["planned_epochs"], kEpochs);
  EXPECT_TRUE(s["warnings"].empty()) << s["warnings"].dump(2);
  EXPECT_TRUE(s["interrupted_epoch"].is_null());
  // The whole-run figure: the child from its exec to its exit, at least 99 % of it.
  EXPECT_GE(duration(s["whole_run"]), 0.99 * o.child_wall_s) << o.process.err;
  EXPECT_GT(s["whole_run"]["energy_j"]["total"].get<double>(), 0.0);
  // And the parts: set-up + epochs + wrap-up leave nothing of the child's time out.
  double parts = duration(s["setup"]) + duration(s["wrap_up"]);
  for (const auto& e : s["epochs"]) parts += duration(e);
  EXPECT_GE(parts, 0.99 * o.child_wall_s) << s.dump(2);
  // The planned count was known from the first epoch: the forecast is for all of them, and it
  // was printed while the command ran, not after.
  ASSERT_TRUE(s["prediction"].is_object()) << o.process.err;
  EXPECT_EQ(s["prediction"]["epochs"], kEpochs);
  EXPECT_EQ(s["prediction"]["after_epochs"], 1);
  EXPECT_NE(o.process.err.find("The whole command, from start to exit:"), std::string::npos) << o.process.err;
}

// docs/run-mode.md, recipe "A plain print at the end of each epoch".
TEST(RealScripts, PlainPrintAtEpochEnd) {
  const auto o = run_recipe("plain_print.py", {"--epochs", "5", "--epoch-pattern", R"(^Epoch (?P<epoch>\d+): )"});
  expect_whole_command_measured(o);
  EXPECT_TRUE(o.summary["setup"].is_null());  // epoch 1 includes the start-up, and says so
  EXPECT_NE(o.process.err.find("epoch 1 includes the command's start-up"), std::string::npos) << o.process.err;
  ASSERT_FALSE(o.summary["wrap_up"].is_null());  // the sleep after the last epoch: wrap-up
  EXPECT_GT(duration(o.summary["wrap_up"]), 0.0);
  EXPECT_NE(o.process.out.find("saved model.pt"), std::string::npos);
}

// docs/run-mode.md, recipe "A marker at the start of each epoch".
TEST(RealScripts, MarkerAtEpochStart) {
  const auto o = run_recipe("start_marker.py",
                            {"--epoch-start-pattern", R"(^Starting epoch (?P<epoch>\d+) of (?P<total>\d+))"});
  expect_whole_command_measured(o);
  ASSERT_FALSE(o.summary["setup"].is_null());  // the 0.4 s before the first marker
  EXPECT_GE(duration(o.summary["setup"]), 0.4);  // the marker cannot be read before it is printed
  EXPECT_NE(o.process.err.find("Set-up before the first epoch"), std::string::npos) << o.process.err;
  EXPECT_EQ(o.process.err.find("epoch 1 includes the command's start-up"), std::string::npos) << o.process.err;
}

// docs/run-mode.md, recipe "Python logging to stderr".
TEST(RealScripts, PythonLoggingToStderr) {
  const auto o = run_recipe("logging_stderr.py",
                            {"--epoch-pattern", R"(^INFO:train:epoch (?P<epoch>\d+)/(?P<total>\d+) finished)"});
  expect_whole_command_measured(o);
  EXPECT_NE(o.process.err.find("INFO:train:epoch 5/5 finished"), std::string::npos);  // passed through
}

// docs/run-mode.md, recipe "tqdm".
TEST(RealScripts, RealTqdmBars) {
  const auto o = run_recipe("tqdm_bars.py", {"--epoch-pattern", R"(^epoch (?P<epoch>\d+)/(?P<total>\d+): 100%\|)"});
  ASSERT_EQ(o.process.err.find("No module named 'tqdm'"), std::string::npos)
      << "install python3-tqdm (scripts/install-deps) for " << kPython;
  expect_whole_command_measured(o);
  // tqdm drew some final 100% lines twice; each epoch still counted once.
  std::size_t hundred = 0;
  for (std::size_t p = 0; (p = o.process.err.find(": 100%|", p)) != std::string::npos; ++p) ++hundred;
  EXPECT_GE(hundred, static_cast<std::size_t>(kEpochs));
}

// docs/run-mode.md, recipe "Keras".
TEST(RealScripts, KerasStyleEpochLineThenProgressBar) {
  const auto o = run_recipe("keras_style.py", {"--epoch-start-pattern", R"(^Epoch (?P<epoch>\d+)/(?P<total>\d+)$)"});
  expect_whole_command_measured(o);
  ASSERT_FALSE(o.summary["setup"].is_null());
  EXPECT_GE(duration(o.summary["setup"]), 0.3);
}

}  // namespace
}  // namespace carbontracker
