// The Prometheus sink: run events and power points (another thread, as the sampler's) become the
// store's snapshot; counters never go down; the final totals are the report's.
#include <gtest/gtest.h>

#include <limits>
#include <thread>

#include "exporter/prometheus_sink.hpp"

namespace carbontracker::exporter {
namespace {

outputs::RunStarted started() {
  outputs::RunStarted e;
  e.record.pue = 2.0;
  e.record.intensity = {500.0, "table", IntensityKind::yearly_average, ""};
  ChannelInfo cpu;
  cpu.id = "powercap:intel-rapl:0";
  cpu.component = Component::cpu;
  ChannelInfo gpu;
  gpu.id = "nvml:GPU-1";
  gpu.component = Component::gpu;
  gpu.method = Method::power;
  e.record.channels = {cpu, gpu};
  return e;
}

TEST(PrometheusSink, ANaNPointLeavesTheChannelsPowerToItsNextFinitePoint) {
  auto store = std::make_shared<MetricsStore>();
  PrometheusSink sink(store, {"node1", "", "", {}});
  sink.on_event(started());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double p1[] = {10.0, 100.0};
  const double p2[] = {nan, 200.0};  // the CPU channel's read failed
  const double p3[] = {50.0, 300.0};
  sink.on_power(1.0, p1);
  sink.on_power(2.0, p2);
  sink.on_power(3.0, p3);
  const auto s = store->load();
  EXPECT_DOUBLE_EQ(*s->channels[0].power_w, 20.0);  // (50 - 10) J over 2 s, not 0 W
  EXPECT_DOUBLE_EQ(s->channels[0].energy_j, 50.0);
  EXPECT_DOUBLE_EQ(*s->channels[1].power_w, 100.0);
}

TEST(PrometheusSink, KeepsTheStoreCurrent) {
  auto store = std::make_shared<MetricsStore>();
  PrometheusSink sink(store, {"node1", "job7", "3", {{"mode", "tracker"}}});
  EXPECT_TRUE(sink.wants_power());
  EXPECT_EQ(store->load(), nullptr);
  sink.on_event(started());
  auto s = store->load();
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->channels.size(), 2u);
  EXPECT_EQ(s->channels[1].device, "nvml:GPU-1");
  EXPECT_EQ(s->channels[1].method, "power");
  EXPECT_EQ(s->intensity->basis, "yearly_average");
  EXPECT_EQ(s->target, (Labels{{"host", "node1"}, {"job_id", "job7"}, {"rank", "3"}}));
  EXPECT_EQ(*s->epochs, 0);
  EXPECT_FALSE(s->channels[0].power_w);  // not known before two points

  // Power points arrive on the sampler's thread.
  std::thread sampler([&] {
    const double p1[] = {10.0, 100.0};
    sink.on_power(1.0, p1);
    const double p2[] = {30.0, 400.0};
    sink.on_power(3.0, p2);
  });
  sampler.join();
  s = store->load();
  EXPECT_DOUBLE_EQ(s->channels[0].energy_j, 30.0);
  EXPECT_DOUBLE_EQ(*s->channels[0].power_w, 10.0);
  EXPECT_DOUBLE_EQ(*s->channels[1].power_w, 150.0);
  // 430 J device x PUE 2 x 500 g/kWh.
  EXPECT_NEAR(*s->co2eq_g, 430.0 * 2 * 500 / 3.6e6, 1e-12);

  EpochRecord epoch;
  epoch.index = 1;
  sink.on_event(outputs::EpochEnded{{}, &epoch});
  EXPECT_EQ(*store->load()->epochs, 1);
  EXPECT_FALSE(store->load()->prediction);
  outputs::PredictionMade p;
  p.record.forecast.forecast.energy_j = 1000;
  p.record.forecast.forecast.energy_j_low = 900;
  p.record.forecast.forecast.energy_j_high = 1100;
  sink.on_event(p);
  EXPECT_DOUBLE_EQ(store->load()->prediction->energy_j_high, 1100);
  sink.on_event(outputs::IntensityChanged{{}, {100.0, "live", IntensityKind::measured, ""}});
  EXPECT_EQ(store->load()->intensity->basis, "measured");

  // The final totals: the GPU is brought up to the report's figure; the CPU's report figure is
  // below what was already exposed, so the counter stays (it never goes down).
  Snapshot final;
  final.channels = started().record.channels;
  final.whole_run.device_energy_j.cpu_j = 25.0;
  final.whole_run.device_energy_j.gpu_j = 420.0;
  final.whole_run.co2eq_g = 1.0;
  final.epochs.resize(2);
  final.epochs_completed = 2;
  sink.on_event(outputs::RunFinished{{}, &final, 2, std::nullopt});
  s = store->load();
  EXPECT_DOUBLE_EQ(s->channels[0].energy_j, 30.0);
  EXPECT_DOUBLE_EQ(s->channels[1].energy_j, 420.0);
  EXPECT_DOUBLE_EQ(*s->co2eq_g, 1.0);
  EXPECT_EQ(*s->epochs, 2);
  // A late point changes nothing once finished.
  const double late[] = {99.0, 999.0};
  sink.on_power(9.0, late);
  EXPECT_DOUBLE_EQ(store->load()->channels[1].energy_j, 420.0);
}

}  // namespace
}  // namespace carbontracker::exporter
