// A system clock jump, in process: the tracker rig (fixture powercap + fake NVML) with a clock
// whose wall() jumps by an hour in the middle of an epoch while monotonic() runs on. Durations
// and energies come from the monotonic clock and the counters, so they must not move; only the
// wall-clock labels in the logs do. The real system clock is never touched.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "carbontracker/tracker.hpp"
#include "faults_support.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker::faults {
namespace {

// The rig's FakeClock for monotonic time and waits; its wall time shifted by `offset` once
// jump() is called (as NTP stepping or an admin's `date -s` would).
class JumpingClock final : public Clock {
 public:
  explicit JumpingClock(testing::FakeClock& base) : base_(base) {}
  MonoTime monotonic() const noexcept override { return base_.monotonic(); }
  std::chrono::system_clock::time_point wall() const noexcept override {
    return base_.wall() + std::chrono::seconds(offset_s_.load());
  }
  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override { return base_.wait_until(deadline, stop); }
  void jump(std::chrono::seconds by) { offset_s_ += by.count(); }

 private:
  testing::FakeClock& base_;
  std::atomic<std::int64_t> offset_s_{0};
};

struct JumpResult {
  Snapshot snap;
  std::vector<json> epoch_records;  // the event log's `epoch` objects
  ReadBack logs;
  std::string std_log;
};

// Three 5 s epochs with 0.5 s gaps; the wall clock jumps by `by` in the middle of epoch 2.
JumpResult run_with_jump(std::chrono::seconds by) {
  testing::TrackerRig rig;
  JumpingClock clock(rig.clock);
  Config c;
  c.epochs = 3;
  c.update_interval = 3600;  // only the test thread reads counters: exact figures
  c.log_dir = rig.dir / "logs";
  c.budget.max_duration_s = 600;  // a wall-clock duration would cross it after a forward jump
  c.summary_json = rig.dir / "summary.json";
  TrackerEnvironment env = rig.env();
  env.clock = &clock;
  JumpResult r;
  {
    Tracker t(c, env);
    for (int e = 1; e <= 3; ++e) {
      t.epoch_start();
      rig.spend(10, 1, 100, 2.5);
      if (e == 2) clock.jump(by);
      rig.spend(10, 1, 100, 2.5);
      t.epoch_end();
      rig.clock.advance(std::chrono::milliseconds(500));
    }
    t.stop();
    r.snap = t.snapshot();
  }
  for (const auto& e : std::filesystem::directory_iterator(*c.log_dir)) {
    const auto name = e.path().filename().string();
    if (name.ends_with("_events.jsonl")) {
      for (const auto& line : lines_of(e.path())) {
        const json j = json::parse(line);
        if (j["type"] == "epoch") r.epoch_records.push_back(j["epoch"]);
      }
    }
    if (name.ends_with("_carbontracker.log")) r.std_log = testing::read_text(e.path());
  }
  r.logs = read_back(*c.log_dir);
  return r;
}

void expect_unaffected(const JumpResult& r) {
  ASSERT_EQ(r.snap.epochs.size(), 3u);
  for (const auto& e : r.snap.epochs) {
    EXPECT_DOUBLE_EQ(e.totals.duration_s, 5.0);
    EXPECT_DOUBLE_EQ(e.totals.device_energy_j.cpu_j, 40.0);   // 2 packages x 2 x 10 J
    EXPECT_DOUBLE_EQ(e.totals.device_energy_j.dram_j, 4.0);
    EXPECT_DOUBLE_EQ(e.totals.device_energy_j.gpu_j, 400.0);  // 2 GPUs x 2 x 100 J
  }
  EXPECT_DOUBLE_EQ(r.snap.epochs_total.duration_s, 15.0);
  EXPECT_NEAR(r.snap.whole_run.duration_s, 16.0, 1e-9);  // the run ends with epoch 3
  EXPECT_FALSE(r.snap.stopped_by_budget);
  EXPECT_TRUE(r.snap.budget_events.empty()) << r.snap.budget_events.front().message;
  // The logs read back whole, with the same durations.
  EXPECT_TRUE(r.logs.issues.empty()) << r.logs.issues.front().message;
  ASSERT_TRUE(r.logs.events.has_value());
  EXPECT_TRUE(r.logs.events->finished);
  ASSERT_EQ(r.logs.events->epochs.size(), 3u);
  for (const auto& e : r.logs.events->epochs) EXPECT_DOUBLE_EQ(e.duration_s, 5.0);
  ASSERT_TRUE(r.logs.text.has_value());
  EXPECT_EQ(r.logs.text->epochs.size(), 3u);
  ASSERT_EQ(r.epoch_records.size(), 3u);
  // Monotonic offsets in the event log ignore the jump: epoch k starts at 5.5 (k - 1) s.
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(r.epoch_records[i]["start_s"].get<double>(), 5.5 * static_cast<double>(i));
  }
}

TEST(FaultClockJump, WallClockBackOneHourChangesOnlyTheTimestamps) {
  const JumpResult r = run_with_jump(-std::chrono::hours(1));
  expect_unaffected(r);
  if (HasFatalFailure()) return;
  // Epoch 2's wall-clock end is ~1 h before its start: the labels go back, nothing else does.
  const auto& e2 = r.epoch_records[1];
  EXPECT_LT(e2["end"].get<std::string>(), e2["start"].get<std::string>()) << e2.dump();
  EXPECT_LT(r.epoch_records[2]["start"].get<std::string>(), r.epoch_records[0]["start"].get<std::string>());
}

TEST(FaultClockJump, WallClockForwardOneHourTriggersNoDurationBudget) {
  const JumpResult r = run_with_jump(std::chrono::hours(1));
  expect_unaffected(r);
}

}  // namespace
}  // namespace carbontracker::faults
