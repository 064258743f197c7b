// The PUE: 1.58 by default, as the Python carbontracker (PUE_2023), stated in its words and with
// its source in the console and the std log; 1.0 gives device energy; device energy is reported
// beside the facility energy (console, event log) whatever the PUE.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "carbontracker/tracker.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

constexpr const char* kPythonPueSentence =
    "Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 (Daniel Bizo, 2023, Uptime "
    "Institute Global Data Center Survey).";

Config two_epochs(const std::filesystem::path& log_dir) {
  Config c;
  c.epochs = 2;
  c.update_interval = 3600;  // only the test thread reads the counters
  c.intensity_g_per_kwh = 100;
  c.log_dir = log_dir;
  return c;
}

std::filesystem::path only_file(const std::filesystem::path& dir, const std::string& suffix) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      found.push_back(e.path());
    }
  }
  EXPECT_EQ(found.size(), 1u) << suffix;
  return found.empty() ? std::filesystem::path() : found[0];
}

// Two epochs of 2 GPUs x 1800 J (3600 J device energy per epoch).
Snapshot run_two_epochs(TrackerRig& rig, const Config& c) {
  Tracker t(c, rig.env());
  for (int e = 0; e < 2; ++e) {
    t.epoch_start();
    rig.spend(0, 0, 1800, 10);
    t.epoch_end();
  }
  return t.snapshot();
}

TEST(TrackerPue, DefaultIsThePythonToolsWithItsSentenceInTheConsoleAndTheStdLog) {
  TrackerRig rig;
  const Config c = two_epochs(rig.dir / "logs");
  EXPECT_EQ(c.pue, kPueUptime2023);
  const Snapshot s = run_two_epochs(rig, c);
  EXPECT_EQ(s.pue, 1.58);
  EXPECT_DOUBLE_EQ(s.epochs_total.device_energy_j.total_j(), 7200.0);
  EXPECT_DOUBLE_EQ(s.epochs_total.facility_energy_j, 7200.0 * 1.58);
  EXPECT_DOUBLE_EQ(s.epochs_total.co2eq_g, 7200.0 * 1.58 / 3.6e6 * 100);
  ASSERT_TRUE(s.prediction.has_value());
  EXPECT_DOUBLE_EQ(s.prediction->energy_j, 7200.0 * 1.58);  // predicted figures carry the PUE too

  const std::string std_log = testing::read_text(only_file(*c.log_dir, "_carbontracker.log"));
  EXPECT_NE(std_log.find(std::string(" - ") + kPythonPueSentence + "\n"), std::string::npos) << std_log;
  const std::string out = rig.console.str();
  EXPECT_NE(out.find(std::string("CarbonTracker: ") + kPythonPueSentence), std::string::npos) << out;
  // Not in the output log: the Python tool's parser starts its "Actual consumption" block at the
  // first match of this case-insensitive expression, which the sentence's "actual consumptions" is.
  const std::string output_log = testing::read_text(only_file(*c.log_dir, "_carbontracker_output.log"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(output_log, m,
                                std::regex(R"(Actual consumption[\s\S]*?Energy:\s*(.*)\s+kWh)", std::regex::icase)));
  EXPECT_EQ(m[1].str(), "0.003160000000");
  // The blocks: facility energy, as the Python tool; device energy beside them, labelled.
  EXPECT_NE(out.find("\tEnergy:\t0.003160000000 kWh"), std::string::npos) << out;  // 7200 J x 1.58
  EXPECT_NE(out.find("Predicted device energy 0.002000000 kWh; the Energy and CO2eq above are facility energy "
                     "(device energy x PUE 1.58, an estimate of the data centre's use; pue 1.0 reports device energy)."),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Device energy 0.002000000 kWh, all of it measured. Facility energy (device energy x PUE 1.58, "
                     "an estimate of the data centre's use) 0.003160000 kWh: the Energy and CO2eq above are facility "
                     "energy (pue 1.0 reports device energy)."),
            std::string::npos)
      << out;
}

TEST(TrackerPue, OneGivesDeviceEnergyAndSaysSo) {
  TrackerRig rig;
  Config c = two_epochs(rig.dir / "logs");
  c.pue = kPueDeviceOnly;
  const Snapshot s = run_two_epochs(rig, c);
  EXPECT_DOUBLE_EQ(s.epochs_total.facility_energy_j, 7200.0);
  EXPECT_DOUBLE_EQ(s.epochs_total.co2eq_g, 7200.0 / 3.6e6 * 100);
  const std::string std_log = testing::read_text(only_file(*c.log_dir, "_carbontracker.log"));
  EXPECT_NE(std_log.find("multiplied by a PUE coefficient of 1.0 (set by the user: 1.0 reports device energy, what "
                         "the devices used; the default is 1.58, Daniel Bizo, 2023, Uptime Institute Global Data "
                         "Center Survey)."),
            std::string::npos)
      << std_log;
  const std::string out = rig.console.str();
  EXPECT_NE(out.find("\tEnergy:\t0.002000000000 kWh"), std::string::npos) << out;
  EXPECT_NE(out.find("Device energy 0.002000000 kWh, all of it measured. PUE 1.0: the Energy and CO2eq above are "
                     "device energy."),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("Predicted device energy"), std::string::npos) << out;  // the block is device energy
}

TEST(TrackerPue, EventLogCarriesDeviceAndFacilityEnergyAndThePuesSource) {
  TrackerRig rig;
  const Config c = two_epochs(rig.dir / "logs");
  run_two_epochs(rig, c);
  std::ifstream in(only_file(*c.log_dir, "_carbontracker_events.jsonl"));
  int epochs = 0, predictions = 0;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] == "run_start") {
      EXPECT_EQ(j["pue"], 1.58);
      EXPECT_EQ(j["pue_source"],
                "default, as the Python carbontracker (Daniel Bizo, 2023, Uptime Institute Global Data Center Survey)");
    } else if (j["type"] == "epoch") {
      ++epochs;
      EXPECT_DOUBLE_EQ(j["epoch"]["energy_j"]["total"], 3600.0);
      EXPECT_DOUBLE_EQ(j["epoch"]["facility_energy_j"], 3600.0 * 1.58);
    } else if (j["type"] == "prediction") {
      ++predictions;
      EXPECT_DOUBLE_EQ(j["forecast"]["energy_kwh"], 7200.0 * 1.58 / 3.6e6);
      EXPECT_NEAR(j["forecast"]["device_energy_kwh"].get<double>(), 7200.0 / 3.6e6, 1e-15);
    } else if (j["type"] == "run_end") {
      EXPECT_DOUBLE_EQ(j["total"]["energy_j"]["total"], 7200.0);
      EXPECT_DOUBLE_EQ(j["total"]["facility_energy_j"], 7200.0 * 1.58);
    }
  }
  EXPECT_EQ(epochs, 2);
  EXPECT_EQ(predictions, 2);
}

}  // namespace
}  // namespace carbontracker
