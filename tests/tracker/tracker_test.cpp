#include "carbontracker/tracker.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

// The sampler thread wakes at most every 30 s; these tests move the fake clock by less than
// that, so only the test thread reads the counters and every figure is deterministic.
Config base_config(int epochs) {
  Config c;
  c.epochs = epochs;
  c.update_interval = 3600;
  return c;
}

std::vector<std::filesystem::path> files_with_suffix(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path());
    }
  }
  return out;
}

TEST(Tracker, EpochsAreExactSummedOverDevicesAndSplitByComponent) {
  TrackerRig rig;
  Tracker t(base_config(3), rig.env());
  ASSERT_EQ(t.snapshot().channels.size(), 6u);
  for (int e = 1; e <= 3; ++e) {
    t.epoch_start();
    rig.spend(10.0 * e, 2.0, 100.0, 5.0);  // per device
    const EpochRecord r = t.epoch_end();
    EXPECT_EQ(r.index, e);
    EXPECT_DOUBLE_EQ(r.totals.duration_s, 5.0);
    EXPECT_DOUBLE_EQ(r.totals.device_energy_j.cpu_j, 2 * 10.0 * e);  // two packages, summed
    EXPECT_DOUBLE_EQ(r.totals.device_energy_j.dram_j, 4.0);
    EXPECT_DOUBLE_EQ(r.totals.device_energy_j.gpu_j, 200.0);  // two GPUs, summed
    EXPECT_DOUBLE_EQ(r.totals.measured_j, r.totals.device_energy_j.total_j());
    EXPECT_DOUBLE_EQ(r.totals.estimated_j, 0.0);
    rig.clock.advance(std::chrono::milliseconds(500));  // time between epochs
  }
  const Snapshot s = t.snapshot();
  EXPECT_TRUE(s.finished);  // monitor_epochs = epochs
  ASSERT_EQ(s.epochs.size(), 3u);
  EXPECT_DOUBLE_EQ(s.epochs_total.device_energy_j.total_j(), 3 * (4.0 + 200.0) + 20 + 40 + 60);
  EXPECT_DOUBLE_EQ(s.epochs_total.duration_s, 15.0);
  EXPECT_NEAR(s.whole_run.duration_s, 16.0, 1e-9);  // epochs plus the two gaps between them
  EXPECT_EQ(s.intensity.kind, IntensityKind::assumed);
  EXPECT_NEAR(s.intensity.g_per_kwh, 473.0, 0.01);  // the world average (Ember 2024), no location given
  EXPECT_NEAR(s.epochs_total.co2eq_g, s.epochs_total.facility_energy_j / 3.6e6 * s.intensity.g_per_kwh, 1e-12);
  // After epoch 1: the paper's moment; then one refit per epoch.
  ASSERT_TRUE(s.prediction.has_value());
  EXPECT_EQ(s.prediction->after_epochs, 1);
  EXPECT_EQ(s.prediction->epochs, 3);
  EXPECT_EQ(s.prediction_history.size(), 3u);
  const std::string out = rig.console.str();
  EXPECT_NE(out.find("Predicted consumption for 3 epoch(s):"), std::string::npos) << out;
  EXPECT_NE(out.find("Actual consumption for 3 epoch(s):"), std::string::npos) << out;
  EXPECT_NE(out.find("\tThis is equivalent to:\n\t"), std::string::npos);
  EXPECT_NE(out.find("km travelled by car"), std::string::npos);
  EXPECT_NE(out.find("Measured: cpu (powercap energy counter), dram (powercap energy counter), gpu (nvml energy "
                     "counter)."),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("(assumed: Ember yearly electricity data 2024"), std::string::npos) << out;
  // Further calls after the end are no-ops, as in the Python tool.
  t.epoch_start();
  EXPECT_EQ(t.epoch_end().index, 0);
}

TEST(Tracker, PueMultipliesFacilityEnergyAndReportsBoth) {
  TrackerRig rig;
  Config c = base_config(1);
  c.pue = 1.5;
  c.intensity_g_per_kwh = 100;
  Tracker t(c, rig.env());
  t.epoch_start();
  rig.spend(0, 0, 1800, 10);  // 2 GPUs x 1800 J = 3600 J device
  const auto r = t.epoch_end();
  EXPECT_DOUBLE_EQ(r.totals.facility_energy_j, 5400.0);
  EXPECT_DOUBLE_EQ(r.totals.co2eq_g, 5400.0 / 3.6e6 * 100.0);
  const std::string out = rig.console.str();
  EXPECT_NE(out.find("Facility energy (device energy x PUE 1.5, an estimate of the data centre's use) 0.001500000 kWh"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Device energy 0.001000000 kWh, all of it measured."), std::string::npos) << out;
  EXPECT_NE(out.find("PUE coefficient of 1.5 (set by the user; pue 1.0 reports device energy"), std::string::npos)
      << out;
  EXPECT_NE(out.find("fixed: user setting"), std::string::npos) << out;
}

TEST(Tracker, StopDuringAnEpochKeepsItSeparateAndSaysTheRunWasInterrupted) {
  TrackerRig rig;
  Config c = base_config(5);
  c.log_dir = rig.dir / "logs";
  Tracker t(c, rig.env());
  t.epoch_start();
  rig.spend(1, 1, 1, 2);
  t.epoch_end();
  t.epoch_start();
  rig.spend(5, 0, 0, 1);
  t.stop();
  const auto s = t.snapshot();
  ASSERT_TRUE(s.interrupted.has_value());
  EXPECT_FALSE(s.interrupted->complete);
  EXPECT_DOUBLE_EQ(s.interrupted->totals.device_energy_j.cpu_j, 10.0);
  EXPECT_EQ(s.epochs.size(), 1u);
  const auto std_logs = files_with_suffix(*c.log_dir, "_carbontracker.log");
  ASSERT_EQ(std_logs.size(), 1u);
  const std::string std_log = testing::read_text(std_logs[0]);
  EXPECT_NE(std_log.find("Training was interrupted before all 5 epochs were monitored."), std::string::npos);
  EXPECT_NE(rig.console.str().find("Not included above: the interrupted epoch 2"), std::string::npos);
}

// Python carbontracker's parser regexes (parser.py, v2.4.3), so its users' tooling reads our logs.
TEST(Tracker, LogsAreReadableByThePythonParsersRegexes) {
  TrackerRig rig;
  Config c = base_config(2);
  c.log_dir = rig.dir / "logs";
  c.log_file_prefix = "exp1";
  Tracker t(c, rig.env());
  for (int e = 0; e < 2; ++e) {
    t.epoch_start();
    rig.spend(30, 3, 300, 12.5);
    t.epoch_end();
  }
  const auto out_logs = files_with_suffix(*c.log_dir, "_carbontracker_output.log");
  const auto std_logs = files_with_suffix(*c.log_dir, "_carbontracker.log");
  ASSERT_EQ(out_logs.size(), 1u);
  ASSERT_EQ(std_logs.size(), 1u);
  EXPECT_EQ(out_logs[0].filename().string().rfind("exp1_", 0), 0u);
  const std::regex name(R"(exp1_\d+\.\d+_\d{4}-\d{2}-\d{2}T\d{6}Z_carbontracker_output\.log)");
  EXPECT_TRUE(std::regex_match(out_logs[0].filename().string(), name)) << out_logs[0];

  const std::string output = testing::read_text(out_logs[0]);
  const std::regex tail(R"(Time:\s*(.*)\n\s*Energy:\s*(.*)\s+kWh[\s\S]*?CO2eq:\s*(.*)\s+g(?:\s*This is equivalent to:\s*([\s\S]*?))?(?=\d{4}-\d{2}-\d{2}|$))");
  std::smatch m;
  const auto pred_at = output.find("Predicted consumption for 2 epoch(s):");
  ASSERT_NE(pred_at, std::string::npos);
  std::string pred = output.substr(pred_at);
  ASSERT_TRUE(std::regex_search(pred, m, tail)) << pred;
  EXPECT_EQ(m[1].str(), "0:00:25");
  // The default PUE 1.58 (the Python tool's PUE_2023) scales every figure these blocks carry.
  const double expected_kwh = 2 * (2 * 30 + 2 * 3 + 2 * 300) * 1.58 / 3.6e6;
  EXPECT_NEAR(std::stod(m[2].str()), expected_kwh, 1e-12);
  // Equivalents: each line "<value> <unit>" with a float value (the Python parser splits them).
  std::istringstream eq(m[4].str());
  for (std::string line; std::getline(eq, line);) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const auto first = line.find_first_not_of(" \t");
    EXPECT_NO_THROW((void)std::stod(line.substr(first))) << line;
  }
  const auto act_at = output.find("Actual consumption for 2 epoch(s):");
  ASSERT_NE(act_at, std::string::npos);
  std::string act = output.substr(act_at);
  ASSERT_TRUE(std::regex_search(act, m, tail));
  EXPECT_NEAR(std::stod(m[2].str()), expected_kwh, 1e-12);
  for (const auto& line : {std::string("Predicted"), std::string("Actual")}) {
    // Every record starts with the timestamp the parser uses as separator.
    EXPECT_TRUE(std::regex_search(output, std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} - CarbonTracker: \n)" + line)));
  }

  const std::string std_log = testing::read_text(std_logs[0]);
  const std::regex duration(R"(Duration: (\d+):(\d{2}):(\d\d?(?:.\d{2})?))");
  EXPECT_EQ(std::distance(std::sregex_iterator(std_log.begin(), std_log.end(), duration), std::sregex_iterator()), 2);
  EXPECT_NE(std_log.find("Duration: 0:00:12.50"), std::string::npos) << std_log;
  const std::regex power(R"(Average power usage \(W\) for (.+): (\[?[0-9\.]+\]?|None))");
  std::vector<std::string> comps;
  for (auto it = std::sregex_iterator(std_log.begin(), std_log.end(), power); it != std::sregex_iterator(); ++it) {
    comps.push_back((*it)[1].str() + "=" + (*it)[2].str());
  }
  // gpu: 2 x 300 J / 12.5 s = 48 W; cpu: (2 x 30 + 2 x 3) J / 12.5 s = 5.28 W (cpu includes DRAM).
  EXPECT_EQ(comps, (std::vector<std::string>{"gpu=48.000000", "cpu=5.280000", "gpu=48.000000", "cpu=5.280000"}));
  EXPECT_TRUE(std::regex_search(std_log, std::regex(R"(The following components were found: GPU with device\(s\) NVIDIA H100 80GB HBM3, NVIDIA H100 80GB HBM3\. CPU with device\(s\) cpu:0, dram:0, cpu:1, dram:1\.)")))
      << std_log;
  std::smatch pue;
  ASSERT_TRUE(std::regex_search(std_log, pue, std::regex(R"(PUE coefficient of ([\d\.]+))")));
  EXPECT_EQ(pue[1].str(), "1.58");
  EXPECT_TRUE(std::regex_search(std_log, std::regex(R"(Average carbon intensity during training was ([\d\.]+) gCO2eq/kWh)")));
}

TEST(Tracker, EventLogHasOneVersionedRecordPerLine) {
  TrackerRig rig;
  Config c = base_config(2);
  c.log_dir = rig.dir / "logs";
  Tracker t(c, rig.env());
  for (int e = 0; e < 2; ++e) {
    t.epoch_start();
    rig.spend(1, 1, 1, 1);
    t.epoch_end();
  }
  const auto files = files_with_suffix(*c.log_dir, "_carbontracker_events.jsonl");
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files[0]);
  std::vector<std::string> types;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["v"], 1);
    types.push_back(j["type"]);
  }
  // One power record: the start (t = 0); at update_interval 3600 no later point is due.
  EXPECT_EQ(types,
            (std::vector<std::string>{"run_start", "epoch", "prediction", "epoch", "prediction", "power", "run_end"}));
}

TEST(Tracker, SummaryJsonHasTheDocumentedShape) {
  TrackerRig rig;
  Config c = base_config(2);
  c.summary_json = rig.dir / "summary.json";
  Tracker t(c, rig.env());
  for (int e = 0; e < 2; ++e) {
    t.epoch_start();
    rig.spend(1, 0.5, 10, 2);
    t.epoch_end();
  }
  const auto j = nlohmann::json::parse(testing::read_text(*c.summary_json));
  ASSERT_EQ(j["epochs"].size(), 2u);
  EXPECT_EQ(j["epochs"][0]["index"], 1);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["duration_s"], 2.0);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["energy_j"]["cpu"], 2.0);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["energy_j"]["dram"], 1.0);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["energy_j"]["gpu"], 20.0);
  EXPECT_DOUBLE_EQ(j["epochs"][0]["energy_j"]["total"], 23.0);
  // Default PUE 1.58: energy_kwh and facility_energy_j are facility energy, energy_j device energy.
  EXPECT_DOUBLE_EQ(j["pue"], 1.58);
  EXPECT_NE(j["pue_source"].get<std::string>().find("Daniel Bizo, 2023, Uptime Institute"), std::string::npos);
  EXPECT_DOUBLE_EQ(j["total"]["energy_j"]["total"], 46.0);
  EXPECT_DOUBLE_EQ(j["total"]["facility_energy_j"], 46.0 * 1.58);
  EXPECT_DOUBLE_EQ(j["total"]["energy_kwh"], 46.0 * 1.58 / 3.6e6);
  EXPECT_NEAR(j["prediction"]["device_energy_kwh"].get<double>() * 1.58, j["prediction"]["energy_kwh"].get<double>(),
              1e-15);
  EXPECT_NEAR(j["total"]["intensity_g_per_kwh"].get<double>(), 473.0, 0.01);
  EXPECT_FALSE(j["total"]["intensity_source"].get<std::string>().empty());
  EXPECT_EQ(j["prediction"]["epochs"], 2);
  EXPECT_TRUE(j["prediction"].contains("co2eq_g"));
  ASSERT_EQ(j["prediction_history"].size(), 2u);
  for (const char* k : {"after_epochs", "duration_s", "energy_kwh", "energy_kwh_low", "energy_kwh_high", "co2eq_g"}) {
    EXPECT_TRUE(j["prediction_history"][0].contains(k)) << k;
  }
  EXPECT_EQ(j["stopped_by_budget"], false);
  EXPECT_EQ(j["components"]["gpu"]["present"], true);
  EXPECT_EQ(j["components"]["psys"]["present"], false);
}

TEST(Tracker, ShortEpochIsBelowResolutionNotZero) {
  TrackerRig rig;
  Tracker t(base_config(2), rig.env());
  t.epoch_start();
  rig.clock.advance(std::chrono::milliseconds(40));  // GPU counters update every 100 ms
  const auto r = t.epoch_end();
  bool flagged = false;
  for (const auto& n : r.notes) flagged |= n.find("below resolution") != std::string::npos;
  EXPECT_TRUE(flagged);
}

}  // namespace
}  // namespace carbontracker
