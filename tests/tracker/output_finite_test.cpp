// NaN or infinity never reaches an output: the console/log formatters print "not measured" (or
// the Python tool's "None" for a power), and JSON outputs carry null, never a nan/inf token.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <limits>

#include "outputs/python_format.hpp"
#include "outputs/results_json.hpp"
#include "tracker/messages.hpp"

namespace carbontracker {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

bool has_non_finite_text(const std::string& s) {
  return s.find("nan") != std::string::npos || s.find("inf") != std::string::npos ||
         s.find("NaN") != std::string::npos || s.find("Infinity") != std::string::npos;
}

TEST(OutputFinite, ConsumptionBlockSaysNotMeasured) {
  const std::string block =
      outputs::consumption_block("Actual consumption:", outputs::ConsumptionFigures{kInf, kNaN, kNaN}, 12, true);
  EXPECT_FALSE(has_non_finite_text(block)) << block;
  EXPECT_NE(block.find("Energy:\tnot measured"), std::string::npos) << block;
  EXPECT_NE(block.find("CO2eq:\tnot measured"), std::string::npos) << block;
  EXPECT_NE(block.find("Time:\tunknown"), std::string::npos) << block;
  EXPECT_EQ(block.find("km travelled"), std::string::npos) << "no equivalent of an unknown figure";
  // Finite figures are unchanged.
  const std::string ok = outputs::consumption_block("X", outputs::ConsumptionFigures{60, 0.5, 100}, 3, false);
  EXPECT_NE(ok.find("Energy:\t0.500 kWh"), std::string::npos) << ok;
}

TEST(OutputFinite, UnknownAveragePowerIsNoneNotZero) {
  EXPECT_EQ(outputs::average_power_line("gpu", kNaN), "Average power usage (W) for gpu: None");
  EXPECT_EQ(outputs::average_power_line("cpu", -kInf), "Average power usage (W) for cpu: None");
  EXPECT_EQ(outputs::average_power_line("cpu", 12.5), "Average power usage (W) for cpu: 12.500000");
}

TEST(OutputFinite, SummaryJsonCarriesNullNeverANonFiniteToken) {
  Snapshot s;
  s.epochs_total.duration_s = kInf;
  s.epochs_total.device_energy_j.gpu_j = kNaN;
  s.epochs_total.co2eq_g = kNaN;
  s.whole_run.facility_energy_j = -kInf;
  s.intensity.g_per_kwh = kNaN;
  const std::string text = outputs::summary_json_text(s, -1);
  EXPECT_FALSE(has_non_finite_text(text)) << text;
  const auto back = nlohmann::json::parse(text);  // valid JSON for any reader
  EXPECT_TRUE(back["total"]["co2eq_g"].is_null()) << back["total"].dump();
  EXPECT_TRUE(back["total"]["intensity_g_per_kwh"].is_null());
}

TEST(OutputFinite, PredictionIntervalWithAnUnknownBoundIsNotAvailable) {
  Forecast f;
  f.after_epochs = 2;
  f.energy_j_low = kNaN;
  f.energy_j_high = kNaN;
  const std::string line = tracker::interval_line(f, nullptr);
  EXPECT_FALSE(has_non_finite_text(line)) << line;
  EXPECT_NE(line.find("not available"), std::string::npos) << line;
}

}  // namespace
}  // namespace carbontracker
