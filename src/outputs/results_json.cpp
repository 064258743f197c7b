#include "outputs/results_json.hpp"

#include <set>

#include <fmt/format.h>

#include "carbontracker/units.hpp"
#include "carbontracker/version.hpp"
#include "outputs/python_format.hpp"

namespace carbontracker::outputs {
namespace {

double kwh(double j) { return to_kwh(Joules(j)).value(); }

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

nlohmann::json energy_json(const EnergyByComponent& e) {
  return {{"total", e.total_j()}, {"cpu", e.cpu_j}, {"dram", e.dram_j}, {"gpu", e.gpu_j}, {"psys", e.psys_j}};
}

nlohmann::json totals_json(const Totals& t) {
  return {{"duration_s", t.duration_s},
          {"energy_j", energy_json(t.device_energy_j)},
          {"measured_energy_j", t.measured_j},
          {"estimated_energy_j", t.estimated_j},
          {"facility_energy_j", t.facility_energy_j},
          {"energy_kwh", kwh(t.facility_energy_j)},
          {"co2eq_g", t.co2eq_g}};
}

nlohmann::json epoch_json(const EpochRecord& e) {
  nlohmann::json j{{"index", e.index},
                   {"complete", e.complete},
                   {"start_s", e.start_s},
                   {"start", iso_utc(e.wall_start)},
                   {"end", iso_utc(e.wall_end)},
                   {"intensity_g_per_kwh", e.intensity_g_per_kwh},
                   {"channel_energy_j", e.channel_energy_j},
                   {"notes", e.notes}};
  j.update(totals_json(e.totals));
  return j;
}

std::string pue_source(double pue) {
  if (pue == kPythonPue) return fmt::format("default, as the Python carbontracker ({})", kPythonPueSource);
  return pue == 1.0 ? "user setting: device energy only" : "user setting";
}

nlohmann::json forecast_json(const Forecast& f, double pue) {
  return {{"method", f.method},
          {"after_epochs", f.after_epochs},
          {"epochs", f.epochs},
          {"confidence", f.confidence},
          {"duration_s", f.duration_s},
          {"duration_s_low", f.duration_s_low},
          {"duration_s_high", f.duration_s_high},
          {"energy_kwh", kwh(f.energy_j)},
          {"energy_kwh_low", kwh(f.energy_j_low)},
          {"energy_kwh_high", kwh(f.energy_j_high)},
          {"device_energy_kwh", pue > 0 ? nlohmann::json(kwh(f.energy_j / pue)) : nlohmann::json(nullptr)},
          {"co2eq_g", f.co2eq_g},
          {"co2eq_g_low", f.co2eq_g_low},
          {"co2eq_g_high", f.co2eq_g_high},
          {"intensity_g_per_kwh", f.intensity_g_per_kwh}};
}

nlohmann::json intensity_json(const IntensityInfo& i) {
  return {{"g_per_kwh", i.g_per_kwh}, {"source", i.source}, {"kind", i.kind}, {"why", i.why}};
}

nlohmann::json budget_event_json(const BudgetEvent& e) {
  return {{"limit", e.limit},   {"basis", e.basis},     {"value", e.value},    {"limit_value", e.limit_value},
          {"action", e.action}, {"outcome", e.outcome}, {"message", e.message}};
}

nlohmann::json components_json(const std::vector<ChannelInfo>& channels) {
  nlohmann::json out = nlohmann::json::object();
  for (Component c : {Component::cpu, Component::dram, Component::gpu, Component::psys}) {
    std::set<std::string> methods;
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& ch : channels) {
      if (ch.component != c) continue;
      methods.insert(std::string(to_string(ch.method)));
      devices.push_back({{"id", ch.id}, {"name", ch.name}, {"method", to_string(ch.method)}, {"source", ch.source}});
    }
    out[std::string(to_string(c))] = {{"present", !devices.empty()},
                                      {"methods", std::vector<std::string>(methods.begin(), methods.end())},
                                      {"devices", std::move(devices)}};
  }
  return out;
}

nlohmann::json summary_json(const Snapshot& s) {
  nlohmann::json epochs = nlohmann::json::array();
  for (const auto& e : s.epochs) epochs.push_back(epoch_json(e));
  nlohmann::json history = nlohmann::json::array();
  for (const auto& f : s.prediction_history) history.push_back(forecast_json(f, s.pue));
  nlohmann::json budget = nlohmann::json::array();
  for (const auto& b : s.budget_events) budget.push_back(budget_event_json(b));
  nlohmann::json total = totals_json(s.epochs_total);
  total["epochs"] = s.epochs.size();
  total["intensity_g_per_kwh"] = s.intensity.g_per_kwh;
  total["intensity_source"] = s.intensity.source;
  total["intensity_kind"] = s.intensity.kind;
  return {{"version", kSummaryVersion},
          {"carbontracker_version", kVersion},
          {"pue", s.pue},
          {"pue_source", pue_source(s.pue)},
          {"components", components_json(s.channels)},
          {"epochs", std::move(epochs)},
          {"interrupted_epoch", s.interrupted ? epoch_json(*s.interrupted) : nlohmann::json(nullptr)},
          {"total", std::move(total)},
          {"whole_run", totals_json(s.whole_run)},
          {"intensity", intensity_json(s.intensity)},
          {"prediction", s.prediction ? forecast_json(*s.prediction, s.pue) : nlohmann::json(nullptr)},
          {"paper_prediction", s.paper_prediction ? forecast_json(*s.paper_prediction, s.pue) : nlohmann::json(nullptr)},
          {"prediction_history", std::move(history)},
          {"budget_events", std::move(budget)},
          {"stopped_by_budget", s.stopped_by_budget},
          {"finished", s.finished},
          {"warnings", s.warnings},
          {"command", s.command},
          {"planned_epochs", s.planned_epochs ? nlohmann::json(*s.planned_epochs) : nlohmann::json(nullptr)},
          {"setup", s.setup ? totals_json(*s.setup) : nlohmann::json(nullptr)},
          {"wrap_up", s.wrap_up ? totals_json(*s.wrap_up) : nlohmann::json(nullptr)}};
}

}  // namespace carbontracker::outputs
