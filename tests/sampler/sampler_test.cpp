#include "sampler/sampler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "recording_listener.hpp"
#include "scripted_sensor.hpp"
#include "sampler_rig.hpp"
#include "test_support.hpp"
#include "counter_specs.hpp"

namespace carbontracker {
namespace {

using testing::kNvmlSpec;
using testing::kRaplRangeUj;
using testing::kRaplSpec;

using namespace std::chrono_literals;
using testing::counter_channel;
using testing::counter_reading;
using testing::FakeClock;
using testing::power_channel;
using testing::power_reading;
using testing::ScriptedSensor;

using Rig = testing::SamplerRig;

TEST(Sampler, CounterEnergyIsExactAcrossAWrap) {
  Rig rig({counter_channel("powercap:intel-rapl:0", kRaplSpec, 1e-6)});
  rig.sensor->push({counter_reading(0, kRaplRangeUj - 2'000'000)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();  // sampler thread not needed: drive ticks by hand
  rig.step(1s, {counter_reading(0, kRaplRangeUj - 1'000'000)});
  rig.step(1s, {counter_reading(0, 500'000)});  // wrapped
  auto snap = rig.sampler->snapshot();
  // 1 J, then 1'000'000 uJ to the top + 61 uJ step + 500'000 uJ.
  EXPECT_DOUBLE_EQ(snap.channels[0].energy_j, 1.0 + (1'000'000 + 61 + 500'000) * 1e-6);
  EXPECT_EQ(snap.channels[0].health.wraps, 1u);
  EXPECT_EQ(snap.channels[0].health.state, ChannelState::ok);
}

TEST(Sampler, CounterResetIsFlaggedAndNotInvented) {
  Rig rig({counter_channel("nvml:GPU-a", kNvmlSpec, 1e-3, Component::gpu)});
  rig.sensor->push({counter_reading(0, 10'000'000)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(2s, {counter_reading(0, 10'300'000)});  // 300 J
  rig.step(2s, {counter_reading(0, 1'000)});       // driver reload: unknown interval
  rig.step(2s, {counter_reading(0, 201'000)});     // 200 J
  auto snap = rig.sampler->snapshot();
  const auto& c = snap.channels[0];
  EXPECT_DOUBLE_EQ(c.energy_j, 500.0);
  EXPECT_EQ(c.health.resets, 1u);
  EXPECT_DOUBLE_EQ(c.health.unmeasured_s, 2.0);
  EXPECT_EQ(c.health.state, ChannelState::degraded);
  ASSERT_EQ(snap.events.size(), 1u);
  EXPECT_NE(snap.events[0].message.find("counter went back"), std::string::npos);
}

TEST(Sampler, LostChannelEndsAndTheOthersContinue) {
  Rig rig({counter_channel("nvml:GPU-a", kNvmlSpec, 1e-3, Component::gpu),
           counter_channel("nvml:GPU-b", kNvmlSpec, 1e-3, Component::gpu)});
  rig.sensor->push({counter_reading(0, 0), counter_reading(1, 0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {counter_reading(0, 100'000), counter_reading(1, 100'000)});
  rig.step(1s, {counter_reading(0, 0, ReadingState::lost), counter_reading(1, 200'000)});
  rig.step(1s, {counter_reading(0, 999'999'999), counter_reading(1, 300'000)});  // ignored after lost
  auto snap = rig.sampler->snapshot();
  EXPECT_EQ(snap.channels[0].health.state, ChannelState::lost);
  EXPECT_DOUBLE_EQ(snap.channels[0].energy_j, 100.0);
  EXPECT_FALSE(snap.channels[0].power_known);
  EXPECT_EQ(snap.channels[1].health.state, ChannelState::ok);
  EXPECT_DOUBLE_EQ(snap.channels[1].energy_j, 300.0);
  ASSERT_FALSE(snap.events.empty());
  EXPECT_NE(snap.events[0].message.find("is gone"), std::string::npos);
}

TEST(Sampler, PowerIsIntegratedWithTheTrapezoidRule) {
  Rig rig({power_channel("nvml:GPU-p")});
  rig.sensor->push({power_reading(0, 100.0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {power_reading(0, 200.0)});    // 150 J
  rig.step(500ms, {power_reading(0, 200.0)});  // 100 J
  auto snap = rig.sampler->snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[0].energy_j, 250.0);
  EXPECT_DOUBLE_EQ(snap.channels[0].power_w, 200.0);
}

TEST(Sampler, AnEstimateCoversTheIntervalSinceThePreviousRead) {
  Rig rig({power_channel("tdp-estimate:cpu", Method::estimated, Component::cpu)});
  rig.sensor->push({power_reading(0, 10.0)});  // idle before the run
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(2s, {power_reading(0, 100.0)});  // the load average of those 2 s: 200 J, not 110 J
  rig.step(1s, {power_reading(0, 40.0)});
  EXPECT_DOUBLE_EQ(rig.sampler->snapshot().channels[0].energy_j, 240.0);
}

// The sampler knows nothing of carbon: an energy listener (in the tracker, the emissions meter)
// hears every increment it counts, on every path: a counter's delta (across a wrap), a resetting
// counter's reset (not counted, so not heard), the trapezoid of sampled power, the rectangle of
// an estimate. The mark carries the listener's tally beside the energy it covers.
TEST(Sampler, TheEnergyListenerHearsEveryCountedIncrement) {
  testing::RecordingListener listener;
  SamplerOptions opts;
  opts.energy_listener = &listener;
  Rig rig({counter_channel("rapl", kRaplSpec, 1e-6), counter_channel("nvml", kNvmlSpec, 1e-3, Component::gpu),
           power_channel("gpu-p"), power_channel("tdp", Method::estimated, Component::cpu)},
          opts);
  ASSERT_EQ(listener.heard_j.size(), 4u);  // sized by the sampler's constructor, before any read
  rig.sensor->push({counter_reading(0, kRaplRangeUj - 2'000'000), counter_reading(1, 10'000'000), power_reading(2, 100.0),
                    power_reading(3, 10.0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {counter_reading(0, kRaplRangeUj - 1'000'000), counter_reading(1, 10'300'000), power_reading(2, 200.0),
                power_reading(3, 100.0)});
  rig.step(1s, {counter_reading(0, 500'000), counter_reading(1, 1'000), power_reading(2, 200.0),  // wrap; reset
                power_reading(3, 40.0)});
  rig.step(500ms, {counter_reading(0, 1'500'000), counter_reading(1, 201'000), power_reading(2, 100.0),
                   power_reading(3, 40.0)});
  const auto m = rig.sampler->mark();
  EXPECT_DOUBLE_EQ(m.energy_j[0], 1.0 + (1'000'000 + 61 + 500'000) * 1e-6 + 1.0);
  EXPECT_DOUBLE_EQ(m.energy_j[1], 300.0 + 200.0);  // the reset's interval is unmeasured
  EXPECT_DOUBLE_EQ(m.energy_j[2], 150.0 + 200.0 + 75.0);
  EXPECT_DOUBLE_EQ(m.energy_j[3], 100.0 + 40.0 + 20.0);
  ASSERT_EQ(m.listener_tally.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    // A counter's energy is its exact integer count x the unit; the increments add up to it
    // up to rounding. Power channels add the same terms in the same order: exactly equal.
    EXPECT_NEAR(listener.heard_j[i], m.energy_j[i], 1e-9 * m.energy_j[i]) << "channel " << i;
    EXPECT_EQ(m.listener_tally[i], listener.heard_j[i]) << "channel " << i;
  }
  EXPECT_EQ(listener.heard_j[2], m.energy_j[2]);
  EXPECT_EQ(listener.heard_j[3], m.energy_j[3]);
  EXPECT_EQ(listener.out_of_range, 0);
  // One call per counted read: stop()'s final read, 3 ticks and the mark for the counters (a 0 J
  // delta is an increment too), less the reset that was not counted; the 3 ticks for power
  // (stop() and the mark add no time, so no interval).
  EXPECT_EQ(listener.calls, (std::vector<std::uint64_t>{5, 4, 3, 3}));
}

TEST(Sampler, WithoutAListenerTheMarksTallyIsZero) {
  Rig rig({counter_channel("c", kRaplSpec, 1e-6), power_channel("p")});
  rig.sensor->push({counter_reading(0, 0), power_reading(1, 100.0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {counter_reading(0, 5'000'000), power_reading(1, 100.0)});
  const auto m = rig.sampler->mark();
  EXPECT_DOUBLE_EQ(m.energy_j[0], 5.0);
  EXPECT_EQ(m.listener_tally, (std::vector<double>{0.0, 0.0}));
}

TEST(Sampler, FailedReadIsCaughtUpByTheCounter) {
  Rig rig({counter_channel("c", kRaplSpec, 1e-6)});
  rig.sensor->push({counter_reading(0, 0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {counter_reading(0, 0, ReadingState::failed)});
  rig.step(1s, {counter_reading(0, 3'000'000)});
  auto snap = rig.sampler->snapshot();
  EXPECT_DOUBLE_EQ(snap.channels[0].energy_j, 3.0);
  EXPECT_EQ(snap.channels[0].health.failed_reads, 1u);
  EXPECT_EQ(snap.channels[0].health.state, ChannelState::degraded);
}

TEST(Sampler, MissingReadingCountsAsAFailedRead) {
  Rig rig({counter_channel("a", kRaplSpec, 1e-6), counter_channel("b", kRaplSpec, 1e-6)});
  rig.sensor->push({counter_reading(0, 0), counter_reading(1, 0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {counter_reading(1, 5)});
  auto snap = rig.sampler->snapshot();
  EXPECT_EQ(snap.channels[0].health.failed_reads, 1u);
  EXPECT_EQ(snap.channels[1].health.failed_reads, 0u);
}

TEST(Sampler, MarksGiveExactWindowEnergy) {
  Rig rig({counter_channel("c", kRaplSpec, 1e-6)});
  rig.sensor->push({counter_reading(0, 1'000'000)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.sensor->push({counter_reading(0, 4'000'000)});
  rig.clock.advance(3s);
  auto m = rig.sampler->mark();
  rig.step(1s, {counter_reading(0, 9'000'000)});
  rig.sensor->push({counter_reading(0, 11'500'000)});
  rig.clock.advance(1s);
  auto e = rig.sampler->energy_since(m);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_DOUBLE_EQ(e[0], 7.5);
}

TEST(Sampler, TimelineStaysBoundedAndKeepsTotalsExact) {
  SamplerOptions opts;
  opts.timeline_capacity = 64;
  Rig rig({counter_channel("c", kRaplSpec, 1e-6)}, opts);
  rig.sensor->push({counter_reading(0, 0)});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  std::uint64_t v = 0;
  for (int i = 0; i < 100'000; ++i) {
    v = (v + 50'000'000) % (kRaplRangeUj + 61);  // 50 J per second, wrapping now and then
    rig.step(1s, {counter_reading(0, v)});
  }
  auto tl = rig.sampler->timeline();
  EXPECT_LE(tl.size(), 64u);
  EXPECT_GE(tl.size(), 32u);
  const auto snap = rig.sampler->snapshot();
  EXPECT_NEAR(snap.channels[0].energy_j, 100'000 * 50.0, 1e-6);
  // Downsampled intervals still give the right mean power.
  for (std::size_t i = 1; i < tl.size(); ++i) EXPECT_NEAR(tl.power_w(i, 0), 50.0, 1e-6);
}

TEST(Sampler, DevicesInUseAreSticky) {
  Rig rig({counter_channel("g0", kNvmlSpec, 1e-3, Component::gpu), counter_channel("g1", kNvmlSpec, 1e-3, Component::gpu)});
  rig.sensor->push({counter_reading(0, 0), counter_reading(1, 0)});
  rig.sensor->set_in_use(std::vector<bool>{false, true});
  ASSERT_TRUE(rig.sampler->start().is_ok());
  rig.sampler->stop();
  rig.step(1s, {counter_reading(0, 1), counter_reading(1, 1)});
  rig.sensor->set_in_use(std::vector<bool>{false, false});
  rig.step(20s, {counter_reading(0, 2), counter_reading(1, 2)});
  auto snap = rig.sampler->snapshot();
  EXPECT_EQ(snap.channels[0].in_use, std::optional<bool>(false));
  EXPECT_EQ(snap.channels[1].in_use, std::optional<bool>(true));
}

// A sampler whose thread runs on a FakeClock, over one scripted sensor with or without slow work.
struct ThreadedRig {
  FakeClock clock;
  ScriptedSensor* sensor = nullptr;
  std::unique_ptr<Sampler> sampler;
  ThreadedRig(std::vector<ChannelInfo> channels, SamplerOptions opts, bool slow_work = false) {
    auto s = std::make_unique<ScriptedSensor>(std::move(channels));
    sensor = s.get();
    s->set_slow_work(slow_work);
    std::vector<std::unique_ptr<Sensor>> v;
    v.push_back(std::move(s));
    sampler = std::make_unique<Sampler>(std::move(v), clock, std::move(opts));
  }
};

TEST(Sampler, ReadPeriodsFollowWhatEachChannelNeeds) {
  // Sampled power: the user's interval.
  EXPECT_EQ(read_period_s(power_channel("p"), 2.0, 60.0), 2.0);
  EXPECT_EQ(read_period_s(power_channel("s", Method::simulated), 0.5, 60.0), 0.5);
  // Exact between any two reads: the cap.
  EXPECT_EQ(read_period_s(counter_channel("g", kNvmlSpec, 1e-3, Component::gpu), 1.0, 60.0), 60.0);
  EXPECT_EQ(read_period_s(power_channel("e", Method::estimated, Component::cpu), 1.0, 60.0), 60.0);
  // RAPL's 262 kJ range at the 1000 W default bound of a CPU package lasts 262 s: the cap.
  EXPECT_EQ(read_period_s(counter_channel("r", kRaplSpec, 1e-6), 1.0, 60.0), 60.0);
  // A small range: 100 J at 1000 W lasts 0.1 s, so it is read every 0.05 s.
  ChannelInfo small = counter_channel("small", {CounterKind::wrapping, 99'999, 1}, 1e-3);
  EXPECT_NEAR(read_period_s(small, 1.0, 60.0), 0.05, 1e-12);
  // Its own bound counts: 10 W lasts 10 s, read every 5 s.
  small.max_power_w = 10;
  EXPECT_NEAR(read_period_s(small, 1.0, 60.0), 5.0, 1e-12);
  // Never below 1 ms.
  small.max_power_w = 1e12;
  EXPECT_EQ(read_period_s(small, 1.0, 60.0), 0.001);
}

TEST(Sampler, TheThreadSleepsAsLongAsTheChannelsAllow) {
  auto period = [](std::vector<ChannelInfo> ch, SamplerOptions o, bool slow = false) {
    return ThreadedRig(std::move(ch), std::move(o), slow).sampler->wake_period_s();
  };
  SamplerOptions o;
  EXPECT_EQ(period({counter_channel("c", kRaplSpec, 1e-6), counter_channel("g", kNvmlSpec, 1e-3)}, o), 60.0);
  EXPECT_EQ(period({counter_channel("c", kRaplSpec, 1e-6), power_channel("p")}, o), 1.0);
  EXPECT_EQ(period({counter_channel("c", kRaplSpec, 1e-6)}, o, true), 60.0);  // slow work has its own deadline
  o.sample_every_s = 5;
  EXPECT_EQ(period({counter_channel("c", kRaplSpec, 1e-6)}, o), 5.0);
}

// Counters read at epoch boundaries need no read in between: with marks more often than the
// wrap-safe period, the thread reads nothing; when they stop, it reads once a period.
TEST(Sampler, CountersAreReadByMarksAndOtherwiseOncePerPeriod) {
  SamplerOptions opts;
  std::mutex points_mutex;  // on_point runs on the sampler thread; the test reads on its own
  std::vector<std::thread::id> point_threads;
  opts.on_point = [&](double, std::span<const double>) {
    std::lock_guard lock(points_mutex);
    point_threads.push_back(std::this_thread::get_id());
  };
  auto points_heard = [&] {
    std::lock_guard lock(points_mutex);
    return point_threads;
  };
  ThreadedRig rig(std::vector<ChannelInfo>{counter_channel("c", kRaplSpec, 1e-6)}, opts, false);
  auto& clock = rig.clock;
  auto* sensor = rig.sensor;
  Sampler& sampler = *rig.sampler;
  sensor->push({counter_reading(0, 0)});
  ASSERT_EQ(sampler.wake_period_s(), 60.0);
  ASSERT_TRUE(sampler.start().is_ok());
  const int reads_at_start = sensor->reads();
  std::uint64_t counter = 0;
  for (int i = 1; i <= 30; ++i) {  // 5 minutes of 10 s epochs
    ASSERT_TRUE(clock.wait_for_waiters(1));
    clock.advance(10s);
    counter += 10'000'000;  // 1 W
    sensor->push({counter_reading(0, counter)});
    (void)sampler.mark();
  }
  ASSERT_TRUE(clock.wait_for_waiters(1));
  EXPECT_EQ(sensor->reads(), reads_at_start + 30);  // the marks' reads only
  // The marks' points reached on_point on the sampler thread, not on the marking one.
  for (int spin = 0; spin < 5000 && points_heard().size() < 20; ++spin) std::this_thread::sleep_for(1ms);
  const auto heard = points_heard();
  EXPECT_GE(heard.size(), 20u);
  for (const auto& id : heard) EXPECT_NE(id, std::this_thread::get_id());
  // No marks any more: one read per 60 s.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(clock.wait_for_waiters(1));
    clock.advance(60s);
    for (int spin = 0; spin < 5000 && sensor->reads() < reads_at_start + 31 + i; ++spin) {
      std::this_thread::sleep_for(1ms);
    }
  }
  ASSERT_TRUE(clock.wait_for_waiters(1));
  EXPECT_EQ(sensor->reads(), reads_at_start + 33);
  sampler.stop();
  EXPECT_NEAR(sampler.snapshot().channels[0].energy_j, 300.0, 1e-9);
  auto tl = sampler.timeline();
  EXPECT_EQ(tl.size(), 1u + 30u + 3u);  // t = 0, the marks, the periodic reads (the last = stop())
  for (std::size_t i = 1; i < 31; ++i) EXPECT_NEAR(tl.power_w(i, 0), 1.0, 1e-9);
}

// A short interval and frequent marks between two wake-ups: more points than can wait. The
// newest replaces the last waiting one, so the spill still ends at the newest point.
TEST(Sampler, PendingPointsKeepTheNewestWhenFull) {
  SamplerOptions opts;
  opts.interval_s = 0.01;
  std::vector<double> heard;
  opts.on_point = [&](double t_s, std::span<const double>) { heard.push_back(t_s); };
  ThreadedRig rig(std::vector<ChannelInfo>{counter_channel("g", kNvmlSpec, 1e-3)}, opts, false);
  auto& clock = rig.clock;
  auto* sensor = rig.sensor;
  Sampler& sampler = *rig.sampler;
  sensor->push({counter_reading(0, 0)});
  ASSERT_TRUE(sampler.start().is_ok());
  ASSERT_TRUE(clock.wait_for_waiters(1));
  for (int i = 1; i <= 1000; ++i) {  // 20 s of 20 ms epochs: no read is due on the thread
    clock.advance(20ms);
    sensor->push({counter_reading(0, static_cast<std::uint64_t>(i) * 1000)});
    (void)sampler.mark();
  }
  sampler.stop();
  ASSERT_FALSE(heard.empty());
  EXPECT_LE(heard.size(), 256u);
  EXPECT_NEAR(heard.back(), 20.0, 1e-9);
  EXPECT_TRUE(std::is_sorted(heard.begin(), heard.end()));
}

TEST(Sampler, SampledPowerKeepsTheIntervalCadence) {
  SamplerOptions opts;
  opts.interval_s = 2;
  ThreadedRig rig(std::vector<ChannelInfo>{power_channel("p")}, opts, false);
  auto& clock = rig.clock;
  auto* sensor = rig.sensor;
  Sampler& sampler = *rig.sampler;
  sensor->push({power_reading(0, 100)});
  ASSERT_TRUE(sampler.start().is_ok());
  const int reads_at_start = sensor->reads();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(clock.wait_for_waiters(1));
    clock.advance(2s);
    for (int spin = 0; spin < 5000 && sensor->reads() < reads_at_start + i; ++spin) std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(clock.wait_for_waiters(1));
  EXPECT_EQ(sensor->reads(), reads_at_start + 5);
  sampler.stop();
  EXPECT_NEAR(sampler.snapshot().channels[0].energy_j, 1000.0, 1e-9);
}

// A live view reads when it asks: refresh() reads now and hands the new point to on_point on the
// caller's thread.
TEST(Sampler, RefreshReadsNowAndSpillsOnTheCallersThread) {
  SamplerOptions opts;
  std::vector<std::pair<double, std::thread::id>> points;
  opts.on_point = [&](double t_s, std::span<const double>) { points.emplace_back(t_s, std::this_thread::get_id()); };
  ThreadedRig rig(std::vector<ChannelInfo>{counter_channel("c", kNvmlSpec, 1e-3)}, opts, false);
  auto& clock = rig.clock;
  auto* sensor = rig.sensor;
  Sampler& sampler = *rig.sampler;
  sensor->push({counter_reading(0, 0)});
  sampler.refresh();  // not started: nothing
  EXPECT_EQ(sensor->reads(), 0);
  ASSERT_TRUE(sampler.start().is_ok());
  ASSERT_TRUE(clock.wait_for_waiters(1));
  clock.advance(5s);  // not a read period yet: the thread stays asleep
  sensor->push({counter_reading(0, 5000)});
  const int before = sensor->reads();
  sampler.refresh();
  EXPECT_EQ(sensor->reads(), before + 1);
  ASSERT_EQ(points.size(), 2u);  // the start's point and this one
  EXPECT_DOUBLE_EQ(points[0].first, 0.0);
  EXPECT_DOUBLE_EQ(points[1].first, 5.0);
  EXPECT_EQ(points[1].second, std::this_thread::get_id());
  EXPECT_DOUBLE_EQ(sampler.snapshot().channels[0].energy_j, 5.0);
  sampler.stop();
}

TEST(Sampler, SlowWorkRunsOnlyForSensorsThatHaveIt) {
  for (bool slow : {false, true}) {
    SamplerOptions opts;
    opts.slow_tick_s = 10;
    ThreadedRig rig(std::vector<ChannelInfo>{counter_channel("g", kNvmlSpec, 1e-3)}, opts, slow);
    auto& clock = rig.clock;
    auto* sensor = rig.sensor;
    Sampler& sampler = *rig.sampler;
    sensor->push({counter_reading(0, 0)});
    ASSERT_TRUE(sampler.start().is_ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(clock.wait_for_waiters(1));
      clock.advance(10s);
      for (int spin = 0; spin < 2000 && slow && sensor->slow_ticks() < i + 1; ++spin) std::this_thread::sleep_for(1ms);
    }
    ASSERT_TRUE(clock.wait_for_waiters(1));
    sampler.stop();
    if (slow) {
      EXPECT_GE(sensor->slow_ticks(), 3);  // 1 s after the start, then every 10 s
    } else {
      EXPECT_EQ(sensor->slow_ticks(), 0);
    }
  }
}

}  // namespace
}  // namespace carbontracker

namespace carbontracker {
namespace {

// Runs under ThreadSanitizer in CI: marks from the "training" thread while the sampler thread
// ticks on the real clock.
TEST(SamplerThreaded, MarksFromAnotherThreadWhileSampling) {
  auto s = std::make_unique<testing::ScriptedSensor>(
      std::vector<ChannelInfo>{testing::counter_channel("c", {CounterKind::resetting}, 1e-3)});
  auto* sensor = s.get();
  sensor->push({testing::counter_reading(0, 0)});
  std::vector<std::unique_ptr<Sensor>> v;
  v.push_back(std::move(s));
  SamplerOptions opts;
  opts.interval_s = 0.001;
  opts.slow_tick_s = 0.002;
  Sampler sampler(std::move(v), real_clock(), opts);
  ASSERT_TRUE(sampler.start().is_ok());
  double total = 0;
  for (std::uint64_t i = 1; i <= 200; ++i) {
    sensor->push({testing::counter_reading(0, i * 1000)});
    auto m = sampler.mark();
    total = m.energy_j[0];
    (void)sampler.snapshot();
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  sampler.stop();
  EXPECT_DOUBLE_EQ(sampler.snapshot().channels[0].energy_j, 200.0);
  EXPECT_LE(total, 200.0);
  EXPECT_GT(sensor->slow_ticks(), 0);
}

// A mark's listener tally covers exactly the increments its energy covers, while the sampler
// thread counts more of them at the same time: the tally is read under the same sensor lock.
// Sampled power: the listener adds the same terms in the same order as the sampler, so the two
// are equal to the bit, at every mark.
TEST(SamplerThreaded, AMarksListenerTallyMatchesItsEnergyWhileSampling) {
  auto s = std::make_unique<testing::ScriptedSensor>(std::vector<ChannelInfo>{testing::power_channel("p")});
  auto* sensor = s.get();
  sensor->push({testing::power_reading(0, 50.0)});
  std::vector<std::unique_ptr<Sensor>> v;
  v.push_back(std::move(s));
  testing::RecordingListener listener;
  SamplerOptions opts;
  opts.interval_s = 0.001;
  opts.energy_listener = &listener;
  Sampler sampler(std::move(v), real_clock(), opts);
  ASSERT_TRUE(sampler.start().is_ok());
  int mismatches = 0;
  for (int i = 1; i <= 200; ++i) {
    sensor->push({testing::power_reading(0, 40.0 + i % 7)});
    const auto m = sampler.mark();
    if (m.listener_tally[0] != m.energy_j[0]) ++mismatches;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  sampler.stop();
  EXPECT_EQ(mismatches, 0);
  const auto last = sampler.mark();
  EXPECT_GT(last.energy_j[0], 0.0);
  EXPECT_EQ(last.listener_tally[0], last.energy_j[0]);
}

}  // namespace
}  // namespace carbontracker
