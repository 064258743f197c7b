// The tracker's bounded memory of a long run: HeadTail keeps the first and last items, EpochBlocks
// sums the epochs between in a bounded number of equal blocks, and a 5,000-epoch run's snapshot
// and summary stay bounded while its counts and totals stay exact.
#include "tracker/epoch_history.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "carbontracker/tracker.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

TEST(HeadTail, KeepsTheFirstAndTheLastInOrderAndHandsOverTheMiddle) {
  tracker::HeadTail<int> h(3);
  std::vector<int> evicted, kept;
  EXPECT_EQ(h.latest(), nullptr);
  for (int i = 1; i <= 20; ++i) {
    h.push(i, [&](const int& v) { evicted.push_back(v); });
    ASSERT_NE(h.latest(), nullptr);
    EXPECT_EQ(*h.latest(), i);
    h.copy_to(kept);
    if (i <= 6) {
      ASSERT_EQ(kept.size(), static_cast<std::size_t>(i));
      for (int j = 0; j < i; ++j) EXPECT_EQ(kept[static_cast<std::size_t>(j)], j + 1);
    } else {
      EXPECT_EQ(kept, (std::vector<int>{1, 2, 3, i - 2, i - 1, i}));
    }
  }
  EXPECT_EQ(h.count(), 20u);
  std::vector<int> middle;
  for (int i = 4; i <= 17; ++i) middle.push_back(i);
  EXPECT_EQ(evicted, middle);  // each once, in order
}

EpochRecord epoch(int index) {
  EpochRecord e;
  e.index = index;
  e.start_s = 10.0 * index;
  e.wall_start = std::chrono::system_clock::time_point(std::chrono::seconds(10 * index));
  e.wall_end = std::chrono::system_clock::time_point(std::chrono::seconds(10 * index + 9));
  e.totals.duration_s = 9;
  e.totals.device_energy_j.gpu_j = index;
  return e;
}

TEST(EpochBlocks, StayBoundedContiguousAndSumTheirEpochs) {
  tracker::EpochBlocks blocks(8);
  for (int i = 1; i <= 1000; ++i) {
    blocks.add(epoch(i));
    const auto& b = blocks.blocks();
    ASSERT_LE(b.size(), 8u);
    ASSERT_EQ(b.front().first_index, 1);
    ASSERT_EQ(b.back().last_index, i);
    double gpu = 0;
    for (std::size_t k = 0; k < b.size(); ++k) {
      if (k > 0) {
        ASSERT_EQ(b[k].first_index, b[k - 1].last_index + 1);
      }
      if (k + 1 < b.size()) {
        ASSERT_EQ(b[k].last_index - b[k].first_index + 1, blocks.epochs_per_block());
      }
      ASSERT_EQ(b[k].totals.duration_s, 9.0 * (b[k].last_index - b[k].first_index + 1));
      ASSERT_EQ(b[k].start_s, 10.0 * b[k].first_index);
      ASSERT_EQ(b[k].wall_end, epoch(b[k].last_index).wall_end);
      gpu += b[k].totals.device_energy_j.gpu_j;
    }
    ASSERT_EQ(gpu, i * (i + 1) / 2.0);  // integers: exact
  }
  EXPECT_EQ(blocks.epochs_per_block(), 128);  // 1000 epochs in <= 8 blocks
}

Config long_run_config(int epochs) {
  Config c;
  c.epochs = epochs;
  c.update_interval = 3600;  // only the test thread reads the counters
  return c;
}

// A 5,000-epoch run on the fixture machine: the snapshot keeps epochs 1-1000 and 4001-5000 one by
// one and 1001-4000 in blocks; counts and totals are exact; the summary is bounded.
TEST(TrackerLongRun, SnapshotAndSummaryAreBoundedAndCountsExact) {
  testing::TrackerRig rig;
  constexpr int kEpochs = 5000;
  Config c = long_run_config(kEpochs);
  c.summary_json = rig.dir / "summary.json";
  Tracker t(c, rig.env());
  for (int e = 1; e <= kEpochs; ++e) {
    t.epoch_start();
    rig.spend(10.0, 2.0, 100.0 + e % 7, 5.0);  // whole joules: sums below are exact
    t.epoch_end();
    rig.clock.advance(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(t.finished());
  const Snapshot s = t.snapshot();
  EXPECT_EQ(s.epochs_completed, kEpochs);
  ASSERT_EQ(s.epochs.size(), static_cast<std::size_t>(2 * kSnapshotEpochsKept));
  for (int i = 0; i < kSnapshotEpochsKept; ++i) {
    ASSERT_EQ(s.epochs[static_cast<std::size_t>(i)].index, i + 1);
    ASSERT_EQ(s.epochs[static_cast<std::size_t>(kSnapshotEpochsKept + i)].index, kEpochs - kSnapshotEpochsKept + i + 1);
  }
  ASSERT_FALSE(s.epoch_blocks.empty());
  EXPECT_LE(s.epoch_blocks.size(), static_cast<std::size_t>(kSnapshotMaxEpochBlocks));
  EXPECT_EQ(s.epoch_blocks.front().first_index, kSnapshotEpochsKept + 1);
  EXPECT_EQ(s.epoch_blocks.back().last_index, kEpochs - kSnapshotEpochsKept);
  Totals sum;
  int counted = static_cast<int>(s.epochs.size());
  for (const auto& e : s.epochs) sum += e.totals;
  for (std::size_t k = 0; k < s.epoch_blocks.size(); ++k) {
    const auto& b = s.epoch_blocks[k];
    if (k > 0) {
      ASSERT_EQ(b.first_index, s.epoch_blocks[k - 1].last_index + 1);
    }
    counted += b.last_index - b.first_index + 1;
    sum += b.totals;
  }
  EXPECT_EQ(counted, kEpochs);
  // Whole joules and seconds: every partial sum is an exact double, whatever the order.
  EXPECT_EQ(sum.device_energy_j.total_j(), s.epochs_total.device_energy_j.total_j());
  EXPECT_EQ(sum.duration_s, s.epochs_total.duration_s);
  EXPECT_EQ(s.epochs_total.duration_s, 5.0 * kEpochs);
  EXPECT_NEAR(sum.facility_energy_j, s.epochs_total.facility_energy_j, 1e-12 * s.epochs_total.facility_energy_j);
  EXPECT_NEAR(sum.co2eq_g, s.epochs_total.co2eq_g, 1e-12 * s.epochs_total.co2eq_g);

  // One refit per epoch: the first and the last kept, the count exact, the latest last.
  EXPECT_EQ(s.predictions_made, kEpochs);
  ASSERT_EQ(s.prediction_history.size(), static_cast<std::size_t>(2 * kSnapshotForecastsKept));
  EXPECT_EQ(s.prediction_history.front().after_epochs, 1);
  EXPECT_EQ(s.prediction_history[kSnapshotForecastsKept].after_epochs, kEpochs - kSnapshotForecastsKept + 1);
  EXPECT_EQ(s.prediction_history.back().after_epochs, kEpochs);
  ASSERT_TRUE(s.prediction);
  EXPECT_EQ(s.prediction->after_epochs, 1);

  const std::string text = testing::read_text(*c.summary_json);
  EXPECT_LT(text.size(), 3'000'000u);  // 5,000 epochs of 6 channels each; grows no further with more epochs
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["total"]["epochs"], kEpochs);
  EXPECT_EQ(j["epochs"].size(), 2u * kSnapshotEpochsKept);
  EXPECT_EQ(j["epochs_in_blocks"], kEpochs - 2 * kSnapshotEpochsKept);
  EXPECT_EQ(j["epoch_blocks"].size(), s.epoch_blocks.size());
  EXPECT_EQ(j["epoch_blocks"][0]["first_index"], kSnapshotEpochsKept + 1);
  EXPECT_EQ(j["epoch_blocks"][0]["epochs"],
            s.epoch_blocks[0].last_index - s.epoch_blocks[0].first_index + 1);
  EXPECT_DOUBLE_EQ(j["epoch_blocks"][0]["energy_j"]["total"].get<double>(),
                   s.epoch_blocks[0].totals.device_energy_j.total_j());
  EXPECT_EQ(j["predictions_made"], kEpochs);
  EXPECT_EQ(j["prediction_history"].size(), 2u * kSnapshotForecastsKept);
  int from_blocks = 0;
  for (const auto& b : j["epoch_blocks"]) from_blocks += b["epochs"].get<int>();
  EXPECT_EQ(from_blocks + static_cast<int>(j["epochs"].size()), kEpochs);
}

// A run no longer than 2 x kSnapshotEpochsKept keeps every epoch and has no blocks.
TEST(TrackerLongRun, ShortRunKeepsEveryEpoch) {
  testing::TrackerRig rig;
  Tracker t(long_run_config(2 * kSnapshotEpochsKept), rig.env());
  for (int e = 1; e <= 2 * kSnapshotEpochsKept; ++e) {
    t.epoch_start();
    rig.spend(1.0, 1.0, 1.0, 1.0);
    t.epoch_end();
  }
  const Snapshot s = t.snapshot();
  ASSERT_EQ(s.epochs.size(), static_cast<std::size_t>(2 * kSnapshotEpochsKept));
  for (std::size_t i = 0; i < s.epochs.size(); ++i) ASSERT_EQ(s.epochs[i].index, static_cast<int>(i + 1));
  EXPECT_TRUE(s.epoch_blocks.empty());
  EXPECT_EQ(s.epochs_completed, 2 * kSnapshotEpochsKept);
  EXPECT_EQ(s.predictions_made, 2 * kSnapshotEpochsKept);
  EXPECT_EQ(s.prediction_history.size(), static_cast<std::size_t>(2 * kSnapshotEpochsKept));
}

}  // namespace
}  // namespace carbontracker
