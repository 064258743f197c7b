// The summary document and the event-log objects: the layout nlohmann::json::dump(2) gives
// (so the format did not change when the writer replaced JSON values), and every field present.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "outputs/results_json.hpp"

namespace carbontracker::outputs {
namespace {

using nlohmann::json;

Totals totals(double seed) {
  Totals t;
  t.duration_s = seed;
  t.device_energy_j.cpu_j = 10 * seed;
  t.device_energy_j.gpu_j = 20 * seed;
  t.measured_j = 20 * seed;
  t.estimated_j = 10 * seed;
  t.facility_energy_j = 30 * seed * 1.58;
  t.co2eq_g = seed / 3;
  return t;
}

EpochRecord epoch(int index, bool complete) {
  EpochRecord e;
  e.index = index;
  e.complete = complete;
  e.start_s = index * 1.5;
  e.wall_start = std::chrono::system_clock::from_time_t(1700000000 + index);
  e.wall_end = std::chrono::system_clock::from_time_t(1700000001 + index);
  e.totals = totals(index);
  e.channel_energy_j = {1.25, 2.5};
  e.intensity_g_per_kwh = 473;
  e.notes = {"a note"};
  return e;
}

Snapshot rich() {
  Snapshot s;
  ChannelInfo cpu;
  cpu.id = "cpu0";
  cpu.component = Component::cpu;
  cpu.name = "Sim CPU";
  cpu.method = Method::simulated;
  cpu.source = "simulated";
  s.channels = {cpu};
  s.epochs = {epoch(1, true), epoch(2, true)};
  s.interrupted = epoch(3, false);
  s.epochs_total = totals(3);
  s.whole_run = totals(4);
  s.pue = 1.58;
  s.intensity = {473, "world average", IntensityKind::assumed, "no location configured"};
  Forecast f;
  f.method = ForecastMethod::robust;
  f.after_epochs = 1;
  f.epochs = 10;
  f.energy_j = 3.6e6;
  s.prediction = f;
  s.prediction_history = {f, f};
  s.budget_events = {BudgetEvent{BudgetLimit::max_co2eq_g, BudgetBasis::predicted, 5, 4, BudgetAction::warn, BudgetOutcome::warned, "over"}};
  s.warnings = {"w1", "w2"};
  s.finished = true;
  s.command = {"python3", "train.py"};
  s.planned_epochs = 10;
  s.setup = totals(0.5);
  return s;
}

TEST(ResultsJson, SummaryIsLaidOutAsDumpTwoWithSortedKeys) {
  const std::string text = summary_json_text(rich());
  const json j = json::parse(text);
  EXPECT_EQ(j.dump(2), text);
  EXPECT_EQ(json::parse(summary_json_text(rich(), -1)).dump(), summary_json_text(rich(), -1));
}

TEST(ResultsJson, SummaryCarriesEveryPart) {
  const json j = json::parse(summary_json_text(rich()));
  EXPECT_EQ(j["version"], kSummaryVersion);
  EXPECT_EQ(j["epochs"].size(), 2U);
  EXPECT_EQ(j["epochs"][1]["index"], 2);
  EXPECT_EQ(j["epochs"][0]["start"], "2023-11-14T22:13:21Z");
  EXPECT_EQ(j["epochs"][0]["energy_j"]["total"], 30.0);
  EXPECT_EQ(j["epochs"][0]["channel_energy_j"], json::array({1.25, 2.5}));
  EXPECT_EQ(j["interrupted_epoch"]["complete"], false);
  EXPECT_EQ(j["total"]["epochs"], 2);
  EXPECT_EQ(j["total"]["intensity_source"], "world average");
  EXPECT_DOUBLE_EQ(j["prediction"]["energy_kwh"].get<double>(), 1.0);
  EXPECT_TRUE(j["paper_prediction"].is_null());
  EXPECT_EQ(j["prediction_history"].size(), 2U);
  EXPECT_EQ(j["budget_events"][0]["outcome"], "warned");
  EXPECT_EQ(j["components"]["cpu"]["present"], true);
  EXPECT_EQ(j["components"]["cpu"]["methods"], json::array({"simulated"}));
  EXPECT_EQ(j["components"]["gpu"]["present"], false);
  EXPECT_EQ(j["command"], json::array({"python3", "train.py"}));
  EXPECT_EQ(j["planned_epochs"], 10);
  EXPECT_DOUBLE_EQ(j["setup"]["duration_s"].get<double>(), 0.5);
  EXPECT_TRUE(j["wrap_up"].is_null());
  EXPECT_EQ(j["warnings"].size(), 2U);
}

TEST(ResultsJson, BudgetEventIsOneCompactObject) {
  const std::string text = budget_event_json_text(BudgetEvent{BudgetLimit::max_energy_kwh, BudgetBasis::actual, 1, 2, BudgetAction::stop, BudgetOutcome::stopped, "m"});
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(json::parse(text)["action"], "stop");
}

}  // namespace
}  // namespace carbontracker::outputs
