// End-to-end tests of examples/mlp_training: the program the README's main job runs. Each
// test starts the real binary on a fixed machine (no RAPL, no GPU, the development VM's
// procfs), so the CPU and DRAM are estimated the same way on every host.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::fixtures_dir;
using testing::ProcessResult;
using testing::read_text;
using testing::run_process;
using testing::TempDir;
using testing::write_file;

const std::string kProgram = MLP_TRAINING;

class MlpTraining : public ::testing::Test {
 protected:
  // A small configuration: well under a second per run, even with sanitizers.
  ProcessResult run(std::vector<std::string> args) {
    std::vector<std::string> argv{kProgram, "--samples", "1000", "--hidden", "16"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {"CARBONTRACKER_SYSFS_ROOT=" + (dir_ / "sysfs").string(),
                              "CARBONTRACKER_PROCFS_ROOT=" + (fixtures_dir() / "procfs" / "vm-xeon-generic").string(),
                              "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1", "CUDA_VISIBLE_DEVICES"});
  }
  void SetUp() override { std::filesystem::create_directories(dir_ / "sysfs"); }

  TempDir dir_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The "Epoch i/n" lines, in order, with the loss each reports.
struct EpochLine {
  std::string marker;
  double loss = 0;
};
std::vector<EpochLine> epoch_lines(const std::string& out) {
  static const std::regex re(R"(^(Epoch \d+/\d+): loss (\d+\.\d+), accuracy \d+\.\d %$)");
  std::vector<EpochLine> found;
  for (const auto& line : lines_of(out)) {
    std::smatch m;
    if (std::regex_match(line, m, re)) found.push_back({m[1], std::stod(m[2])});
  }
  return found;
}

std::vector<std::string> markers(const std::vector<EpochLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.marker);
  return out;
}

std::size_t at(const std::string& text, const std::string& what) {
  const auto pos = text.find(what);
  EXPECT_NE(pos, std::string::npos) << "missing: " << what << "\n" << text;
  return pos;
}

TEST_F(MlpTraining, TrackedRunPrintsEpochsPredictionActualAndResults) {
  const auto summary = dir_ / "summary.json";
  const auto r = run({"--epochs", "3", "--summary-json", summary.string(), "--log-dir", (dir_ / "logs").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(markers(epoch_lines(r.out)), (std::vector<std::string>{"Epoch 1/3", "Epoch 2/3", "Epoch 3/3"}));

  // The tracker's report is interleaved where it happens: the prediction after epoch 1, the
  // actual consumption after the last epoch, then the numbers read back from snapshot().
  const auto e1 = at(r.out, "Epoch 1/3"), e2 = at(r.out, "Epoch 2/3"), e3 = at(r.out, "Epoch 3/3");
  const auto predicted = at(r.out, "Predicted consumption for 3 epoch(s):");
  const auto actual = at(r.out, "Actual consumption for 3 epoch(s):");
  const auto results = at(r.out, "Results from tracker.snapshot():");
  EXPECT_LT(e1, predicted);
  EXPECT_LT(predicted, e2);
  EXPECT_LT(e3, actual);
  EXPECT_LT(actual, results);
  EXPECT_NE(r.out.find("sources: cpu estimated (tdp-estimate), dram estimated (dram-estimate)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("predicted after epoch 1 for 3 epochs:"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(the prediction was \d+\.\d % too (low|high))"))) << r.out;

  const json doc = json::parse(read_text(summary));
  ASSERT_EQ(doc["epochs"].size(), 3u);
  EXPECT_EQ(doc["total"]["epochs"], 3);
  EXPECT_FALSE(doc["stopped_by_budget"].get<bool>());
  // Nothing here can be measured, so all of it is estimated, and none of it is zero.
  EXPECT_GT(doc["total"]["estimated_energy_j"].get<double>(), 0.0);
  EXPECT_EQ(doc["total"]["measured_energy_j"].get<double>(), 0.0);
  EXPECT_FALSE(doc["prediction"].is_null());

  bool output_log = false;
  for (const auto& f : std::filesystem::directory_iterator(dir_ / "logs")) {
    const auto name = f.path().filename().string();
    if (name.ends_with("_carbontracker_output.log")) {
      output_log = true;
      EXPECT_NE(read_text(f.path()).find("Actual consumption for 3 epoch(s):"), std::string::npos);
    }
  }
  EXPECT_TRUE(output_log) << "no *_carbontracker_output.log in --log-dir";
}

TEST_F(MlpTraining, WithoutTrackerPrintsOnlyTheTrainingAndLearns) {
  const auto r = run({"--epochs", "3", "--no-tracker"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto epochs = epoch_lines(r.out);
  ASSERT_EQ(markers(epochs), (std::vector<std::string>{"Epoch 1/3", "Epoch 2/3", "Epoch 3/3"}));
  EXPECT_EQ(lines_of(r.out).size(), 3u) << r.out;  // nothing but the epoch lines
  EXPECT_EQ(r.err, "");
  EXPECT_LT(epochs[2].loss, epochs[0].loss) << r.out;

  // The fixed seed makes the run reproducible, so `carbontracker run` measures the same work.
  EXPECT_EQ(run({"--epochs", "3", "--no-tracker"}).out, r.out);
  EXPECT_NE(run({"--epochs", "3", "--no-tracker", "--seed", "7"}).out, r.out);
}

TEST_F(MlpTraining, EnergyBudgetWithStopEndsTheTrainingAfterTheFirstEpoch) {
  const auto summary = dir_ / "summary.json";
  const auto r = run({"--epochs", "3", "--max-energy-kwh", "1e-12", "--budget-action", "stop", "--summary-json",
                      summary.string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(markers(epoch_lines(r.out)), (std::vector<std::string>{"Epoch 1/3"}));
  at(r.out, "Stopping the training.");
  at(r.out, "Actual consumption for 1 epoch(s):");
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nStopped by the energy budget: .*max_energy_kwh)"))) << r.out;
  at(r.out, "stopped by the budget after 1 epoch(s)");

  const json doc = json::parse(read_text(summary));
  EXPECT_EQ(doc["epochs"].size(), 1u);
  EXPECT_TRUE(doc["stopped_by_budget"].get<bool>());
  ASSERT_EQ(doc["budget_events"].size(), 1u);
  EXPECT_EQ(doc["budget_events"][0]["outcome"], "stopped");
}

TEST_F(MlpTraining, EnergyBudgetWithWarnOnlyWarns) {
  const auto r = run({"--epochs", "3", "--max-energy-kwh", "1e-12"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(markers(epoch_lines(r.out)), (std::vector<std::string>{"Epoch 1/3", "Epoch 2/3", "Epoch 3/3"}));
  at(r.out, "Budget: ");
  EXPECT_EQ(r.out.find("Stopped by the energy budget"), std::string::npos) << r.out;
}

TEST_F(MlpTraining, QuietSilencesTheTrackerButKeepsTheResults) {
  const auto r = run({"--epochs", "2", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("CarbonTracker:"), std::string::npos) << r.out;
  EXPECT_EQ(markers(epoch_lines(r.out)), (std::vector<std::string>{"Epoch 1/2", "Epoch 2/2"}));
  at(r.out, "Results from tracker.snapshot():");
}

// A tracker that cannot start (here: its log directory is a file) must not stop the training.
TEST_F(MlpTraining, TrainingGoesOnWhenTheTrackerCannotStart) {
  write_file(dir_ / "not-a-dir", "");
  const auto r = run({"--epochs", "2", "--log-dir", (dir_ / "not-a-dir").string()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  at(r.out, "carbontracker not started (invalid log_dir");
  EXPECT_EQ(markers(epoch_lines(r.out)), (std::vector<std::string>{"Epoch 1/2", "Epoch 2/2"}));
  EXPECT_EQ(r.out.find("Results from tracker.snapshot():"), std::string::npos) << r.out;
}

TEST_F(MlpTraining, RejectsAnUnknownBudgetAction) {
  const auto r = run({"--budget-action", "pause"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--budget-action"), std::string::npos) << r.err;
  EXPECT_EQ(epoch_lines(r.out).size(), 0u);
}

}  // namespace
}  // namespace carbontracker
