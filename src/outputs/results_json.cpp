#include "outputs/results_json.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/units.hpp"
#include "carbontracker/version.hpp"
#include "outputs/event_codec.hpp"
#include "outputs/python_format.hpp"

namespace carbontracker::outputs {
namespace {

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The members of a totals object, without its braces: epochs and the summary's total add theirs.
void totals_fields(JsonWriter& w, const Totals& t) {
  w.field("duration_s", t.duration_s);
  w.key("energy_j");
  write_energy(w, t.device_energy_j);
  w.field("measured_energy_j", t.measured_j);
  w.field("estimated_energy_j", t.estimated_j);
  w.field("facility_energy_j", t.facility_energy_j);
  w.field("energy_kwh", kwh_from_j(t.facility_energy_j));
  w.field("co2eq_g", t.co2eq_g);
}

template <typename T, typename Write>
void optional_value(JsonWriter& w, std::string_view name, const std::optional<T>& v, Write write) {
  w.key(name);
  if (v) {
    write(w, *v);
  } else {
    w.value(nullptr);
  }
}

void write_epoch_block(JsonWriter& w, const EpochBlock& b) {
  w.begin_object();
  w.field("first_index", b.first_index).field("last_index", b.last_index);
  w.field("epochs", b.last_index - b.first_index + 1).field("start_s", b.start_s);
  w.field("start", iso_utc(b.wall_start)).field("end", iso_utc(b.wall_end));
  totals_fields(w, b.totals);
  w.end_object();
}

// The exact number of completed epochs: the tracker's count, or what a snapshot filled by hand
// holds.
std::size_t completed_epochs(const Snapshot& s) {
  std::size_t held = s.epochs.size();
  for (const auto& b : s.epoch_blocks) held += static_cast<std::size_t>(std::max(0, b.last_index - b.first_index + 1));
  return std::max(held, static_cast<std::size_t>(std::max(0, s.epochs_completed)));
}

}  // namespace

void write_energy(JsonWriter& w, const EnergyByComponent& e) {
  w.begin_object();
  w.field("total", e.total_j()).field("cpu", e.cpu_j).field("dram", e.dram_j).field("gpu", e.gpu_j);
  w.field("psys", e.psys_j);
  w.end_object();
}

void write_totals(JsonWriter& w, const Totals& t) {
  w.begin_object();
  totals_fields(w, t);
  w.end_object();
}

void write_epoch(JsonWriter& w, const EpochRecord& e) {
  w.begin_object();
  w.field("index", e.index).field("complete", e.complete).field("start_s", e.start_s);
  w.field("start", iso_utc(e.wall_start)).field("end", iso_utc(e.wall_end));
  w.field("intensity_g_per_kwh", e.intensity_g_per_kwh);
  w.key("channel_energy_j").begin_array();
  for (double j : e.channel_energy_j) w.value(j);
  w.end_array();
  w.field("notes", e.notes);
  totals_fields(w, e.totals);
  w.end_object();
}

std::string pue_source(double pue) {
  if (pue == kPythonPue) return fmt::format("default, as the Python carbontracker ({})", kPythonPueSource);
  return pue == 1.0 ? "user setting: device energy only" : "user setting";
}

void write_forecast(JsonWriter& w, const Forecast& f, double pue) {
  w.begin_object();
  w.field("method", to_string(f.method)).field("after_epochs", f.after_epochs).field("epochs", f.epochs);
  w.field("confidence", f.confidence);
  w.field("duration_s", f.duration_s).field("duration_s_low", f.duration_s_low).field("duration_s_high", f.duration_s_high);
  w.field("energy_kwh", kwh_from_j(f.energy_j)).field("energy_kwh_low", kwh_from_j(f.energy_j_low));
  w.field("energy_kwh_high", kwh_from_j(f.energy_j_high));
  w.field("device_energy_kwh", pue > 0 ? std::optional<double>(kwh_from_j(f.energy_j / pue)) : std::nullopt);
  w.field("co2eq_g", f.co2eq_g).field("co2eq_g_low", f.co2eq_g_low).field("co2eq_g_high", f.co2eq_g_high);
  w.field("intensity_g_per_kwh", f.intensity_g_per_kwh);
  w.end_object();
}

void write_intensity(JsonWriter& w, const IntensityInfo& i) {
  w.begin_object();
  w.field("g_per_kwh", i.g_per_kwh).field("source", i.source).field("kind", to_string(i.kind)).field("why", i.why);
  w.end_object();
}

void write_budget_event(JsonWriter& w, const BudgetEvent& e) {
  w.begin_object();
  w.field("limit", to_string(e.limit)).field("basis", to_string(e.basis)).field("value", e.value);
  w.field("limit_value", e.limit_value);
  w.field("action", to_string(e.action)).field("outcome", to_string(e.outcome)).field("message", e.message);
  w.end_object();
}

void write_components(JsonWriter& w, const std::vector<ChannelInfo>& channels) {
  w.begin_object();
  for (Component c : {Component::cpu, Component::dram, Component::gpu, Component::psys}) {
    std::set<std::string> methods;
    bool present = false;
    w.key(to_string(c)).begin_object();
    w.key("devices").begin_array();
    for (const auto& ch : channels) {
      if (ch.component != c) continue;
      present = true;
      methods.insert(std::string(to_string(ch.method)));
      w.begin_object();
      w.field("id", ch.id).field("name", ch.name).field("method", to_string(ch.method)).field("source", ch.source);
      w.end_object();
    }
    w.end_array();
    w.field("present", present);
    w.field("methods", std::vector<std::string>(methods.begin(), methods.end()));
    w.end_object();
  }
  w.end_object();
}

std::string summary_json_text(const Snapshot& s, int indent, const JobRecord* job) {
  JsonWriter w(indent);
  w.begin_object();
  w.field("version", kSummaryVersion).field("carbontracker_version", kVersion).field("pue", s.pue);
  w.field("pue_source", pue_source(s.pue));
  w.key("components");
  write_components(w, s.channels);
  // A long run: the first and last epochs in detail, the ones between summed in blocks
  // (docs/log-format.md, "Long runs").
  const std::size_t completed = completed_epochs(s);
  w.key("epochs").begin_array();
  for (const auto& e : s.epochs) write_epoch(w, e);
  w.end_array();
  w.field("epochs_in_blocks", completed - std::min(completed, s.epochs.size()));
  w.key("epoch_blocks").begin_array();
  for (const auto& b : s.epoch_blocks) write_epoch_block(w, b);
  w.end_array();
  optional_value(w, "interrupted_epoch", s.interrupted, write_epoch);
  w.key("total").begin_object();
  totals_fields(w, s.epochs_total);
  w.field("epochs", completed);
  w.field("intensity_g_per_kwh", s.intensity.g_per_kwh);
  w.field("intensity_source", s.intensity.source).field("intensity_kind", to_string(s.intensity.kind));
  w.end_object();
  w.key("whole_run");
  write_totals(w, s.whole_run);
  w.key("intensity");
  write_intensity(w, s.intensity);
  const auto forecast = [&s](JsonWriter& out, const Forecast& f) { write_forecast(out, f, s.pue); };
  optional_value(w, "prediction", s.prediction, forecast);
  optional_value(w, "paper_prediction", s.paper_prediction, forecast);
  w.key("prediction_history").begin_array();
  for (const auto& f : s.prediction_history) write_forecast(w, f, s.pue);
  w.end_array();
  w.field("predictions_made", std::max(s.prediction_history.size(), static_cast<std::size_t>(std::max(0, s.predictions_made))));
  w.key("budget_events").begin_array();
  for (const auto& b : s.budget_events) write_budget_event(w, b);
  w.end_array();
  w.field("stopped_by_budget", s.stopped_by_budget).field("finished", s.finished);
  if (job) {
    w.key("job");
    write_job(w, *job);
  }
  w.field("warnings", s.warnings).field("command", s.command);
  w.field("planned_epochs", s.planned_epochs);
  optional_value(w, "setup", s.setup, write_totals);
  optional_value(w, "wrap_up", s.wrap_up, write_totals);
  w.end_object();
  return w.take();
}

std::string budget_event_json_text(const BudgetEvent& e) {
  JsonWriter w;
  write_budget_event(w, e);
  return w.take();
}

}  // namespace carbontracker::outputs
