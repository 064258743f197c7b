// outputs/event_codec.hpp: what the tracker encodes decodes back to the same typed record, the
// version is on every line, and damaged values are named, not lost or thrown.
#include <cmath>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "outputs/event_codec.hpp"

namespace carbontracker::outputs {
namespace {

Decoded decoded(const std::string& line) {
  auto d = decode(line, false);
  EXPECT_TRUE(std::holds_alternative<Decoded>(d)) << line;
  return std::get<Decoded>(d);
}

template <typename T>
T round_trip(const Event& e) {
  const std::string line = encode(e);
  const Decoded d = decoded(line);
  EXPECT_EQ(d.version, kEventLogVersion);
  EXPECT_TRUE(d.damaged.empty()) << line;
  EXPECT_TRUE(d.event.has_value()) << line;
  EXPECT_TRUE(std::holds_alternative<T>(*d.event)) << line;
  return std::get<T>(*d.event);
}

TEST(EventCodec, RecordsCarryTypeAndVersionAndTypeNamesRoundTrip) {
  // Keys sorted, as nlohmann::json::dump writes them (json_writer.hpp): the format the golden files pin.
  EXPECT_EQ(encode(WarningEvent{"GPU lost"}), R"({"message":"GPU lost","type":"warning","v":1})");
  for (int i = 0; i <= static_cast<int>(EventType::run_end); ++i) {
    const auto t = static_cast<EventType>(i);
    EXPECT_EQ(event_type_from_string(to_string(t)), t);
  }
  EXPECT_FALSE(event_type_from_string("heartbeat"));
}

TEST(EventCodec, EpochRoundTripsExactly) {
  EpochRecord e;
  e.index = 3;
  e.complete = true;
  e.start_s = 12.5;
  e.intensity_g_per_kwh = 211.25;
  e.channel_energy_j = {1.5, 0.1 + 0.2};
  e.notes = {"estimated"};
  e.totals.duration_s = 0.30575780400000003;
  e.totals.device_energy_j = {19.87425726, 2.6990963649456825, 76.439451, 0};
  e.totals.measured_j = 96.3;
  e.totals.estimated_j = 2.6990963649456825;
  e.totals.facility_energy_j = 118.81536554993483;
  e.totals.co2eq_g = 0.005500711368052538;
  const EpochRecord back = round_trip<EpochEvent>(EpochEvent{e}).epoch;
  EXPECT_EQ(back.index, 3);
  EXPECT_EQ(back.start_s, e.start_s);
  EXPECT_EQ(back.channel_energy_j, e.channel_energy_j);
  EXPECT_EQ(back.notes, e.notes);
  EXPECT_EQ(back.totals.duration_s, e.totals.duration_s);
  EXPECT_EQ(back.totals.device_energy_j.dram_j, e.totals.device_energy_j.dram_j);
  EXPECT_EQ(back.totals.device_energy_j.gpu_j, e.totals.device_energy_j.gpu_j);
  EXPECT_EQ(back.totals.facility_energy_j, e.totals.facility_energy_j);
  EXPECT_EQ(back.totals.co2eq_g, e.totals.co2eq_g);
  EXPECT_EQ(back.intensity_g_per_kwh, e.intensity_g_per_kwh);
}

TEST(EventCodec, ForecastKeepsTheKwhAsWritten) {
  Forecast f;
  f.method = ForecastMethod::paper;
  f.after_epochs = 1;
  f.epochs = 10;
  f.energy_j = 22483.4;  // kWh -> J -> kWh would not give back the written kWh for every value
  f.energy_j_low = 20000;
  f.energy_j_high = 25000;
  f.co2eq_g = 1.25;
  const auto back = round_trip<PredictionEvent>(PredictionEvent{true, ForecastRecord::of(f), ForecastRecord::of(f), 1.5});
  EXPECT_TRUE(back.printed);
  EXPECT_EQ(back.forecast.forecast.method, ForecastMethod::paper);
  EXPECT_EQ(back.forecast.forecast.epochs, 10);
  EXPECT_EQ(back.forecast.energy_kwh, ForecastRecord::of(f).energy_kwh);
  EXPECT_EQ(back.forecast.forecast.co2eq_g, 1.25);
}

TEST(EventCodec, RunStartChannelsAndBudgetDecodeToEnums) {
  RunStartEvent r;
  r.carbontracker_version = "0.1.0";
  r.monitor_epochs = 4;
  r.pue = 1.2;
  r.intensity = {200, "user setting", IntensityKind::fixed, "set"};
  ChannelInfo gpu;
  gpu.id = "nvml:GPU-1";
  gpu.component = Component::gpu;
  gpu.method = Method::power;
  gpu.name = "A100";
  gpu.source = "nvml";
  r.channels = {gpu};
  const auto back = round_trip<RunStartEvent>(r);
  EXPECT_EQ(back.monitor_epochs, 4);
  EXPECT_EQ(back.pue, 1.2);
  EXPECT_EQ(back.intensity.kind, IntensityKind::fixed);
  ASSERT_EQ(back.channels.size(), 1u);
  EXPECT_EQ(back.channels[0].component, Component::gpu);
  EXPECT_EQ(back.channels[0].method, Method::power);
  ASSERT_TRUE(back.present);
  ASSERT_EQ(back.present->size(), 1u);  // only gpu is present
  EXPECT_EQ(back.present->front().component, Component::gpu);
  EXPECT_EQ(back.present->front().devices, std::vector<std::string>{"A100"});

  BudgetEvent b;
  b.limit = BudgetLimit::max_co2eq_g;
  b.basis = BudgetBasis::actual;
  b.action = BudgetAction::stop;
  b.outcome = BudgetOutcome::stopped;
  b.message = "over";
  const auto bb = round_trip<BudgetDecisionEvent>(BudgetDecisionEvent{b}).event;
  EXPECT_EQ(bb.limit, BudgetLimit::max_co2eq_g);
  EXPECT_EQ(bb.basis, BudgetBasis::actual);
  EXPECT_EQ(bb.outcome, BudgetOutcome::stopped);
}

TEST(EventCodec, RunEndAndNotMeasuredAreTellApart) {
  Totals t;
  t.facility_energy_j = 3600;
  t.co2eq_g = 0.2;
  const auto back = round_trip<RunEndEvent>(RunEndEvent{2, TotalsRecord::of(t), TotalsRecord::of(t), std::nullopt, true});
  EXPECT_EQ(back.epochs, 2u);
  EXPECT_EQ(back.total.energy_kwh, 0.001);
  EXPECT_TRUE(back.stopped_by_budget);
  EXPECT_FALSE(back.interrupted_epoch);
  EXPECT_EQ(round_trip<RunNotMeasuredEvent>(RunNotMeasuredEvent{"no sensor"}).reason, "no sensor");
}

TEST(EventCodec, DamagedValuesAreNamedAndTheRecordSurvives) {
  const Decoded d = decoded(
      R"({"type":"epoch","v":1,"epoch":{"index":2,"energy_j":{"gpu":NaN,"cpu":-5},"facility_energy_j":null,"co2eq_g":null}})");
  ASSERT_TRUE(d.event);
  const auto& e = std::get<EpochEvent>(*d.event).epoch;
  EXPECT_EQ(e.index, 2);
  ASSERT_NE(d.damage("epoch.energy_j.gpu"), nullptr);
  EXPECT_EQ(d.damage("epoch.energy_j.gpu")->why, "NaN");
  ASSERT_NE(d.damage("epoch.energy_j.cpu"), nullptr);
  EXPECT_EQ(d.damage("epoch.energy_j.cpu")->why, "-5 (negative)");
  EXPECT_EQ(d.damage("epoch.facility_energy_j")->why, "null");
  EXPECT_EQ(d.damage("epoch.co2eq_g"), nullptr);  // null CO2eq: not known, not damaged
  EXPECT_TRUE(std::isnan(e.totals.co2eq_g));
  EXPECT_TRUE(std::isnan(e.totals.device_energy_j.dram_j));  // not in the line
}

TEST(EventCodec, UnreadableLinesSayWhyAndUnknownTypesAreIgnored) {
  EXPECT_EQ(std::get<std::string>(decode(R"({"type":"epo)", true)),
            "incomplete last record (the run was killed while writing?); skipped");
  EXPECT_EQ(std::get<std::string>(decode("[1,2]", false)), "not a JSON object; skipped");
  EXPECT_EQ(std::get<std::string>(decode(std::string(100, '['), false)), "record nested too deeply; skipped");
  const Decoded later = decoded(R"({"type":"heartbeat","v":2})");
  EXPECT_FALSE(later.event);
  EXPECT_EQ(later.version, 2);
  const Decoded power = decoded(R"({"type":"power","v":1})");
  EXPECT_FALSE(power.event);
  EXPECT_EQ(power.problem, "power record without t_s or energy_j; skipped");
}

}  // namespace
}  // namespace carbontracker::outputs
