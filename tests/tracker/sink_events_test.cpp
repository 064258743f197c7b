// The tracker's run events as a sink sees them (issue 13): their order over a run, and that a
// sink that throws or is slow cannot break or delay epoch_end. The sinks are added through the
// test-only hook tracker/extra_sinks.hpp, after the tracker's own outputs.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "carbontracker/tracker.hpp"
#include "outputs/sink.hpp"
#include "tracker/extra_sinks.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

// One word per event: "S" started, "E<k>" epoch k ended, "P<k>" prediction after k epochs ("P1!"
// when printed), "B:<basis>" budget decision, "F" finished; notes, warnings and intensity
// changes only with `all`.
std::string word(const outputs::RunEvent& event, bool all) {
  return std::visit(
      [&](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, outputs::RunStarted>) return "S";
        else if constexpr (std::is_same_v<T, outputs::EpochEnded>) return fmt::format("E{}", e.epoch->index);
        else if constexpr (std::is_same_v<T, outputs::PredictionMade>) {
          return fmt::format("P{}{}", e.record.forecast.forecast.after_epochs, e.record.printed ? "!" : "");
        } else if constexpr (std::is_same_v<T, outputs::BudgetDecided>) {
          return std::string("B:") + (e.record.event.basis == BudgetBasis::predicted ? "predicted" : "actual");
        } else if constexpr (std::is_same_v<T, outputs::RunFinished>) return "F";
        else if constexpr (std::is_same_v<T, outputs::RunAbandoned>) return "A";
        else if constexpr (std::is_same_v<T, outputs::Note>) return all ? "note" : "";
        else if constexpr (std::is_same_v<T, outputs::Warning>) return all ? "warning" : "";
        else if constexpr (std::is_same_v<T, outputs::OutputFailed>) return all ? "failed" : "";
        else return all ? "intensity" : "";
      },
      event);
}

// Records the words of what it receives, on whatever thread delivers them.
class RecordingSink : public outputs::Sink {
 public:
  explicit RecordingSink(outputs::Delivery delivery = outputs::Delivery::inline_call) : delivery_(delivery) {}
  std::string name() const override { return "recorder"; }
  outputs::Delivery delivery() const override { return delivery_; }
  void on_event(const outputs::RunEvent& event) override {
    std::string w = word(event, false);
    std::lock_guard lock(mutex_);
    ++calls_;
    if (!w.empty()) words_ += (words_.empty() ? "" : " ") + w;
  }
  std::string words() const {
    std::lock_guard lock(mutex_);
    return words_;
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 protected:
  mutable std::mutex mutex_;

 private:
  outputs::Delivery delivery_;
  std::string words_;
  int calls_ = 0;
};

// 10 epochs of 2 x 180 J GPU energy at PUE 1 against a 0.0005 kWh budget (warn): the prediction
// after epoch 1 (0.001 kWh) crosses it, the actual use later (tracker_budget_test.cpp's run).
Config budget_config() {
  Config c;
  c.pue = kPueDeviceOnly;
  c.epochs = 10;
  c.update_interval = 3600;
  c.budget.max_energy_kwh = 0.0005;
  c.budget.action = BudgetAction::warn;
  return c;
}

std::vector<EpochRecord> run_epochs(Tracker& t, TrackerRig& rig, int n) {
  std::vector<EpochRecord> out;
  for (int e = 0; e < n; ++e) {
    t.epoch_start();
    rig.spend(0, 0, 180, 1);
    out.push_back(t.epoch_end());
  }
  return out;
}

TEST(SinkEvents, ARunEmitsStartedEpochsPredictionsBudgetAndFinishedInOrder) {
  auto rec = std::make_shared<RecordingSink>();
  tracker::ExtraSinksForTesting hook({rec});
  TrackerRig rig;
  Tracker t(budget_config(), rig.env());
  run_epochs(t, rig, 10);  // monitor_epochs = epochs: the 10th epoch_end finishes the run
  EXPECT_TRUE(t.finished());
  // The first prediction (printed) comes with epoch 1 and crosses the budget at once; every
  // epoch refits; the actual use crosses the budget once epoch 6 is over 0.0005 kWh.
  EXPECT_EQ(rec->words(),
            "S E1 P1! B:predicted E2 P2 E3 P3 E4 P4 E5 P5 E6 P6 B:actual E7 P7 E8 P8 E9 P9 E10 P10 F");
}

TEST(SinkEvents, WithoutABudgetThereIsNoBudgetDecisionAndStopFinishes) {
  auto rec = std::make_shared<RecordingSink>();
  tracker::ExtraSinksForTesting hook({rec});
  TrackerRig rig;
  Config c = budget_config();
  c.budget = {};
  Tracker t(c, rig.env());
  run_epochs(t, rig, 2);
  t.stop();
  EXPECT_EQ(rec->words(), "S E1 P1! E2 P2 F");
}

// Throws from every call: the first (RunStarted, in the constructor) switches it off.
class ThrowingSink : public RecordingSink {
 public:
  std::string name() const override { return "thrower"; }
  void on_event(const outputs::RunEvent& event) override {
    RecordingSink::on_event(event);
    throw std::runtime_error("deliberately broken");
  }
  void flush() override { throw std::logic_error("flush broken too"); }
};

TEST(SinkEvents, AThrowingSinkCannotBreakOrChangeEpochEndAndIsReportedOnce) {
  // The same run without and with the thrower (before a recorder: the events still go on).
  std::vector<EpochRecord> plain;
  {
    TrackerRig rig;
    Tracker t(budget_config(), rig.env());
    plain = run_epochs(t, rig, 3);
  }
  auto thrower = std::make_shared<ThrowingSink>();
  auto after = std::make_shared<RecordingSink>();
  tracker::ExtraSinksForTesting hook({thrower, after});
  TrackerRig rig;
  Config c = budget_config();
  c.ignore_errors = false;  // an exception that escaped would reach this test
  Tracker t(c, rig.env());
  std::vector<EpochRecord> got;
  ASSERT_NO_THROW(got = run_epochs(t, rig, 3));
  ASSERT_NO_THROW(t.stop());

  ASSERT_EQ(got.size(), plain.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].index, plain[i].index);
    EXPECT_EQ(got[i].totals.device_energy_j.gpu_j, plain[i].totals.device_energy_j.gpu_j);
    EXPECT_EQ(got[i].totals.facility_energy_j, plain[i].totals.facility_energy_j);
    EXPECT_EQ(got[i].totals.co2eq_g, plain[i].totals.co2eq_g);
    EXPECT_EQ(got[i].totals.duration_s, plain[i].totals.duration_s);
  }
  EXPECT_EQ(thrower->calls(), 1) << "switched off after its first throw";
  EXPECT_EQ(after->words(), "S E1 P1! B:predicted E2 P2 E3 P3 F");

  const auto s = t.snapshot();
  int reports = 0;
  for (const auto& w : s.warnings) reports += w.find("the output 'thrower' failed (deliberately broken)") != std::string::npos;
  EXPECT_EQ(reports, 1) << ::testing::PrintToString(s.warnings);
  const std::string console = rig.console.str();
  const std::string shown = "CarbonTracker: WARNING - the output 'thrower' failed";
  const auto first = console.find(shown);
  ASSERT_NE(first, std::string::npos) << console;
  EXPECT_EQ(console.find(shown, first + 1), std::string::npos) << console;
}

// A deferred sink that blocks in its first call until released: it stands for a slow exporter
// (a network push). While it is blocked, the run goes on.
class BlockedSink : public RecordingSink {
 public:
  BlockedSink() : RecordingSink(outputs::Delivery::deferred) {}
  std::string name() const override { return "blocked"; }
  void on_event(const outputs::RunEvent& event) override {
    {
      std::unique_lock lock(gate_mutex_);
      gate_.wait(lock, [&] { return open_; });
    }
    RecordingSink::on_event(event);
  }
  void open() {
    std::lock_guard lock(gate_mutex_);
    open_ = true;
    gate_.notify_all();
  }

 private:
  std::mutex gate_mutex_;
  std::condition_variable gate_;
  bool open_ = false;
};

TEST(SinkEvents, EpochEndDoesNotWaitForADeferredSinkThatIsBlocked) {
  auto blocked = std::make_shared<BlockedSink>();
  auto inline_rec = std::make_shared<RecordingSink>();
  std::string inline_words;
  {
    tracker::ExtraSinksForTesting hook({blocked, inline_rec});
    TrackerRig rig;
    Config c = budget_config();
    c.budget = {};
    Tracker t(c, rig.env());
    // Were epoch_end to wait for the blocked sink, this would never return.
    const auto got = run_epochs(t, rig, 3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got.back().index, 3);
    EXPECT_EQ(blocked->calls(), 0) << "still blocked in its first event";
    // Epoch 3's refit ran on the worker: its record comes at the next epoch end or at stop.
    EXPECT_EQ(inline_rec->words(), "S E1 P1! E2 P2 E3");
    blocked->open();
    t.stop();
    inline_words = inline_rec->words();
  }  // the tracker's end shuts the list down: the delivery thread drains its queue first
  // Every event, in order, from copies that outlived the tracker's own records.
  EXPECT_EQ(blocked->words(), inline_words);
  EXPECT_EQ(inline_words, "S E1 P1! E2 P2 E3 P3 F");
}

}  // namespace
}  // namespace carbontracker
