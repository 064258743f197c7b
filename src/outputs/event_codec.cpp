#include "outputs/event_codec.hpp"

#include <array>
#include <type_traits>

#include "core/units.hpp"
#include "outputs/devices_report.hpp"
#include "outputs/json_text.hpp"
#include "outputs/json_writer.hpp"
#include "outputs/results_json.hpp"

namespace carbontracker::outputs {
namespace {

constexpr std::array<std::string_view, 8> kTypeNames = {"run_start", "power",   "epoch",             "prediction",
                                                        "budget",    "warning", "intensity_history", "run_end"};

JsonWriter begin(EventType type) {
  JsonWriter w;
  w.begin_object();
  w.field("type", to_string(type)).field("v", kEventLogVersion);
  return w;
}

}  // namespace

void write_job(JsonWriter& r, const JobRecord& j) {
  r.begin_object();
  r.field("job_id", j.id).field("launcher", j.launcher).field("host", j.host).field("node", j.node);
  r.field("rank", j.rank).field("local_rank", j.local_rank);
  r.field("world_size", j.world_size).field("local_world_size", j.local_world_size);
  r.field("restart", j.restart).field("host_measurer", j.host_measurer);
  r.field("gpus", j.gpus).field("notes", j.notes);
  r.end_object();
}

namespace {

void body(JsonWriter& r, const RunStartEvent& e) {
  r.field("carbontracker_version", e.carbontracker_version).field("pid", e.pid);
  if (e.job) {
    r.key("job");
    write_job(r, *e.job);
  }
  r.field("start_unix_s", e.start_unix_s);
  r.field("epochs", e.epochs);
  r.field("command", e.command);
  r.field("epochs_before_pred", e.epochs_before_pred).field("monitor_epochs", e.monitor_epochs);
  r.field("update_interval_s", e.update_interval_s).field("pue", e.pue);
  r.field("pue_source", pue_source(e.pue));
  r.key("intensity");
  write_intensity(r, e.intensity);
  r.key("components");
  write_components(r, e.channels);
  r.key("channels").begin_array();
  for (const auto& c : e.channels) write_channel(r, c);
  r.end_array();
  r.key("sources");
  write_device_reports(r, e.sources);
}

void body(JsonWriter& r, const PowerEvent& e) {
  r.field("t_s", e.t_s).key("energy_j").begin_array();
  for (double j : e.energy_j) r.value(j);
  r.end_array();
}

void body(JsonWriter& r, const EpochRecord& epoch) {
  r.key("epoch");
  write_epoch(r, epoch);
}

void body(JsonWriter& r, const EpochEvent& e) { body(r, e.epoch); }

void body(JsonWriter& r, const PredictionEvent& e) {
  r.field("printed", e.printed);
  r.key("forecast");
  write_forecast(r, e.forecast.forecast, e.pue);
  r.key("paper");
  write_forecast(r, e.paper.forecast, e.pue);
}

void body(JsonWriter& r, const BudgetDecisionEvent& e) {
  r.key("event");
  write_budget_event(r, e.event);
}

void body(JsonWriter& r, const WarningEvent& e) { r.field("message", e.message); }

void body(JsonWriter& r, const IntensityHistoryEvent& e) {
  r.field("source", e.source);
  r.key("points").begin_array();
  for (const auto& q : e.points) {
    r.begin_object();
    r.field("start_unix_s", q.start_unix_s).field("end_unix_s", q.end_unix_s);
    r.field("g_per_kwh", q.g_per_kwh).field("kind", q.kind);
    r.end_object();
  }
  r.end_array();
}

void body(JsonWriter& r, const RunEndEvent& e) {
  r.field("epochs", e.epochs);
  r.key("total");
  write_totals(r, e.total.totals);
  r.key("whole_run");
  write_totals(r, e.whole_run.totals);
  r.key("interrupted_epoch");
  if (e.interrupted_epoch) {
    write_epoch(r, *e.interrupted_epoch);
  } else {
    r.value(nullptr);
  }
  r.field("stopped_by_budget", e.stopped_by_budget);
}

void body(JsonWriter& r, const RunNotMeasuredEvent& e) { r.field("not_measured", e.reason); }

template <typename T>
constexpr EventType type_of() {
  if constexpr (std::is_same_v<T, RunStartEvent>) return EventType::run_start;
  else if constexpr (std::is_same_v<T, PowerEvent>) return EventType::power;
  else if constexpr (std::is_same_v<T, EpochEvent>) return EventType::epoch;
  else if constexpr (std::is_same_v<T, PredictionEvent>) return EventType::prediction;
  else if constexpr (std::is_same_v<T, BudgetDecisionEvent>) return EventType::budget;
  else if constexpr (std::is_same_v<T, WarningEvent>) return EventType::warning;
  else if constexpr (std::is_same_v<T, IntensityHistoryEvent>) return EventType::intensity_history;
  else return EventType::run_end;  // RunEndEvent, RunNotMeasuredEvent
}

}  // namespace

std::string_view to_string(EventType t) noexcept { return kTypeNames[static_cast<std::size_t>(t)]; }

std::optional<EventType> event_type_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == s) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string encode(const Event& event) {
  return std::visit(
      [](const auto& e) {
        JsonWriter w = begin(type_of<std::decay_t<decltype(e)>>());
        body(w, e);
        w.end_object();
        return w.take();
      },
      event);
}

// The per-epoch records, written straight into the string. Keys in nlohmann's sorted order (as
// JsonWriter sorts them), scalars as nlohmann prints them (outputs/json_text.hpp); the test
// EventCodecFast compares every line with encode()'s on many records.
namespace {

using json_text::append_double;
using json_text::append_int;

void fast_energy(std::string& out, const EnergyByComponent& e) {
  out += "{\"cpu\":";
  append_double(out, e.cpu_j);
  out += ",\"dram\":";
  append_double(out, e.dram_j);
  out += ",\"gpu\":";
  append_double(out, e.gpu_j);
  out += ",\"psys\":";
  append_double(out, e.psys_j);
  out += ",\"total\":";
  append_double(out, e.total_j());
  out += '}';
}

void fast_epoch(std::string& out, const EpochRecord& e) {
  const Totals& t = e.totals;
  out += "{\"channel_energy_j\":[";
  for (std::size_t i = 0; i < e.channel_energy_j.size(); ++i) {
    if (i > 0) out += ',';
    append_double(out, e.channel_energy_j[i]);
  }
  out += "],\"co2eq_g\":";
  append_double(out, t.co2eq_g);
  out += ",\"complete\":";
  json_text::append_bool(out, e.complete);
  out += ",\"duration_s\":";
  append_double(out, t.duration_s);
  out += ",\"end\":";
  json_text::append_iso_utc(out, e.wall_end);
  out += ",\"energy_j\":";
  fast_energy(out, t.device_energy_j);
  out += ",\"energy_kwh\":";
  append_double(out, kwh_from_j(t.facility_energy_j));
  out += ",\"estimated_energy_j\":";
  append_double(out, t.estimated_j);
  out += ",\"facility_energy_j\":";
  append_double(out, t.facility_energy_j);
  out += ",\"index\":";
  append_int(out, e.index);
  out += ",\"intensity_g_per_kwh\":";
  append_double(out, e.intensity_g_per_kwh);
  out += ",\"measured_energy_j\":";
  append_double(out, t.measured_j);
  out += ",\"notes\":[";
  for (std::size_t i = 0; i < e.notes.size(); ++i) {
    if (i > 0) out += ',';
    json_text::append_string(out, e.notes[i]);
  }
  out += "],\"start\":";
  json_text::append_iso_utc(out, e.wall_start);
  out += ",\"start_s\":";
  append_double(out, e.start_s);
  out += '}';
}

void fast_forecast(std::string& out, const Forecast& f, double pue) {
  out += "{\"after_epochs\":";
  append_int(out, f.after_epochs);
  out += ",\"co2eq_g\":";
  append_double(out, f.co2eq_g);
  out += ",\"co2eq_g_high\":";
  append_double(out, f.co2eq_g_high);
  out += ",\"co2eq_g_low\":";
  append_double(out, f.co2eq_g_low);
  out += ",\"confidence\":";
  append_double(out, f.confidence);
  out += ",\"device_energy_kwh\":";
  if (pue > 0) {
    append_double(out, kwh_from_j(f.energy_j / pue));
  } else {
    out += "null";
  }
  out += ",\"duration_s\":";
  append_double(out, f.duration_s);
  out += ",\"duration_s_high\":";
  append_double(out, f.duration_s_high);
  out += ",\"duration_s_low\":";
  append_double(out, f.duration_s_low);
  out += ",\"energy_kwh\":";
  append_double(out, kwh_from_j(f.energy_j));
  out += ",\"energy_kwh_high\":";
  append_double(out, kwh_from_j(f.energy_j_high));
  out += ",\"energy_kwh_low\":";
  append_double(out, kwh_from_j(f.energy_j_low));
  out += ",\"epochs\":";
  append_int(out, f.epochs);
  out += ",\"intensity_g_per_kwh\":";
  append_double(out, f.intensity_g_per_kwh);
  out += ",\"method\":";
  json_text::append_string(out, to_string(f.method));
  out += '}';
}

}  // namespace

void append_epoch_line(std::string& out, const EpochRecord& epoch) {
  out += "{\"epoch\":";
  fast_epoch(out, epoch);
  out += ",\"type\":\"epoch\",\"v\":";
  append_int(out, kEventLogVersion);
  out += '}';
}

void append_prediction_line(std::string& out, const PredictionEvent& e) {
  out += "{\"forecast\":";
  fast_forecast(out, e.forecast.forecast, e.pue);
  out += ",\"paper\":";
  fast_forecast(out, e.paper.forecast, e.pue);
  out += ",\"printed\":";
  json_text::append_bool(out, e.printed);
  out += ",\"type\":\"prediction\",\"v\":";
  append_int(out, kEventLogVersion);
  out += '}';
}

void append_power_line(std::string& out, double t_s, std::span<const double> energy_j) {
  out += "{\"energy_j\":[";
  for (std::size_t i = 0; i < energy_j.size(); ++i) {
    if (i > 0) out += ',';
    append_double(out, energy_j[i]);
  }
  out += "],\"t_s\":";
  append_double(out, t_s);
  out += ",\"type\":\"power\",\"v\":";
  append_int(out, kEventLogVersion);
  out += '}';
}

std::string encode_epoch(const EpochRecord& epoch) {
  std::string out;
  append_epoch_line(out, epoch);
  return out;
}

ForecastRecord ForecastRecord::of(const Forecast& f) {
  return {f, kwh_from_j(f.energy_j), kwh_from_j(f.energy_j_low), kwh_from_j(f.energy_j_high)};
}

TotalsRecord TotalsRecord::of(const Totals& t) { return {t, kwh_from_j(t.facility_energy_j)}; }

const FieldIssue* Decoded::damage(std::string_view field) const {
  for (const auto& d : damaged) {
    if (d.field == field) return &d;
  }
  return nullptr;
}

}  // namespace carbontracker::outputs
