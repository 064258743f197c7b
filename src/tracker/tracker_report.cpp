// The tracker's writing half: what goes to the console, the carbontracker-compatible logs and
// the event log, and when. Formats: outputs/python_format.hpp (Python-compatible blocks),
// tracker/messages.hpp (our additional lines), outputs/results_json.hpp (event records).
#include <unistd.h>

#include <fmt/format.h>

#include "core/units.hpp"
#include "carbontracker/version.hpp"
#include "outputs/devices_report.hpp"
#include "outputs/python_format.hpp"
#include "outputs/results_json.hpp"
#include "tracker/messages.hpp"
#include "tracker/run_mode.hpp"
#include "tracker/tracker_impl.hpp"

namespace carbontracker {
namespace {

// The default PUE, the preset and the Python tool's value (whose sentence the log writes) are one.
static_assert(outputs::kPythonPue == kPueUptime2023);

outputs::ConsumptionFigures figures(double duration_s, double energy_j, double co2eq_g) {
  return {duration_s, kwh_from_j(energy_j), co2eq_g};
}

}  // namespace

void Tracker::Impl::warn(const std::string& message) {
  log->warning(now_wall(), message);
  if (events) events->append(outputs::WarningEvent{message});
  std::lock_guard lock(mutex);
  snap.warnings.push_back(message);
}

void Tracker::Impl::note_log_status() {
  // The text logs and the event log fail independently (the event log grows faster and usually
  // reaches a size limit first): each is reported once, when it stops.
  const auto report = [&](bool& reported, const Status& st) {
    if (reported || st.is_ok()) return;
    reported = true;
    // Not an error that stops anything: the run goes on, the console and the summary still work.
    if (console) *console << "CarbonTracker: WARNING - " << st.to_string() << '\n' << std::flush;
    std::lock_guard lock(mutex);
    snap.warnings.push_back(st.to_string());
  };
  report(log_failure_reported, log->status());
  if (events) report(event_log_failure_reported, events->status());
}

void Tracker::Impl::write_header() {
  const auto t = now_wall();
  log->info(t, tracker::version_line());
  if (!snap.command.empty()) log->info(t, "Command: " + tracker::command_line_text(snap.command));
  const std::string pue_text = tracker::pue_line(config.pue);
  log->info(t, pue_text);
  log->console_only(pue_text);  // as the Python tool: in the std log, not the output log
  const std::string found = outputs::components_found(tracker::python_components(channels));
  log->info(t, found);
  log->output(t, found);
  const std::string how = tracker::measurement_line(channels, derived.sensor_options.components);
  log->info(t, how);
  log->output(t, how);
  for (const auto& r : reports) {
    if (!r.available) {
      log->info(t, fmt::format("Not available: {} {} ({}): {}{}", to_string(r.info.component), r.info.name,
                               r.info.source, r.reason, r.fix.empty() ? "" : "; fix: " + r.fix));
    }
  }
  for (const auto& c : channels) {
    for (const auto& n : c.notes) log->info(t, fmt::format("{} ({}): {}", c.name, to_string(c.component), n));
  }
  const std::string intensity_text = tracker::intensity_line(snap.intensity);
  log->info(t, intensity_text);
  log->output(t, intensity_text);
  header_intensity_line = intensity_text;
  if (events) {
    outputs::RunStartEvent r;
    r.carbontracker_version = kVersion;
    r.pid = static_cast<int>(::getpid());
    r.start_unix_s = std::chrono::duration<double>(run_wall_start.time_since_epoch()).count();
    r.epochs = planned_known ? std::optional<int>(config.epochs) : std::nullopt;
    r.command = snap.command;
    r.epochs_before_pred = derived.epochs_before_pred;
    r.monitor_epochs = derived.monitor_epochs;
    r.update_interval_s = config.update_interval;
    r.pue = config.pue;
    r.intensity = snap.intensity;
    r.channels = channels;
    r.sources = reports;
    events->append(std::move(r));
  }
}

void Tracker::Impl::write_epoch(const EpochRecord& e) {
  const auto t = now_wall();
  log->info(t, fmt::format("Epoch {}:", e.index));
  log->info(t, "Duration: " + outputs::epoch_duration(e.totals.duration_s));
  // The Python tool's two components: gpu, and cpu (which includes DRAM). Summed over devices.
  const auto& d = e.totals.device_energy_j;
  const double dur = e.totals.duration_s;
  bool has_gpu = false, has_host = false;
  for (const auto& c : channels) (c.component == Component::gpu ? has_gpu : has_host) = true;
  if (has_gpu) log->info(t, outputs::average_power_line("gpu", dur > 0 ? d.gpu_j / dur : 0.0));
  if (has_host) log->info(t, outputs::average_power_line("cpu", dur > 0 ? (d.cpu_j + d.dram_j + d.psys_j) / dur : 0.0));
  for (const auto& n : e.notes) log->info(t, "Note: " + n);
  if (events) events->append(outputs::EpochEvent{e});
}

void Tracker::Impl::write_prediction(const Forecast& robust, const Forecast& paper) {
  const auto t = now_wall();
  log->output(t, outputs::consumption_block(fmt::format("Predicted consumption for {} epoch(s):", robust.epochs),
                                            figures(robust.duration_s, robust.energy_j, robust.co2eq_g),
                                            config.decimal_precision, config.interpretable));
  if (const auto basis = tracker::prediction_basis_line(robust, config.pue); !basis.empty()) log->output(t, basis);
  const std::string interval = tracker::interval_line(robust, &paper);
  log->output(t, interval);
  log->info(t, interval);
  if (!prediction_note.empty()) log->output(t, prediction_note);
}

void Tracker::Impl::write_actual(const Snapshot& s) {
  const auto t = now_wall();
  const std::string avg =
      fmt::format("Average carbon intensity during training was {:.2f} gCO2eq/kWh.", s.intensity.g_per_kwh);
  log->info(t, avg);
  log->output(t, avg);
  const std::string desc = derived.epochs_before_pred == 0 && config.epochs == 1
                               ? std::string("Actual consumption:")
                               : fmt::format("Actual consumption for {} epoch(s):", s.epochs.size());
  const auto& tot = s.epochs_total;
  log->output(t, outputs::consumption_block(desc, figures(tot.duration_s, tot.facility_energy_j, tot.co2eq_g),
                                            config.decimal_precision, config.interpretable));
  log->output(t, tracker::energy_basis_line(tot, config.pue));
  // The preamble said how each component is measured (that cannot change during a run) and
  // which intensity was in force: repeated only when the intensity changed since (a live value
  // arrived, several sources were used, the run ended before the provider answered).
  const std::string intensity_text = tracker::intensity_line(s.intensity);
  if (intensity_text != header_intensity_line) log->output(t, intensity_text);
  if (s.interrupted) {
    const auto& p = s.interrupted->totals;
    log->output(t, fmt::format("Not included above: the interrupted epoch {} ({}, {:.9f} kWh, {:.6f} g CO2eq).",
                               s.interrupted->index, outputs::report_time(p.duration_s), kwh_from_j(p.facility_energy_j),
                               p.co2eq_g));
  }
  const auto& w = s.whole_run;
  if (env.open_ended) {
    write_run_breakdown(s);
  } else if (w.duration_s - tot.duration_s > 0.01 * std::max(1.0, w.duration_s)) {
    log->output(t, fmt::format("The whole run, time outside epochs included: {}, {:.9f} kWh, {:.6f} g CO2eq.",
                               outputs::report_time(w.duration_s), kwh_from_j(w.facility_energy_j), w.co2eq_g));
  }
  log->info(t, "Monitoring thread ended.");
  log->output(t, "Finished monitoring.");
}

void Tracker::Impl::drain_sampler_warnings() {
  for (const auto& e : sampler->events_since(sampler_event_cursor)) warn(e.message);
}

}  // namespace carbontracker
