#include <gtest/gtest.h>

#include "carbontracker/tracker.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

// 10 epochs of 2 x 180 J GPU energy (0.0001 kWh per epoch): the prediction after epoch 1 is
// 0.001 kWh for the run, over a 0.0005 kWh budget (PUE 1: device energy).
Config budget_config(BudgetAction action) {
  Config c;
  c.pue = kPueDeviceOnly;
  c.epochs = 10;
  c.update_interval = 3600;
  c.budget.max_energy_kwh = 0.0005;
  c.budget.action = action;
  return c;
}

void one_epoch(Tracker& t, TrackerRig& rig) {
  t.epoch_start();
  rig.spend(0, 0, 180, 1);
  t.epoch_end();
}

TEST(TrackerBudget, WarnKeepsTrainingAndSaysSo) {
  TrackerRig rig;
  Tracker t(budget_config(BudgetAction::warn), rig.env());
  for (int e = 0; e < 10; ++e) one_epoch(t, rig);
  const auto s = t.snapshot();
  ASSERT_GE(s.budget_events.size(), 2u);  // first the prediction, later the actual use
  EXPECT_EQ(s.budget_events[0].basis, BudgetBasis::predicted);
  EXPECT_EQ(s.budget_events[0].limit, BudgetLimit::max_energy_kwh);
  EXPECT_EQ(s.budget_events[0].outcome, BudgetOutcome::warned);
  EXPECT_EQ(s.budget_events[1].basis, BudgetBasis::actual);
  EXPECT_FALSE(s.stopped_by_budget);
  EXPECT_EQ(s.epochs.size(), 10u);
  EXPECT_NE(rig.console.str().find("WARNING - Budget: predicted energy for 10 epochs"), std::string::npos)
      << rig.console.str();
}

TEST(TrackerBudget, StopThrowsAfterWritingTheFinalReport) {
  TrackerRig rig;
  Tracker t(budget_config(BudgetAction::stop), rig.env());
  t.epoch_start();
  rig.spend(0, 0, 180, 1);
  try {
    t.epoch_end();
    FAIL() << "expected BudgetExceeded";
  } catch (const BudgetExceeded& e) {
    EXPECT_EQ(e.event().limit, BudgetLimit::max_energy_kwh);
    EXPECT_EQ(e.event().basis, BudgetBasis::predicted);
    EXPECT_NE(std::string(e.what()).find("over the budget max_energy_kwh"), std::string::npos) << e.what();
  }
  const auto s = t.snapshot();
  EXPECT_TRUE(s.stopped_by_budget);
  EXPECT_TRUE(s.finished);
  EXPECT_NE(rig.console.str().find("Actual consumption for 1 epoch(s):"), std::string::npos);
  EXPECT_NO_THROW(t.stop());
}

TEST(TrackerBudget, AskContinuesOnYes) {
  TrackerRig rig("maybe\ny\n");
  Tracker t(budget_config(BudgetAction::ask), rig.env());
  one_epoch(t, rig);
  const auto s = t.snapshot();
  ASSERT_EQ(s.budget_events.size(), 1u);
  EXPECT_EQ(s.budget_events[0].outcome, BudgetOutcome::continued);
  const std::string out = rig.console.str();
  EXPECT_NE(out.find("Continue training (y/n)?"), std::string::npos);
  EXPECT_NE(out.find("Input not recognized. Try again (y/n):"), std::string::npos);
  EXPECT_NE(out.find("Continuing..."), std::string::npos);
}

TEST(TrackerBudget, AskStopsOnNo) {
  TrackerRig rig("n\n");
  Tracker t(budget_config(BudgetAction::ask), rig.env());
  t.epoch_start();
  rig.spend(0, 0, 180, 1);
  EXPECT_THROW(t.epoch_end(), BudgetExceeded);
  EXPECT_TRUE(t.snapshot().stopped_by_budget);
}

TEST(TrackerBudget, DurationLimitActsOnActualTimeToo) {
  TrackerRig rig;
  Config c = budget_config(BudgetAction::warn);
  c.budget.max_energy_kwh.reset();
  c.budget.max_duration_s = 10;
  c.epochs = 3;
  Tracker t(c, rig.env());
  one_epoch(t, rig);  // predicted 3 s: fine
  rig.clock.advance(std::chrono::seconds(20));  // a long stall inside the next epoch
  t.check_budget_now();  // 21 s so far
  const auto s = t.snapshot();
  ASSERT_EQ(s.budget_events.size(), 1u);
  EXPECT_EQ(s.budget_events[0].basis, BudgetBasis::actual);
  EXPECT_EQ(s.budget_events[0].limit, BudgetLimit::max_duration_s);
}

TEST(TrackerBudget, StopAndConfirmNoStopsTraining) {
  TrackerRig rig("no\n");
  Config c;
  c.epochs = 3;
  c.update_interval = 3600;
  c.stop_and_confirm = true;
  Tracker t(c, rig.env());
  t.epoch_start();
  rig.spend(1, 1, 1, 1);
  EXPECT_THROW(t.epoch_end(), StopTraining);
  EXPECT_NE(rig.console.str().find("Quitting..."), std::string::npos);
  EXPECT_FALSE(t.snapshot().stopped_by_budget);
}

TEST(TrackerBudget, DeferredDecisionsAreHandedToTheCaller) {
  TrackerRig rig;
  auto env = rig.env();
  env.defer_decisions = true;
  Tracker t(budget_config(BudgetAction::stop), env);
  one_epoch(t, rig);  // no throw in run mode
  auto d = t.take_decision();
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->kind, Decision::Kind::budget_stop);
  EXPECT_FALSE(t.take_decision().has_value());
  EXPECT_TRUE(t.snapshot().stopped_by_budget);
}

}  // namespace
}  // namespace carbontracker
