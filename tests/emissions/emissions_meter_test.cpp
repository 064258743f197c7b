// The emissions meter (src/emissions/emissions_meter.hpp): each energy increment weighted by the
// intensity in force when it is counted, never NaN; on its own and as a real Sampler's listener.
#include "emissions/emissions_meter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "../sampler/sampler_rig.hpp"
#include "../sampler/scripted_sensor.hpp"
#include "test_support.hpp"
#include "../sampler/counter_specs.hpp"

namespace carbontracker {
namespace {

using testing::kRaplSpec;

using namespace std::chrono_literals;
using emissions::EmissionsMeter;
using testing::counter_channel;
using testing::counter_reading;
using testing::power_channel;
using testing::power_reading;

TEST(EmissionsMeter, EachIncrementIsWeightedByTheIntensityInForceThen) {
  std::atomic<double> intensity{100.0};
  EmissionsMeter meter(intensity);
  meter.on_channels(2);
  meter.on_energy(0, 3.6e6);  // 1 kWh at 100 g/kWh
  intensity = 400.0;
  meter.on_energy(0, 1.8e6);  // 0.5 kWh at 400 g/kWh
  meter.on_energy(1, 3.6e6);
  EXPECT_DOUBLE_EQ(meter.tally(0), 100.0 + 200.0);  // not 1.5 kWh x the latest (600 g) or the mean
  EXPECT_DOUBLE_EQ(meter.tally(1), 400.0);
  EXPECT_DOUBLE_EQ(meter.grams_per_joule(), 400.0 / 3.6e6);
}

TEST(EmissionsMeter, AnIntensityThatIsNotFiniteOrIsNegativeWeighsNothingAndNeverMakesNaN) {
  std::atomic<double> intensity{200.0};
  EmissionsMeter meter(intensity);
  meter.on_channels(1);
  meter.on_energy(0, 3.6e6);
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), -50.0}) {
    intensity = bad;
    EXPECT_EQ(meter.grams_per_joule(), 0.0) << bad;
    meter.on_energy(0, 3.6e6);
    EXPECT_TRUE(std::isfinite(meter.tally(0))) << bad;
    EXPECT_DOUBLE_EQ(meter.tally(0), 200.0) << bad;
  }
  intensity = 0.0;  // a real zero-carbon grid: counted as 0 g, not refused
  meter.on_energy(0, 3.6e6);
  EXPECT_DOUBLE_EQ(meter.tally(0), 200.0);
}

TEST(EmissionsMeter, AChannelItWasNotToldOfCountsNothing) {
  std::atomic<double> intensity{100.0};
  EmissionsMeter meter(intensity);
  meter.on_energy(0, 1000.0);  // before on_channels: no channel yet
  EXPECT_EQ(meter.tally(0), 0.0);
  meter.on_channels(1);
  meter.on_energy(1, 1000.0);
  EXPECT_EQ(meter.tally(1), 0.0);
  EXPECT_EQ(meter.tally(0), 0.0);
}

// Under a real Sampler: the grams of a channel are the energy-weighted integral of intensity,
// and the mark carries them beside the energy they weigh.
TEST(EmissionsMeter, UnderTheSamplerAnIntensityChangeMidWindowWeighsEachIncrementByItsOwnValue) {
  std::atomic<double> intensity{100.0};
  EmissionsMeter meter(intensity);
  SamplerOptions opts;
  opts.energy_listener = &meter;
  testing::SamplerRig rig({counter_channel("c", kRaplSpec, 1e-6), power_channel("p")}, opts);
  rig.start({counter_reading(0, 0), power_reading(1, 1000.0)});
  const auto from = rig.sampler->mark();
  // 1 W (counter) and 1 kW (power) for an hour: 1 Wh and 1 kWh at 100 g/kWh, then again at 400.
  rig.step(3600s, {counter_reading(0, 3'600'000'000), power_reading(1, 1000.0)});
  intensity = 400.0;
  rig.step(3600s, {counter_reading(0, 7'200'000'000), power_reading(1, 1000.0)});
  const auto to = rig.sampler->mark();
  EXPECT_DOUBLE_EQ(to.energy_j[0] - from.energy_j[0], 7200.0);
  // Not 2 Wh x the mean intensity (0.5 g here too) or x the latest (0.8 g): 0.1 g + 0.4 g.
  EXPECT_DOUBLE_EQ(to.listener_tally[0] - from.listener_tally[0], 0.5);
  EXPECT_DOUBLE_EQ(to.listener_tally[1] - from.listener_tally[1], 100.0 + 400.0);
  EXPECT_EQ(to.listener_tally[0], meter.tally(0));
}

TEST(EmissionsMeter, UnderTheSamplerANonFiniteIntensityNeverMakesGramsNaN) {
  std::atomic<double> intensity{std::numeric_limits<double>::quiet_NaN()};
  EmissionsMeter meter(intensity);
  SamplerOptions opts;
  opts.energy_listener = &meter;
  testing::SamplerRig rig({power_channel("p")}, opts);
  rig.start({power_reading(0, 100.0)});
  rig.step(1s, {power_reading(0, 100.0)});
  intensity = -1.0;
  rig.step(1s, {power_reading(0, 100.0)});
  const auto m = rig.sampler->mark();
  EXPECT_DOUBLE_EQ(m.energy_j[0], 200.0);
  EXPECT_TRUE(std::isfinite(m.listener_tally[0]));
  EXPECT_EQ(m.listener_tally[0], 0.0);
}

}  // namespace
}  // namespace carbontracker
