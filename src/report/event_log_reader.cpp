#include "core/units.hpp"
#include "report/event_log_reader.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "outputs/event_codec.hpp"
#include "report/text_util.hpp"

namespace carbontracker::report {
namespace {

using outputs::Decoded;

std::optional<double> known(double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); }

Consumption consumption_from(double duration_s, double energy_kwh, double co2eq_g, std::optional<int> epochs) {
  Consumption c;
  c.epochs = epochs;
  c.duration_s = duration_s;
  c.energy_kwh = energy_kwh;
  c.co2eq_g = co2eq_g;
  if (std::isfinite(c.co2eq_g)) c.equivalents["km travelled by car"] = c.co2eq_g / kCarGramsPerKmForEvents;
  return c;
}

class EventReader {
 public:
  EventReader(const std::string& file, std::vector<ReadIssue>* issues) : file_(file), issues_(issues, file, 50) {}

  void record(const Decoded& d, int line) {
    using outputs::kEventLogVersion;
    ++records_;
    if (d.version && *d.version > kEventLogVersion && !newer_) {
      newer_ = true;
      issues_.add(line, "event log version " + std::to_string(*d.version) + " is newer than this reader (" +
                            std::to_string(kEventLogVersion) + "): only the keys of version " +
                            std::to_string(kEventLogVersion) + " are read");
    }
    if (!d.problem.empty()) issues_.add(line, d.problem);
    // No event: a later version's record type, ignored by design.
    if (d.event) std::visit([&](const auto& e) { on(e, d, line); }, *d.event);
  }

  std::optional<RunData> finish() {
    if (records_ == 0) return std::nullopt;
    if (!run_.measured_energy_j && !run_.epochs.empty()) {
      run_.measured_energy_j = measured_j_;
      run_.estimated_energy_j = estimated_j_;
    }
    // The average intensity over the completed epochs (a live provider may change it mid-run).
    double kwh = 0, g = 0;
    bool all_co2 = !run_.epochs.empty();
    for (const auto& e : run_.epochs) {
      if (e.facility_energy_j && e.co2eq_g) {
        kwh += kwh_from_j(*e.facility_energy_j);
        g += *e.co2eq_g;
      } else {
        all_co2 = false;
      }
    }
    if (run_.actual && run_.actual->energy_kwh > 0 && std::isfinite(run_.actual->co2eq_g)) {
      run_.intensity_g_per_kwh = run_.actual->co2eq_g / run_.actual->energy_kwh;
    } else if (all_co2 && kwh > 0) {
      run_.intensity_g_per_kwh = g / kwh;
    } else {
      run_.intensity_g_per_kwh = start_intensity_;
    }
    if (run_.finished && monitor_epochs_ && completed_ < *monitor_epochs_) run_.early_stop = true;
    return std::move(run_);
  }

  detail::IssueSink& issues() { return issues_; }

 private:
  void on(const outputs::RunStartEvent& r, const Decoded&, int) {
    run_.version = r.carbontracker_version;
    run_.pue = known(r.pue);
    if (r.monitor_epochs >= 0) monitor_epochs_ = r.monitor_epochs;
    start_intensity_ = known(r.intensity.g_per_kwh);
    run_.intensity_source = r.intensity.source;
    run_.intensity_kind = std::string(to_string(r.intensity.kind));
    present_known_ = true;
    if (r.present) {
      for (const auto& p : *r.present) {
        present_.insert(p.component);
        run_.devices[std::string(to_string(p.component))] = p.devices;
      }
    }
    run_.job = r.job;
    for (const auto& c : r.channels) {
      run_.channels.push_back({c.id, std::string(to_string(c.component)), c.name, std::string(to_string(c.method)), c.source});
    }
  }

  void on(const outputs::PowerEvent& p, const Decoded&, int) { run_.power.push_back({p.t_s, p.energy_j}); }

  void on(const outputs::EpochEvent& ev, const Decoded& dec, int line) {
    const EpochRecord& e = ev.epoch;
    EpochData d;
    d.index = e.index >= 0 ? e.index : static_cast<int>(run_.epochs.size()) + 1;
    d.complete = e.complete;
    d.duration_s = known(e.totals.duration_s).value_or(0.0);
    auto damaged = [&](const std::string& what) {
      if (d.damaged) return;
      d.damaged = ReadIssue{file_, line, "epoch " + std::to_string(d.index) + ": " + what};
      issues_.add(line, d.damaged->message + ": damaged; this epoch's energy is unknown and is not counted");
    };
    const EnergyByComponent& energy = e.totals.device_energy_j;
    for (const Component c : {Component::cpu, Component::dram, Component::gpu, Component::psys}) {
      // A component absent from the machine is written as 0 J: not a measurement.
      if (present_known_ && present_.count(c) == 0) continue;
      const std::string name(to_string(c));
      if (const auto* bad = dec.damage("epoch.energy_j." + name)) {
        damaged("energy_j." + name + " is " + bad->why);
        continue;
      }
      const double j = c == Component::cpu ? energy.cpu_j : c == Component::dram ? energy.dram_j
                     : c == Component::gpu ? energy.gpu_j : energy.psys_j;
      if (std::isnan(j)) continue;  // not in the line
      if (present_known_ || j != 0) d.energy_j[name] = j;
    }
    if (const auto* bad = dec.damage("epoch.facility_energy_j")) damaged("facility_energy_j is " + bad->why);
    else d.facility_energy_j = known(e.totals.facility_energy_j);
    if (const auto* bad = dec.damage("epoch.co2eq_g")) damaged("co2eq_g is " + bad->why);
    else d.co2eq_g = known(e.totals.co2eq_g);
    d.intensity_g_per_kwh = known(e.intensity_g_per_kwh);
    d.estimated_energy_j = known(e.totals.estimated_j);
    measured_j_ += known(e.totals.measured_j).value_or(0.0);
    estimated_j_ += d.estimated_energy_j.value_or(0.0);
    run_.epochs.push_back(std::move(d));
  }

  void on(const outputs::PredictionEvent& r, const Decoded& dec, int line) {
    const outputs::ForecastRecord& f = r.forecast;
    ForecastData p;
    p.after_epochs = f.forecast.after_epochs;
    p.epochs = f.forecast.epochs;
    p.duration_s = f.forecast.duration_s;
    p.energy_kwh = f.energy_kwh;
    p.energy_kwh_low = f.energy_kwh_low;
    p.energy_kwh_high = f.energy_kwh_high;
    p.co2eq_g = f.forecast.co2eq_g;
    p.co2eq_g_low = f.forecast.co2eq_g_low;
    p.co2eq_g_high = f.forecast.co2eq_g_high;
    p.intensity_g_per_kwh = f.forecast.intensity_g_per_kwh;
    if (r.printed && !run_.printed_prediction) {
      run_.printed_prediction = static_cast<int>(run_.predictions.size());
      Consumption c = consumption_from(p.duration_s, p.energy_kwh, p.co2eq_g, p.epochs);
      mark_damaged(c, dec, "forecast.", line, "the printed prediction");
      run_.predicted = std::move(c);
    }
    run_.predictions.push_back(p);
  }

  void on(const outputs::BudgetDecisionEvent& b, const Decoded&, int) {
    if (b.event.outcome == BudgetOutcome::stopped) run_.stopped_by_budget = true;
  }

  void on(const outputs::WarningEvent& w, const Decoded&, int) {
    if (!w.message.empty()) run_.warnings.push_back(w.message);
  }

  void on(const outputs::IntensityHistoryEvent& h, const Decoded&, int) {
    for (const auto& q : h.points) {
      if (!std::isnan(q.g_per_kwh) && q.end_unix_s > q.start_unix_s) {
        run_.intensity_history.push_back({q.start_unix_s, q.end_unix_s, q.g_per_kwh, q.kind});
      }
    }
  }

  void on(const outputs::RunEndEvent& r, const Decoded& dec, int line) {
    run_.finished = true;
    completed_ = r.epochs ? static_cast<int>(*r.epochs) : static_cast<int>(run_.epochs.size());
    const Totals& total = r.total.totals;
    run_.actual = consumption_from(total.duration_s, r.total.energy_kwh, total.co2eq_g, completed_);
    mark_damaged(*run_.actual, dec, "total.", line, "the run's total (run_end)");
    run_.measured_energy_j = known(total.measured_j);
    run_.estimated_energy_j = known(total.estimated_j);
    run_.whole_run_duration_s = known(r.whole_run.totals.duration_s);
    run_.whole_run_energy_kwh = known(r.whole_run.energy_kwh);
    run_.whole_run_co2eq_g = known(r.whole_run.totals.co2eq_g);
    if (r.stopped_by_budget) run_.stopped_by_budget = true;
  }

  // Nothing was measured: the run counts with no figure (basis none), and says why.
  void on(const outputs::RunNotMeasuredEvent& e, const Decoded&, int /*line*/) {
    run_.not_measured = e.reason;
    run_.finished = true;
  }

  // A total whose energy is missing, null, NaN or negative, or whose CO2eq is NaN or negative.
  void mark_damaged(Consumption& c, const Decoded& dec, const std::string& prefix, int line, const std::string& what) {
    std::string why;
    if (const auto* bad = dec.damage(prefix + "energy_kwh")) why = "energy_kwh is " + bad->why;
    else if (const auto* bad2 = dec.damage(prefix + "co2eq_g")) why = "co2eq_g is " + bad2->why;
    if (why.empty()) return;
    c.damaged = ReadIssue{file_, line, what + ": " + why};
    issues_.add(line, c.damaged->message + ": damaged; never added to a total");
  }

  std::string file_;
  detail::IssueSink issues_;
  RunData run_;
  int records_ = 0;
  bool newer_ = false;
  bool present_known_ = false;
  std::set<Component> present_;
  std::optional<int> monitor_epochs_;
  int completed_ = 0;
  std::optional<double> start_intensity_;
  double measured_j_ = 0, estimated_j_ = 0;
};

}  // namespace

std::optional<RunData> read_event_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues) {
  EventReader reader(file, issues);
  int number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    const bool last_torn = nl == std::string_view::npos;
    std::string_view line = text::trim(text.substr(0, nl));
    text.remove_prefix(last_torn ? text.size() : nl + 1);
    if (line.empty()) continue;
    auto decoded = outputs::decode(line, last_torn);
    if (const auto* why = std::get_if<std::string>(&decoded)) {
      reader.issues().add(number, *why);
      continue;
    }
    reader.record(std::get<Decoded>(decoded), number);
  }
  std::optional<RunData> run = reader.finish();
  if (run) run->format = "carbontracker-cpp-events-v1";
  return run;
}

}  // namespace carbontracker::report
