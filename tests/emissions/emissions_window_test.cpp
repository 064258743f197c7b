// A window's CO2eq and intensity (src/emissions/emissions.hpp), the step after the ledger, from
// hand-made sampler marks whose listener tallies are the meter's grams: PUE, devices_by_pid
// exclusion, epochs that add up to their whole, the fallback intensity, and the ledger's energy
// figures passed through unchanged.
#include "emissions/emissions.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace carbontracker {
namespace {

using ledger::Window;

ChannelInfo window_channel(std::string name, Component c, Method m) {
  ChannelInfo ch;
  ch.id = "test:" + name;
  ch.name = std::move(name);
  ch.component = c;
  ch.method = m;
  return ch;
}

// A mark at `t_s` with cumulative energies (J) and the meter's cumulative grams; health clean.
Sampler::Mark window_mark(double t_s, std::vector<double> energy_j, std::vector<double> grams) {
  Sampler::Mark m;
  m.t = from_seconds(t_s);
  const std::size_t n = energy_j.size();
  m.energy_j = std::move(energy_j);
  m.listener_tally = std::move(grams);
  m.unmeasured_s.assign(n, 0.0);
  m.state.assign(n, ChannelState::ok);
  m.failed_reads.assign(n, 0);
  return m;
}

// The ledger's energy figures, compared to the bit (the emissions step must not touch them).
void expect_same_energy(const Totals& a, const Totals& b) {
  EXPECT_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.device_energy_j.cpu_j, b.device_energy_j.cpu_j);
  EXPECT_EQ(a.device_energy_j.dram_j, b.device_energy_j.dram_j);
  EXPECT_EQ(a.device_energy_j.gpu_j, b.device_energy_j.gpu_j);
  EXPECT_EQ(a.device_energy_j.psys_j, b.device_energy_j.psys_j);
  EXPECT_EQ(a.measured_j, b.measured_j);
  EXPECT_EQ(a.estimated_j, b.estimated_j);
  EXPECT_EQ(a.facility_energy_j, b.facility_energy_j);
}

const std::vector<ChannelInfo> kWindowHost{
    window_channel("package-0", Component::cpu, Method::counter),
    window_channel("package-1", Component::cpu, Method::counter),
    window_channel("dram-0", Component::dram, Method::counter),
    window_channel("dram-1", Component::dram, Method::estimated),
    window_channel("gpu-0", Component::gpu, Method::power),
    window_channel("gpu-1", Component::gpu, Method::simulated),
};

TEST(EmissionsWindow, Co2eqIsTheTalliesDifferenceTimesPue) {
  const std::vector<ChannelInfo> ch{window_channel("package-0", Component::cpu, Method::counter),
                                    window_channel("gpu-0", Component::gpu, Method::counter)};
  const auto from = window_mark(0, {1000, 5000}, {1, 2});
  const auto to = window_mark(60, {4600, 12200}, {1.5, 3.5});
  const double pue = 1.58;
  EXPECT_DOUBLE_EQ(emissions::window_co2eq_g(ch, Window{&from, &to}, {}, pue), (0.5 + 1.5) * pue);
  const Totals t = emissions::window_totals(ch, Window{&from, &to}, {}, pue);
  EXPECT_DOUBLE_EQ(t.facility_energy_j, 10800.0 * pue);
  EXPECT_DOUBLE_EQ(t.co2eq_g, (0.5 + 1.5) * pue);
  // Energy-weighted intensity: g per facility kWh.
  EXPECT_NEAR(emissions::effective_intensity(t, 999), 2.0 * pue / (10800.0 * pue / 3.6e6), 1e-9);
}

TEST(EmissionsWindow, EverythingButCo2eqIsTheLedgers) {
  const auto from = window_mark(0, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0});
  const auto to = window_mark(2, {1, 2, 4, 8, 16, 32}, {1, 1, 1, 1, 1, 1});
  const std::vector<std::optional<bool>> in_use{std::nullopt, true};
  const Totals energy = ledger::window_totals(kWindowHost, Window{&from, &to}, in_use, 1.3);
  const Totals with = emissions::window_totals(kWindowHost, Window{&from, &to}, in_use, 1.3);
  EXPECT_DOUBLE_EQ(with.co2eq_g, 6 * 1.3);
  expect_same_energy(with, energy);
  const EpochRecord e_energy = ledger::make_epoch(3, false, kWindowHost, Window{&from, &to}, in_use, 1.3, 7, {}, {});
  const EpochRecord e = emissions::make_epoch(3, false, kWindowHost, Window{&from, &to}, in_use, 1.3, 100, 7, {}, {});
  EXPECT_DOUBLE_EQ(e.totals.co2eq_g, 6 * 1.3);
  EXPECT_EQ(e.index, 3);
  EXPECT_FALSE(e.complete);
  EXPECT_EQ(e.channel_energy_j, e_energy.channel_energy_j);
  EXPECT_EQ(e.notes, e_energy.notes);
  EXPECT_DOUBLE_EQ(e.start_s, 7.0);
  expect_same_energy(e.totals, e_energy.totals);
}

TEST(EmissionsWindow, TheFallbackIntensityIsUsedOnlyWhenNoEnergyWasUsed) {
  Totals none;
  EXPECT_DOUBLE_EQ(emissions::effective_intensity(none, 250.0), 250.0);
  Totals some;
  some.facility_energy_j = 3.6e6;  // 1 kWh
  some.co2eq_g = 123.0;
  EXPECT_DOUBLE_EQ(emissions::effective_intensity(some, 250.0), 123.0);
}

TEST(EmissionsWindow, ChannelsThatDevicesByPidFoundUnusedCountNowhere) {
  const auto from = window_mark(0, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0});
  const auto to = window_mark(1, {10, 10, 10, 10, 100, 100}, {1, 1, 1, 1, 9, 9});
  // gpu-1 unused by this process tree; gpu-0 in use; the rest unknown (nullopt: counted).
  const std::vector<std::optional<bool>> in_use{std::nullopt, std::nullopt, std::nullopt, std::nullopt, true, false};
  EXPECT_DOUBLE_EQ(emissions::window_totals(kWindowHost, Window{&from, &to}, in_use, 1.0).co2eq_g, 1 + 1 + 1 + 1 + 9);
  // A shorter in_use list: the channels past its end count.
  EXPECT_DOUBLE_EQ(emissions::window_co2eq_g(kWindowHost, Window{&from, &to}, {false}, 1.0), 1 + 1 + 1 + 9 + 9);
}

TEST(EmissionsWindow, EpochsAddUpToTheWholeRun) {
  const std::vector<Sampler::Mark> marks{
      window_mark(0, {0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}),
      window_mark(3, {30, 33, 3, 4, 900, 600}, {0.1, 0.1, 0.01, 0.01, 3, 2}),
      window_mark(7.5, {75, 80, 7, 9, 2100, 1500}, {0.2, 0.25, 0.02, 0.03, 7, 5}),
      window_mark(8, {80, 84, 7.5, 9.5, 2300, 1600}, {0.22, 0.27, 0.025, 0.035, 7.7, 5.3}),
  };
  Totals sum;
  for (std::size_t i = 1; i < marks.size(); ++i) {
    sum += emissions::make_epoch(static_cast<int>(i), true, kWindowHost, Window{&marks[i - 1], &marks[i]}, {}, 1.2,
                                 100, to_seconds(marks[i - 1].t), {}, {})
               .totals;
  }
  const Totals whole = emissions::window_totals(kWindowHost, Window{&marks.front(), &marks.back()}, {}, 1.2);
  EXPECT_NEAR(sum.co2eq_g, whole.co2eq_g, 1e-9);
  EXPECT_NEAR(whole.co2eq_g, (0.22 + 0.27 + 0.025 + 0.035 + 7.7 + 5.3) * 1.2, 1e-9);
}

TEST(EmissionsWindow, AnEpochCarriesItsEnergyWeightedIntensityOrTheOneInForceWhenIdle) {
  const std::vector<ChannelInfo> ch{window_channel("package-0", Component::cpu, Method::counter)};
  const auto from = window_mark(100, {0}, {0});
  const auto to = window_mark(101, {3.6e6}, {200});  // 1 kWh of device energy, 200 g before PUE
  const EpochRecord e = emissions::make_epoch(4, false, ch, Window{&from, &to}, {}, 1.5, 999, 42.0, {}, {});
  EXPECT_DOUBLE_EQ(e.totals.facility_energy_j, 3.6e6 * 1.5);
  EXPECT_DOUBLE_EQ(e.totals.co2eq_g, 300.0);
  EXPECT_DOUBLE_EQ(e.intensity_g_per_kwh, 200.0);  // the energy-weighted one, not the current 999
  // No energy at all: the intensity in force is reported, not 0 or NaN.
  const auto idle = window_mark(101, {0}, {0});
  const EpochRecord quiet = emissions::make_epoch(5, true, ch, Window{&from, &idle}, {}, 1.5, 321, 0, {}, {});
  EXPECT_DOUBLE_EQ(quiet.intensity_g_per_kwh, 321.0);
}

TEST(EmissionsWindow, MarksWithoutTalliesOrChannelsMissingGiveZeroGramsNotGarbage) {
  // Three channels listed, the marks hold two energies and tallies of other lengths: only what
  // both marks hold counts, nothing is read past an end, and the intensity stays finite.
  const std::vector<ChannelInfo> ch{window_channel("package-0", Component::cpu, Method::counter),
                                    window_channel("dram-0", Component::dram, Method::counter),
                                    window_channel("gpu-0", Component::gpu, Method::counter)};
  const auto from = window_mark(0, {10, 20}, {1});
  const auto to = window_mark(2, {40, 25}, {3, 7, 9});
  const EpochRecord e = emissions::make_epoch(1, true, ch, Window{&from, &to}, {}, 1.0, 100, 0, {}, {});
  EXPECT_DOUBLE_EQ(e.totals.co2eq_g, 2.0);
  EXPECT_TRUE(std::isfinite(e.intensity_g_per_kwh));
  const auto bare_from = window_mark(0, {10, 20}, {});
  const auto bare_to = window_mark(2, {40, 25}, {});
  EXPECT_EQ(emissions::window_co2eq_g(ch, Window{&bare_from, &bare_to}, {}, 1.0), 0.0);
}

}  // namespace
}  // namespace carbontracker
