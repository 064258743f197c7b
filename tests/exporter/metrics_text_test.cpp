// The text exposition format: escaping, one HELP/TYPE per name before its samples, samples
// grouped, no non-finite value, a golden example byte for byte, and locale independence.
#include <gtest/gtest.h>

#include <clocale>
#include <locale>
#include <stdexcept>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "exporter/metrics_text.hpp"

namespace carbontracker::exporter {
namespace {

MetricsSnapshot sample_snapshot() {
  MetricsSnapshot s;
  s.target = {{"host", "node1"}, {"job_id", "42"}, {"rank", "0"}};
  s.info = {{"version", "1.2.3"}, {"mode", "tracker"}};
  s.channels.push_back({"cpu", "powercap:intel-rapl:0", "counter", 12.5, 50.0});
  s.channels.push_back({"gpu", "nvml:GPU-1", "counter", 1000.25, std::nullopt});
  s.co2eq_g = 0.5;
  s.intensity = IntensityMetrics{473.0, "assumed"};
  s.epochs = 3;
  s.prediction = PredictionMetrics{1e6, 9e5, 1.2e6};
  return s;
}

TEST(MetricsText, EscapesBackslashQuoteAndNewlineInLabelValues) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("plain"), "plain");
  MetricsSnapshot s;
  s.target = {{"host", "we\"ird\nhost\\"}};
  const std::string text = render_metrics_text(s);
  EXPECT_NE(text.find("carbontracker_info{host=\"we\\\"ird\\nhost\\\\\"} 1\n"), std::string::npos) << text;
}

TEST(MetricsText, GoldenExample) {
  const std::string expected =
      "# HELP carbontracker_energy_joules_total Device energy per measured channel since the run started, joules "
      "(PUE not applied).\n"
      "# TYPE carbontracker_energy_joules_total counter\n"
      "carbontracker_energy_joules_total{component=\"cpu\",device=\"powercap:intel-rapl:0\",method=\"counter\","
      "host=\"node1\",job_id=\"42\",rank=\"0\"} 12.5\n"
      "carbontracker_energy_joules_total{component=\"gpu\",device=\"nvml:GPU-1\",method=\"counter\",host=\"node1\","
      "job_id=\"42\",rank=\"0\"} 1000.25\n"
      "# HELP carbontracker_power_watts Mean device power per channel over the last interval, watts.\n"
      "# TYPE carbontracker_power_watts gauge\n"
      "carbontracker_power_watts{component=\"cpu\",device=\"powercap:intel-rapl:0\",method=\"counter\",host=\"node1\","
      "job_id=\"42\",rank=\"0\"} 50\n"
      "# HELP carbontracker_co2eq_grams_total CO2-equivalent emissions of the facility energy (device energy x PUE) "
      "since the run started, grams.\n"
      "# TYPE carbontracker_co2eq_grams_total counter\n"
      "carbontracker_co2eq_grams_total{host=\"node1\",job_id=\"42\",rank=\"0\"} 0.5\n"
      "# HELP carbontracker_intensity_grams_per_kwh Carbon intensity in force, grams CO2eq per kWh; basis says where "
      "it comes from.\n"
      "# TYPE carbontracker_intensity_grams_per_kwh gauge\n"
      "carbontracker_intensity_grams_per_kwh{host=\"node1\",job_id=\"42\",rank=\"0\",basis=\"assumed\"} 473\n"
      "# HELP carbontracker_epochs_total Epochs completed.\n"
      "# TYPE carbontracker_epochs_total counter\n"
      "carbontracker_epochs_total{host=\"node1\",job_id=\"42\",rank=\"0\"} 3\n"
      "# HELP carbontracker_predicted_energy_joules Predicted facility energy of the whole run (point and interval "
      "bounds), joules.\n"
      "# TYPE carbontracker_predicted_energy_joules gauge\n"
      "carbontracker_predicted_energy_joules{bound=\"point\",host=\"node1\",job_id=\"42\",rank=\"0\"} 1000000\n"
      "carbontracker_predicted_energy_joules{bound=\"low\",host=\"node1\",job_id=\"42\",rank=\"0\"} 900000\n"
      "carbontracker_predicted_energy_joules{bound=\"high\",host=\"node1\",job_id=\"42\",rank=\"0\"} 1200000\n"
      "# HELP carbontracker_info Constant 1; the labels describe the exporter (version, mode, launcher).\n"
      "# TYPE carbontracker_info gauge\n"
      "carbontracker_info{version=\"1.2.3\",mode=\"tracker\",host=\"node1\",job_id=\"42\",rank=\"0\"} 1\n";
  EXPECT_EQ(render_metrics_text(sample_snapshot()), expected);
}

// Every name: one HELP, one TYPE, TYPE before its first sample, its samples contiguous; the
// text ends with a newline; no label named job or instance.
TEST(MetricsText, OneHelpAndTypePerNameAndSamplesGrouped) {
  const std::string text = render_metrics_text(sample_snapshot());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  std::map<std::string, int> help, type;
  std::map<std::string, bool> closed;
  std::string current;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0) {
      ++help[line.substr(7, line.find(' ', 7) - 7)];
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      ++type[name];
      EXPECT_EQ(help[name], 1) << "HELP before TYPE for " << name;
      continue;
    }
    const std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(type[name], 1) << "TYPE before the samples of " << name;
    if (name != current) {
      EXPECT_FALSE(closed[name]) << name << " samples are not grouped";
      if (!current.empty()) closed[current] = true;
      current = name;
    }
    EXPECT_EQ(line.find("job=\""), std::string::npos) << line;
    EXPECT_EQ(line.find("instance=\""), std::string::npos) << line;
  }
  for (const auto& [name, n] : help) EXPECT_EQ(n, 1) << name;
  for (const auto& [name, n] : type) EXPECT_EQ(n, 1) << name;
  EXPECT_EQ(type.size(), 7u);
}

TEST(MetricsText, NonFiniteValuesAndUnknownMetricsAreLeftOut) {
  MetricsSnapshot s;
  s.target = {{"host", "h"}};
  s.channels.push_back({"gpu", "a", "power", std::numeric_limits<double>::quiet_NaN(), std::nullopt});
  s.channels.push_back({"gpu", "b", "power", 5, std::numeric_limits<double>::infinity()});
  const std::string text = render_metrics_text(s);
  EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
  EXPECT_EQ(text.find("Inf"), std::string::npos) << text;
  EXPECT_NE(text.find("device=\"b\",method=\"power\",host=\"h\"} 5\n"), std::string::npos) << text;
  // No power known at all: no HELP/TYPE for a metric without samples; no co2eq, epochs, prediction.
  EXPECT_EQ(text.find("carbontracker_power_watts"), std::string::npos) << text;
  EXPECT_EQ(text.find("carbontracker_co2eq_grams_total"), std::string::npos);
  EXPECT_EQ(text.find("carbontracker_epochs_total"), std::string::npos);
  EXPECT_EQ(text.find("carbontracker_predicted_energy_joules"), std::string::npos);
}

TEST(MetricsText, NumbersIgnoreTheLocale) {
  const char* previous = std::setlocale(LC_ALL, nullptr);
  const std::string saved = previous ? previous : "C";
  if (!std::setlocale(LC_ALL, "de_DE.UTF-8")) GTEST_SKIP() << "de_DE.UTF-8 not generated (scripts/install-deps)";
  try {
    std::locale::global(std::locale("de_DE.UTF-8"));
  } catch (const std::runtime_error&) {
  }
  const std::string text = render_metrics_text(sample_snapshot());
  std::setlocale(LC_ALL, saved.c_str());
  std::locale::global(std::locale::classic());
  EXPECT_NE(text.find("} 12.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("} 1000.25\n"), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::exporter
