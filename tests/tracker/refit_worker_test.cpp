// Refits off the training thread: the worker's result is the one the caller's thread would
// compute, and the tracker applies every refit: at once when the printed prediction or a budget
// needs it, else at the next epoch end (before that epoch's record) or at stop.
#include "tracker/refit_worker.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "carbontracker/tracker.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void expect_same(const Forecast& a, const Forecast& b) {
  EXPECT_TRUE(same(a.energy_j, b.energy_j));
  EXPECT_TRUE(same(a.energy_j_low, b.energy_j_low));
  EXPECT_TRUE(same(a.energy_j_high, b.energy_j_high));
  EXPECT_TRUE(same(a.duration_s, b.duration_s));
  EXPECT_TRUE(same(a.co2eq_g, b.co2eq_g));
  EXPECT_EQ(a.method, b.method);
}

TEST(RefitWorker, GivesWhatTheCallersThreadWouldCompute) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 0.05);
  prediction::ObservedHistory h;
  tracker::RefitWorker worker;
  EXPECT_FALSE(worker.take());  // nothing posted
  for (int k = 1; k <= 400; ++k) {
    const double d = 60 * (1 + noise(rng)), e = 3e5 * (1 + noise(rng));
    h.append({k % 97 == 0 ? std::nan("") : d, e, e * 1e-4});
    prediction::ForecastSettings s;
    s.total_epochs = 500;
    s.future_intensity_g_per_kwh = 250;
    worker.post(h, s);
    EXPECT_TRUE(worker.pending());
    if (k % 3 == 0) continue;  // posting again takes the previous result first
    const auto r = worker.take();
    ASSERT_TRUE(r);
    EXPECT_FALSE(worker.pending());
    expect_same(r->robust, prediction::predict_robust(h, s));
    expect_same(r->paper, prediction::predict_paper(h, s));
  }
}

Config refit_config(int epochs) {
  Config c;
  c.epochs = epochs;
  c.update_interval = 3600;
  return c;
}

std::size_t history_after(Tracker& t, testing::TrackerRig& rig) {
  t.epoch_start();
  rig.spend(10, 2, 100, 10);
  t.epoch_end();
  return t.snapshot().prediction_history.size();
}

TEST(TrackerRefit, LaterRefitsArriveAtTheNextEpochEndAndAllAtStop) {
  testing::TrackerRig rig;
  Config c = refit_config(10);
  c.log_dir = rig.dir / "logs";
  Tracker t(c, rig.env());
  EXPECT_EQ(history_after(t, rig), 1u);  // the printed prediction: at once
  EXPECT_EQ(history_after(t, rig), 1u);  // epoch 2's refit: on the worker
  EXPECT_EQ(history_after(t, rig), 2u);  // applied at epoch 3's end
  t.stop();
  const Snapshot s = t.snapshot();
  EXPECT_EQ(s.prediction_history.size(), 3u);
  EXPECT_EQ(s.predictions_made, 3);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(s.prediction_history[i].after_epochs, static_cast<int>(i) + 1);
  // The event log keeps its order: each epoch's prediction record follows it, before the next epoch.
  std::vector<std::string> types;
  for (const auto& e : std::filesystem::directory_iterator(*c.log_dir)) {
    if (!e.path().string().ends_with("_carbontracker_events.jsonl")) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      if (j["type"] == "epoch") types.push_back("E" + std::to_string(j["epoch"]["index"].get<int>()));
      if (j["type"] == "prediction") types.push_back("P" + std::to_string(j["forecast"]["after_epochs"].get<int>()));
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"E1", "P1", "E2", "P2", "E3", "P3"}));
}

TEST(TrackerRefit, ABudgetGetsEveryRefitAtTheEpochEndThatMadeIt) {
  testing::TrackerRig rig;
  Config c = refit_config(10);
  c.budget.max_energy_kwh = 1e6;
  c.budget.action = BudgetAction::warn;
  Tracker t(c, rig.env());
  for (std::size_t k = 1; k <= 4; ++k) EXPECT_EQ(history_after(t, rig), k);
  t.stop();
}

}  // namespace
}  // namespace carbontracker
