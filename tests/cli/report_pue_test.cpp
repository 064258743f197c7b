// `carbontracker report` gives each run's PUE and its device energy beside the facility energy it
// reported (issue 12: PUE 1.58 by default, as the Python tool; device energy stays reported).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::run_process;
using testing::TempDir;

using testing::kCli;

TEST(CliReportPue, APythonToolRunShowsItsPueAndTheDeviceEnergyBeside) {
  const std::string logs = (testing::fixtures_dir() / "logs" / "python-real-complete").string();
  auto r = run_process({kCli, "report", logs, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 1u);
  const json& run = j["runs"][0];
  EXPECT_EQ(run["pue"], 1.58);  // read from its std log's sentence
  EXPECT_DOUBLE_EQ(run["energy_kwh"].get<double>(), 3.2314091e-05);  // as its output log printed it
  EXPECT_DOUBLE_EQ(run["device_energy_kwh"].get<double>(), 3.2314091e-05 / 1.58);

  auto text = run_process({kCli, "report", logs});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("0.000032314 kWh"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("facility energy (device energy x PUE 1.58, an estimate); device energy 0.000020452 kWh"),
            std::string::npos)
      << text.out;
}

// One run of ours: 2 epochs of a simulated 100 W GPU.
json report_of_a_run(const TempDir& dir, const std::vector<std::string>& pue_args, json& summary) {
  std::vector<std::string> args{kCli, "run", "--epochs", "2", "--epoch-pattern", "^Epoch", "--log-dir",
                                (dir / "logs").string(), "--summary-json", (dir / "s.json").string(), "--sim-gpu",
                                "G", "--sim-gpu-watts", "100", "--intensity", "200"};
  args.insert(args.end(), pue_args.begin(), pue_args.end());
  for (const char* a : {"--", "/bin/sh", "-c", "sleep 0.2; echo Epoch 1; sleep 0.2; echo Epoch 2"}) args.push_back(a);
  auto run = run_process(args, {"CARBONTRACKER_SYSFS_ROOT=/nonexistent", "CARBONTRACKER_NVML_LIBRARY=/nonexistent.so"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  summary = json::parse(testing::read_text(dir / "s.json"));
  auto r = run_process({kCli, "report", (dir / "logs").string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

TEST(CliReportPue, ARunOfOursAtTheDefaultPueReportsFacilityAndDeviceEnergy) {
  TempDir dir;
  json summary;
  const json j = report_of_a_run(dir, {}, summary);
  ASSERT_EQ(j["runs"].size(), 1u);
  const json& run = j["runs"][0];
  EXPECT_EQ(run["pue"], 1.58);
  const double device_kwh = summary["total"]["energy_j"]["total"].get<double>() / 3.6e6;
  ASSERT_GT(device_kwh, 0);
  EXPECT_NEAR(run["energy_kwh"].get<double>(), device_kwh * 1.58, 1e-12);
  EXPECT_NEAR(run["device_energy_kwh"].get<double>(), device_kwh, 1e-12);
}

TEST(CliReportPue, PueOneMakesBothFiguresTheDeviceEnergy) {
  TempDir dir;
  json summary;
  const json j = report_of_a_run(dir, {"--pue", "1"}, summary);
  ASSERT_EQ(j["runs"].size(), 1u);
  const json& run = j["runs"][0];
  EXPECT_EQ(run["pue"], 1.0);
  const double device_kwh = summary["total"]["energy_j"]["total"].get<double>() / 3.6e6;
  EXPECT_NEAR(run["energy_kwh"].get<double>(), device_kwh, 1e-12);
  EXPECT_DOUBLE_EQ(run["device_energy_kwh"].get<double>(), run["energy_kwh"].get<double>());
  auto text = run_process({kCli, "report", (dir / "logs").string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out.find("facility energy (device energy x PUE"), std::string::npos) << text.out;
}

}  // namespace
}  // namespace carbontracker
