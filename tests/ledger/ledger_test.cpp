// The ledger on its own (src/ledger/ledger.hpp): pure arithmetic over two sampler marks, checked
// against its header's promises with hand-made marks and channels (no sensors, no threads):
// per-device sums, measured vs estimated, devices_by_pid exclusion, PUE, epochs that add up to
// their whole, channels missing from a mark, cumulative values past any hardware counter's wrap,
// and the honesty notes. CO2eq is the next step's (tests/emissions).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace carbontracker {
namespace {

using ledger::Window;
using std::chrono::seconds;

ChannelInfo channel(std::string name, Component c, Method m, double resolution_s = 0) {
  ChannelInfo ch;
  ch.id = "test:" + name;
  ch.name = std::move(name);
  ch.component = c;
  ch.method = m;
  ch.resolution_s = resolution_s;
  return ch;
}

// A mark at `t_s` with the channels' cumulative energies (J) and a listener's tallies (here as if
// grams were 1/10 of the joules, which the ledger must ignore); health all clean.
Sampler::Mark mark(double t_s, std::vector<double> energy_j) {
  Sampler::Mark m;
  m.t = from_seconds(t_s);
  const std::size_t n = energy_j.size();
  m.energy_j = std::move(energy_j);
  for (const double e : m.energy_j) m.listener_tally.push_back(e / 10);
  m.unmeasured_s.assign(n, 0.0);
  m.state.assign(n, ChannelState::ok);
  m.failed_reads.assign(n, 0);
  return m;
}

bool has_note(const std::vector<std::string>& notes, const std::string& text) {
  for (const auto& n : notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

// Two sockets, two DRAM zones, two GPUs: a typical multi-device host.
const std::vector<ChannelInfo> kHost{
    channel("package-0", Component::cpu, Method::counter), channel("package-1", Component::cpu, Method::counter),
    channel("dram-0", Component::dram, Method::counter),   channel("dram-1", Component::dram, Method::estimated),
    channel("gpu-0", Component::gpu, Method::power),       channel("gpu-1", Component::gpu, Method::simulated),
};

TEST(Ledger, MultiDeviceComponentsAreSummedPerComponent) {
  const auto from = mark(10, {100, 200, 10, 20, 1000, 2000});
  const auto to = mark(12, {150, 230, 15, 21, 1300, 2500});
  const Totals t = ledger::window_totals(kHost, Window{&from, &to}, {}, 1.0);
  EXPECT_DOUBLE_EQ(t.duration_s, 2.0);
  EXPECT_DOUBLE_EQ(t.device_energy_j.cpu_j, 50.0 + 30.0);  // summed, never averaged
  EXPECT_DOUBLE_EQ(t.device_energy_j.dram_j, 5.0 + 1.0);
  EXPECT_DOUBLE_EQ(t.device_energy_j.gpu_j, 300.0 + 500.0);
  EXPECT_DOUBLE_EQ(t.device_energy_j.psys_j, 0.0);
  EXPECT_DOUBLE_EQ(t.device_energy_j.total_j(), 886.0);
}

TEST(Ledger, CountersAndSampledPowerAreMeasuredEstimatesAndSimulationsAreNot) {
  const auto from = mark(0, {0, 0, 0, 0, 0, 0});
  const auto to = mark(1, {1, 2, 4, 8, 16, 32});
  const Totals t = ledger::window_totals(kHost, Window{&from, &to}, {}, 1.0);
  EXPECT_DOUBLE_EQ(t.measured_j, 1 + 2 + 4 + 16);  // counter, counter, counter, power
  EXPECT_DOUBLE_EQ(t.estimated_j, 8 + 32);         // estimated, simulated
  EXPECT_DOUBLE_EQ(t.measured_j + t.estimated_j, t.device_energy_j.total_j());
}

TEST(Ledger, FacilityEnergyIsDeviceEnergyTimesPueAndCo2eqIsLeftToTheNextStep) {
  const std::vector<ChannelInfo> ch{channel("package-0", Component::cpu, Method::counter),
                                    channel("gpu-0", Component::gpu, Method::counter)};
  const auto from = mark(0, {1000, 5000});
  const auto to = mark(60, {4600, 12200});
  const double pue = 1.58;
  const Totals t = ledger::window_totals(ch, Window{&from, &to}, {}, pue);
  EXPECT_DOUBLE_EQ(t.device_energy_j.total_j(), 3600.0 + 7200.0);
  EXPECT_DOUBLE_EQ(t.facility_energy_j, 10800.0 * pue);
  EXPECT_DOUBLE_EQ(t.co2eq_g, 0.0);  // emissions::window_totals adds it (the marks' tallies)
  const EpochRecord e = ledger::make_epoch(1, true, ch, Window{&from, &to}, {}, pue, 0, {}, {});
  EXPECT_DOUBLE_EQ(e.totals.co2eq_g, 0.0);
  EXPECT_DOUBLE_EQ(e.intensity_g_per_kwh, 0.0);
}

TEST(Ledger, ChannelCountsUnlessDevicesByPidFoundItUnused) {
  const std::vector<std::optional<bool>> in_use{true, false, std::nullopt};
  EXPECT_TRUE(ledger::channel_counts(in_use, 0));
  EXPECT_FALSE(ledger::channel_counts(in_use, 1));
  EXPECT_TRUE(ledger::channel_counts(in_use, 2));
  EXPECT_TRUE(ledger::channel_counts(in_use, 3));  // past the list's end
  EXPECT_TRUE(ledger::channel_counts({}, 0));
}

TEST(Ledger, ChannelsThatDevicesByPidFoundUnusedCountNowhere) {
  const auto from = mark(0, {0, 0, 0, 0, 0, 0});
  const auto to = mark(1, {10, 10, 10, 10, 100, 100});
  // gpu-1 unused by this process tree; gpu-0 in use; the rest unknown (nullopt: counted).
  const std::vector<std::optional<bool>> in_use{std::nullopt, std::nullopt, std::nullopt, std::nullopt, true, false};
  const Totals t = ledger::window_totals(kHost, Window{&from, &to}, in_use, 1.0);
  EXPECT_DOUBLE_EQ(t.device_energy_j.gpu_j, 100.0);
  EXPECT_DOUBLE_EQ(t.estimated_j, 10.0);  // dram-1 only: the simulated gpu-1 is out
  const EpochRecord e = ledger::make_epoch(1, true, kHost, Window{&from, &to}, in_use, 1.0, 0, {}, {});
  ASSERT_EQ(e.channel_energy_j.size(), 6u);
  EXPECT_DOUBLE_EQ(e.channel_energy_j[4], 100.0);
  EXPECT_DOUBLE_EQ(e.channel_energy_j[5], 0.0);
  // A shorter in_use list: the channels past its end count.
  const Totals short_list = ledger::window_totals(kHost, Window{&from, &to}, {false}, 1.0);
  EXPECT_DOUBLE_EQ(short_list.device_energy_j.cpu_j, 10.0);
  EXPECT_DOUBLE_EQ(short_list.device_energy_j.gpu_j, 200.0);
}

TEST(Ledger, EpochsAddUpToTheWholeRun) {
  const std::vector<Sampler::Mark> marks{
      mark(0, {0, 0, 0, 0, 0, 0}),
      mark(3, {30, 33, 3, 4, 900, 600}),
      mark(7.5, {75, 80, 7, 9, 2100, 1500}),
      mark(8, {80, 84, 7.5, 9.5, 2300, 1600}),
  };
  Totals sum;
  for (std::size_t i = 1; i < marks.size(); ++i) {
    const EpochRecord e = ledger::make_epoch(static_cast<int>(i), true, kHost, Window{&marks[i - 1], &marks[i]}, {},
                                             1.2, to_seconds(marks[i - 1].t), {}, {});
    EXPECT_EQ(e.index, static_cast<int>(i));
    EXPECT_DOUBLE_EQ(e.start_s, to_seconds(marks[i - 1].t));
    sum += e.totals;
  }
  const Totals whole = ledger::window_totals(kHost, Window{&marks.front(), &marks.back()}, {}, 1.2);
  EXPECT_NEAR(sum.duration_s, whole.duration_s, 1e-9);
  EXPECT_NEAR(sum.device_energy_j.cpu_j, whole.device_energy_j.cpu_j, 1e-9);
  EXPECT_NEAR(sum.device_energy_j.dram_j, whole.device_energy_j.dram_j, 1e-9);
  EXPECT_NEAR(sum.device_energy_j.gpu_j, whole.device_energy_j.gpu_j, 1e-9);
  EXPECT_NEAR(sum.measured_j, whole.measured_j, 1e-9);
  EXPECT_NEAR(sum.estimated_j, whole.estimated_j, 1e-9);
  EXPECT_NEAR(sum.facility_energy_j, whole.facility_energy_j, 1e-9);
}

TEST(Ledger, AnEpochRecordCarriesItsWindowAndNotes) {
  const std::vector<ChannelInfo> ch{channel("package-0", Component::cpu, Method::counter, 0.001)};
  const auto from = mark(100, {0});
  const auto to = mark(101, {3.6e6});  // 1 kWh of device energy
  const auto wall_start = std::chrono::system_clock::time_point{seconds{1'700'000'000}};
  const auto wall_end = wall_start + seconds{1};
  const EpochRecord e = ledger::make_epoch(4, false, ch, Window{&from, &to}, {}, 1.5, 42.0, wall_start, wall_end);
  EXPECT_EQ(e.index, 4);
  EXPECT_FALSE(e.complete);
  EXPECT_DOUBLE_EQ(e.start_s, 42.0);
  EXPECT_EQ(e.wall_start, wall_start);
  EXPECT_EQ(e.wall_end, wall_end);
  EXPECT_DOUBLE_EQ(e.totals.facility_energy_j, 3.6e6 * 1.5);
  ASSERT_EQ(e.channel_energy_j.size(), 1u);
  EXPECT_DOUBLE_EQ(e.channel_energy_j[0], 3.6e6);
  EXPECT_TRUE(e.notes.empty());
}

TEST(Ledger, AChannelMissingFromTheMarksIsNotMeasuredRatherThanZero) {
  // Three channels listed, the marks hold only two: the third has no entry in the epoch (an
  // output then says "not measured"), and nothing is read past the marks' ends.
  const std::vector<ChannelInfo> ch{channel("package-0", Component::cpu, Method::counter),
                                    channel("dram-0", Component::dram, Method::counter),
                                    channel("gpu-0", Component::gpu, Method::counter)};
  const auto from = mark(0, {10, 20});
  const auto to = mark(2, {40, 25});
  const EpochRecord e = ledger::make_epoch(1, true, ch, Window{&from, &to}, {}, 1.0, 0, {}, {});
  EXPECT_EQ(e.channel_energy_j.size(), 2u);
  EXPECT_DOUBLE_EQ(e.totals.device_energy_j.cpu_j, 30.0);
  EXPECT_DOUBLE_EQ(e.totals.device_energy_j.dram_j, 5.0);
  // Marks of different lengths (a channel added between them): only the common prefix counts.
  const auto longer = mark(3, {50, 30, 7});
  const Totals t = ledger::window_totals(ch, Window{&from, &longer}, {}, 1.0);
  EXPECT_DOUBLE_EQ(t.device_energy_j.total_j(), 40.0 + 10.0);
}

TEST(Ledger, CumulativeEnergiesPastAnyCounterWrapSubtractExactly) {
  // The sampler unwraps hardware counters into cumulative joules, so the ledger never sees a wrap:
  // a RAPL package counter wraps at 2^32 x 61 uJ (~262 kJ); a 32-bit NVML millijoule counter at
  // ~4.3 MJ. Values far past both (a long run) still give exact window sums.
  const std::vector<ChannelInfo> ch{channel("package-0", Component::cpu, Method::counter),
                                    channel("gpu-0", Component::gpu, Method::counter)};
  const double rapl_wrap_j = 4294967296.0 * 61e-6;
  const auto from = mark(0, {rapl_wrap_j - 10, 4294967.296 - 25});
  const auto to = mark(1, {rapl_wrap_j + 15, 4294967.296 + 50});
  const Totals t = ledger::window_totals(ch, Window{&from, &to}, {}, 1.0);
  EXPECT_NEAR(t.device_energy_j.cpu_j, 25.0, 1e-6);
  EXPECT_NEAR(t.device_energy_j.gpu_j, 75.0, 1e-6);
  EXPECT_GT(t.device_energy_j.cpu_j, 0.0);
  EXPECT_GT(t.device_energy_j.gpu_j, 0.0);
}

TEST(Ledger, AWindowShorterThanAChannelsUpdatePeriodIsBelowResolution) {
  const std::vector<ChannelInfo> ch{channel("gpu-0", Component::gpu, Method::power, 1.0),
                                    channel("dram-0", Component::dram, Method::estimated, 1.0),
                                    channel("package-0", Component::cpu, Method::counter, 0.001)};
  const auto from = mark(0, {0, 0, 0});
  const auto to = mark(0.25, {0, 1, 2});
  const auto notes = ledger::window_notes(ch, Window{&from, &to}, {});
  ASSERT_EQ(notes.size(), 1u) << "only the measured channel slower than the window";
  EXPECT_TRUE(has_note(notes, "gpu-0 (gpu): below resolution")) << notes[0];
  EXPECT_TRUE(has_note(notes, "1.000 s update period")) << notes[0];
  // Excluded by devices_by_pid: nothing said about it.
  EXPECT_TRUE(ledger::window_notes(ch, Window{&from, &to}, {false}).empty());
}

TEST(Ledger, UnmeasuredTimeFailedReadsAndLostDevicesAreNamed) {
  const std::vector<ChannelInfo> ch{channel("package-0", Component::cpu, Method::counter),
                                    channel("gpu-0", Component::gpu, Method::power),
                                    channel("gpu-1", Component::gpu, Method::power)};
  auto from = mark(0, {0, 0, 0});
  auto to = mark(10, {100, 200, 300});
  to.unmeasured_s[0] = 1.5;                  // a counter reset left a gap
  to.failed_reads[1] = 3;                    // reads failed, the device is still there
  to.failed_reads[2] = 2;                    // ... and this one is lost:
  to.state[2] = ChannelState::lost;          // the loss note says it, not the failed-reads one
  const auto notes = ledger::window_notes(ch, Window{&from, &to}, {});
  EXPECT_TRUE(has_note(notes, "package-0 (cpu): 1.500 s not measured (counter reset)"));
  EXPECT_TRUE(has_note(notes, "missing, not zero"));
  EXPECT_TRUE(has_note(notes, "gpu-0 (gpu): 3 read(s) failed in this window"));
  EXPECT_TRUE(has_note(notes, "gpu-1 (gpu) was lost during this window"));
  EXPECT_FALSE(has_note(notes, "gpu-1 (gpu): 2 read(s) failed"));
  EXPECT_EQ(notes.size(), 3u);
  // The counter catch-up remark is for counters only.
  to.failed_reads[0] = 1;
  EXPECT_TRUE(has_note(ledger::window_notes(ch, Window{&from, &to}, {}), "catches up at its next good read"));
  // A device already lost before the window is not announced again.
  from.state[2] = ChannelState::lost;
  EXPECT_FALSE(has_note(ledger::window_notes(ch, Window{&from, &to}, {}), "was lost"));
  // The epoch record carries the same notes.
  const EpochRecord e = ledger::make_epoch(1, true, ch, Window{&from, &to}, {}, 1.0, 0, {}, {});
  EXPECT_EQ(e.notes, ledger::window_notes(ch, Window{&from, &to}, {}));
}

}  // namespace
}  // namespace carbontracker
