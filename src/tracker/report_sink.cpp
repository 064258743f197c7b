#include "tracker/report_sink.hpp"

#include <algorithm>
#include <type_traits>

#include <fmt/format.h>

#include "carbontracker/tracker.hpp"
#include "core/units.hpp"
#include "outputs/devices_report.hpp"
#include "outputs/python_format.hpp"
#include "tracker/messages.hpp"
#include "tracker/run_mode.hpp"

namespace carbontracker::tracker {
namespace {

// The default PUE, the preset and the Python tool's value (whose sentence the log writes) are one.
static_assert(outputs::kPythonPue == kPueUptime2023);

outputs::ConsumptionFigures figures(double duration_s, double energy_j, double co2eq_g) {
  return {duration_s, kwh_from_j(energy_j), co2eq_g};
}

bool inside(double v, double low, double high) { return v >= low && v <= high; }

}  // namespace

void ReportSink::on_event(const outputs::RunEvent& event) {
  if (role_ == ConsoleRole::job_other) {
    const auto* n = std::get_if<outputs::Note>(&event);
    // Warnings, questions, and rank 0's stop order when it arrives.
    const bool shown = std::holds_alternative<outputs::Warning>(event) ||
                       std::holds_alternative<outputs::OutputFailed>(event) ||
                       std::holds_alternative<outputs::BudgetDecided>(event) ||
                       (n && n->level == outputs::NoteLevel::prompt);
    if (!shown) return;
  }
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, outputs::RunStarted>) {
          header(e);
        } else if constexpr (std::is_same_v<T, outputs::EpochEnded>) {
          epoch(e);
        } else if constexpr (std::is_same_v<T, outputs::PredictionMade>) {
          if (role_ != ConsoleRole::job_rank0) prediction(e);  // rank 0 prints the job's (JobPredicted)
        } else if constexpr (std::is_same_v<T, outputs::JobPredicted>) {
          if (role_ == ConsoleRole::job_rank0) job_predicted(e);
        } else if constexpr (std::is_same_v<T, outputs::BudgetDecided>) {
          budget(e);
        } else if constexpr (std::is_same_v<T, outputs::Note>) {
          note(e);
        } else if constexpr (std::is_same_v<T, outputs::Warning>) {
          log_->warning(e.wall, e.message);
        } else if constexpr (std::is_same_v<T, outputs::OutputFailed>) {
          // Not an error that stops anything: the run goes on, the console and the summary still work.
          if (reports_output_failures_) log_->warning({}, e.status.to_string());
        } else if constexpr (std::is_same_v<T, outputs::RunFinished>) {
          if (role_ != ConsoleRole::job_rank0) finished(e);
        } else if constexpr (std::is_same_v<T, outputs::JobFinished>) {
          if (role_ == ConsoleRole::job_rank0) job_finished(e);
        }
        // IntensityChanged: the end of the run says which intensity was used; RunAbandoned: the
        // Warning before it said why nothing is reported.
      },
      event);
}

void ReportSink::header(const outputs::RunStarted& e) {
  const auto& r = e.record;
  channels_ = r.channels;
  decimal_precision_ = e.decimal_precision;
  interpretable_ = e.interpretable;
  open_ended_ = e.open_ended;
  epochs_before_pred_ = r.epochs_before_pred;
  pue_ = r.pue;
  const auto t = e.wall;
  log_->info(t, version_line());
  if (!r.command.empty()) log_->info(t, "Command: " + command_line_text(r.command));
  const std::string pue_text = pue_line(r.pue);
  log_->info(t, pue_text);
  log_->console_only(pue_text);  // as the Python tool: in the std log, not the output log
  const std::string found = outputs::components_found(python_components(channels_));
  log_->info(t, found);
  log_->output(t, found);
  std::map<Component, std::string> elsewhere;  // a distributed job: what another process counts
  if (r.job) {
    for (const auto& s : r.sources) {
      if (s.available && !s.counted) elsewhere.emplace(s.info.component, s.reason);
    }
  }
  const std::string how = measurement_line(channels_, e.wanted, elsewhere);
  log_->info(t, how);
  log_->output(t, how);
  for (const auto& s : r.sources) {
    if (!s.available) {
      log_->info(t, fmt::format("Not available: {} {} ({}): {}{}", to_string(s.info.component), s.info.name,
                                s.info.source, s.reason, s.fix.empty() ? "" : "; fix: " + s.fix));
    } else if (r.job && !s.counted) {
      log_->info(t, fmt::format("Counted by another process: {} {} ({}): {}", to_string(s.info.component), s.info.name,
                                s.info.source, s.reason));
    }
  }
  for (const auto& c : channels_) {
    for (const auto& n : c.notes) log_->info(t, fmt::format("{} ({}): {}", c.name, to_string(c.component), n));
  }
  const std::string intensity_text = intensity_line(r.intensity);
  log_->info(t, intensity_text);
  log_->output(t, intensity_text);
  header_intensity_line_ = intensity_text;
}

void ReportSink::epoch(const outputs::EpochEnded& ev) {
  if (!log_->naming()) return;  // the epoch block is std log only: the console's sink skips it
  const auto t = ev.wall;
  const EpochRecord& e = *ev.epoch;
  // Each line formatted straight into the log's line buffer: the block costs no allocation.
  log_->info_format(t, "Epoch {}:", e.index);
  log_->info_format(t, "Duration: {}", outputs::EpochDuration{e.totals.duration_s});
  // The Python tool's two components: gpu, and cpu (which includes DRAM). Summed over devices.
  const auto& d = e.totals.device_energy_j;
  const double dur = e.totals.duration_s;
  bool has_gpu = false, has_host = false;
  for (const auto& c : channels_) (c.component == Component::gpu ? has_gpu : has_host) = true;
  if (has_gpu) log_->info_format(t, "{}", outputs::AveragePower{"gpu", dur > 0 ? d.gpu_j / dur : 0.0});
  if (has_host) log_->info_format(t, "{}", outputs::AveragePower{"cpu", dur > 0 ? (d.cpu_j + d.dram_j + d.psys_j) / dur : 0.0});
  for (const auto& n : e.notes) log_->info_format(t, "Note: {}", n);
}

void ReportSink::prediction(const outputs::PredictionMade& e) {
  const auto t = e.wall;
  const Forecast& robust = e.record.forecast.forecast;
  const Forecast& paper = e.record.paper.forecast;
  if (log_->writes_info()) log_->info(t, forecast_log_line(robust));  // the console's sink has no std log
  if (!e.record.printed) {
    // Run mode: an update is printed only when it leaves the interval printed before.
    if (!open_ended_ || !last_printed_) return;
    const Forecast& p = *last_printed_;
    if (inside(robust.energy_j, p.energy_j_low, p.energy_j_high) &&
        inside(robust.duration_s, p.duration_s_low, p.duration_s_high)) {
      return;
    }
    log_->output(t, fmt::format("Updated prediction after {} epoch(s) for {} epoch(s): {}, {:.9f} kWh, {:.6f} g CO2eq "
                                "({:.0f} % interval: energy {:.9f} to {:.9f} kWh); outside the interval printed after "
                                "{} epoch(s).",
                                robust.after_epochs, robust.epochs, time_text(robust.duration_s),
                                kwh_from_j(robust.energy_j), robust.co2eq_g, robust.confidence * 100,
                                kwh_from_j(robust.energy_j_low), kwh_from_j(robust.energy_j_high), p.after_epochs));
    last_printed_ = robust;
    return;
  }
  last_printed_ = robust;
  log_->output(t, outputs::consumption_block(fmt::format("Predicted consumption for {} epoch(s):", robust.epochs),
                                             figures(robust.duration_s, robust.energy_j, robust.co2eq_g),
                                             decimal_precision_, interpretable_));
  if (const auto basis = prediction_basis_line(robust, e.record.pue); !basis.empty()) log_->output(t, basis);
  const std::string interval = interval_line(robust, &paper);
  log_->output(t, interval);
  log_->info(t, interval);
  if (!e.note.empty()) log_->output(t, e.note);
}

void ReportSink::budget(const outputs::BudgetDecided& e) {
  const BudgetEvent& ev = e.record.event;
  const std::string text = "Budget: " + ev.message + ".";
  // A warned budget is on the console already (a Warning); the output log records it as well.
  if (ev.outcome == BudgetOutcome::warned) {
    log_->output_log_only(e.wall, text);
  } else if (ev.outcome != BudgetOutcome::asked) {
    log_->output(e.wall, ev.outcome == BudgetOutcome::stopped ? text + " Stopping the training." : text);
  }
}

void ReportSink::note(const outputs::Note& e) {
  switch (e.level) {
    case outputs::NoteLevel::log:
      log_->info(e.wall, e.text);
      break;
    case outputs::NoteLevel::output:
      log_->output(e.wall, e.text);
      break;
    case outputs::NoteLevel::prompt:
      log_->prompt(e.wall, e.text);
      break;
  }
}

void ReportSink::finished(const outputs::RunFinished& e) {
  const auto t = e.wall;
  const Snapshot& s = *e.final_snapshot;
  const std::string avg =
      fmt::format("Average carbon intensity during training was {:.2f} gCO2eq/kWh.", s.intensity.g_per_kwh);
  log_->info(t, avg);
  log_->output(t, avg);
  const std::string desc = epochs_before_pred_ == 0 && e.planned_epochs == 1
                               ? std::string("Actual consumption:")
                               : fmt::format("Actual consumption for {} epoch(s):", s.epochs_completed);
  const auto& tot = s.epochs_total;
  log_->output(t, outputs::consumption_block(desc, figures(tot.duration_s, tot.facility_energy_j, tot.co2eq_g),
                                             decimal_precision_, interpretable_));
  log_->output(t, energy_basis_line(tot, pue_));
  // The preamble said how each component is measured (that cannot change during a run) and
  // which intensity was in force: repeated only when the intensity changed since (a live value
  // arrived, several sources were used, the run ended before the provider answered).
  const std::string intensity_text = intensity_line(s.intensity);
  if (intensity_text != header_intensity_line_) log_->output(t, intensity_text);
  if (s.interrupted) {
    const auto& p = s.interrupted->totals;
    log_->output(t, fmt::format("Not included above: the interrupted epoch {} ({}, {:.9f} kWh, {:.6f} g CO2eq).",
                                s.interrupted->index, outputs::report_time(p.duration_s),
                                kwh_from_j(p.facility_energy_j), p.co2eq_g));
  }
  const auto& w = s.whole_run;
  if (open_ended_) {
    run_breakdown(t, s);
  } else if (w.duration_s - tot.duration_s > 0.01 * std::max(1.0, w.duration_s)) {
    log_->output(t, fmt::format("The whole run, time outside epochs included: {}, {:.9f} kWh, {:.6f} g CO2eq.",
                                outputs::report_time(w.duration_s), kwh_from_j(w.facility_energy_j), w.co2eq_g));
  }
  log_->info(t, "Monitoring thread ended.");
  log_->output(t, "Finished monitoring.");
}

namespace {

std::string rank_list(const std::vector<int>& ranks) {
  std::string s = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size(); ++i) s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s;
}

}  // namespace

void ReportSink::job_predicted(const outputs::JobPredicted& e) {
  const auto t = e.wall;
  const Forecast& f = e.forecast;
  log_->output(t, fmt::format("Job {}: predicted from epochs 1 to {} of its {} rank(s) (per epoch: the longest rank's "
                              "time, the ranks' summed energy and CO2eq).",
                              e.job_id, f.after_epochs, e.ranks));
  log_->output(t, outputs::consumption_block(fmt::format("Predicted consumption for {} epoch(s) of the job:", f.epochs),
                                             figures(f.duration_s, f.energy_j, f.co2eq_g), decimal_precision_,
                                             interpretable_));
  if (const auto basis = prediction_basis_line(f, e.pue); !basis.empty()) log_->output(t, basis);
  log_->output(t, interval_line(f, nullptr));
}

void ReportSink::job_finished(const outputs::JobFinished& e) {
  const auto t = e.wall;
  const outputs::JobTotals& j = e.job;
  std::string who = fmt::format("Job {} ({}): {}{} rank(s) reported, on {} host(s)", j.job_id.empty() ? "?" : j.job_id,
                                j.launcher, j.ranks.size(), j.world_size ? fmt::format(" of {}", *j.world_size) : "",
                                j.hosts);
  if (!j.missing_ranks.empty()) who += "; no log from " + rank_list(j.missing_ranks) + " (not counted)";
  if (!j.unfinished_ranks.empty()) {
    who += fmt::format("; {} had logged fewer epochs than rank 0 after {:.0f} s (counted with the epochs logged)",
                       rank_list(j.unfinished_ranks), j.waited_s);
  }
  if (!j.unmeasured_ranks.empty()) who += "; " + rank_list(j.unmeasured_ranks) + " measured nothing";
  log_->output(t, who + ".");
  const std::string desc = fmt::format("Actual consumption for {} epoch(s) of the job:", j.epochs);
  log_->output(t, outputs::consumption_block(desc, figures(j.total.duration_s, j.total.facility_energy_j, j.total.co2eq_g),
                                             decimal_precision_, interpretable_));
  log_->output(t, energy_basis_line(j.total, pue_));
  log_->output(t, "Time: the longest rank's. Each rank's own figures are in its logs (`carbontracker report --job " +
                      j.job_id + " LOG_DIR`).");
  log_->output(t, "Finished monitoring.");
}

void ReportSink::run_breakdown(outputs::WallTime t, const Snapshot& s) {
  if (s.setup) log_->output(t, "Set-up before the first epoch (not an epoch): " + figures_text(*s.setup) + ".");
  if (s.wrap_up) {
    log_->output(t, "After the last planned epoch (wrap-up, not an epoch): " + figures_text(*s.wrap_up) + ".");
  }
  log_->output(t, "The whole command, from start to exit: " + figures_text(s.whole_run) + ".");
}

}  // namespace carbontracker::tracker
