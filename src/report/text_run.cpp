// Assembles a RunData from a run's parsed standard and output logs (see text_logs.hpp).
#include <set>

#include "report/text_logs.hpp"
#include "report/text_util.hpp"

namespace carbontracker::report {

using detail::IssueSink;

RunData run_from_text_logs(const TextLog* std_log, const TextLog* output_log, const std::string& std_file,
                           std::vector<ReadIssue>* issues) {
  RunData run;
  const TextLog* main = std_log ? std_log : output_log;
  if (!main) return run;
  IssueSink sink(issues, std_file, TextParseOptions{}.max_issues);

  run.version = !main->version.empty() || !output_log ? main->version : output_log->version;
  run.pue = main->pue ? main->pue : (output_log ? output_log->pue : std::nullopt);
  run.devices = main->devices;
  if (run.devices.empty() && output_log) run.devices = output_log->devices;
  const bool v1 = (std_log && std_log->python_v1) || run.version.rfind("1.", 0) == 0;
  run.format = v1 ? "carbontracker-python-v1" : "carbontracker-text";

  // Report blocks: the output log has them; a standard log only in hand-made or merged logs.
  const TextLog* blocks = output_log && (!output_log->actual.empty() || !output_log->predicted.empty()) ? output_log
                                                                                                       : main;
  if (!blocks->predicted.empty()) run.predicted = blocks->predicted.front().consumption;  // the one printed
  if (!blocks->actual.empty()) run.actual = blocks->actual.back().consumption;            // the final one
  run.finished = run.actual.has_value();
  run.early_stop = main->early_stop || (output_log && output_log->early_stop);

  for (const TextLog* l : {std_log, output_log}) {
    if (!l) continue;
    if (!run.intensity_g_per_kwh) run.intensity_g_per_kwh = l->intensity_g_per_kwh;
    if (run.intensity_source.empty()) run.intensity_source = l->intensity_source;
    if (run.intensity_kind.empty()) run.intensity_kind = l->intensity_kind;
    if (!run.whole_run_energy_kwh && l->whole_run_energy_kwh) {
      run.whole_run_energy_kwh = l->whole_run_energy_kwh;
      run.whole_run_co2eq_g = l->whole_run_co2eq_g;
      run.whole_run_duration_s = l->whole_run_duration_s;
    }
  }
  for (const TextLog* l : {std_log, output_log}) {
    if (l && !run.intensity_g_per_kwh) run.intensity_g_per_kwh = l->intensity_used_g_per_kwh;
  }

  // Epochs (standard log): energy = the epoch's average power (summed over devices) x duration.
  if (!std_log) return run;
  // The components that log powers (a component listed as found but never logging a power line
  // is not measured in any epoch, and says nothing about one epoch being incomplete).
  std::set<std::string> components;
  for (const auto& p : std_log->power_lines) components.insert(p.component);
  for (const auto& te : std_log->epochs) {
    if (!te.duration_s) {
      sink.add(te.line, "epoch " + std::to_string(te.index) + " has no Duration line (truncated?); skipped");
      continue;
    }
    EpochData e;
    e.index = te.index;
    e.duration_s = *te.duration_s;
    if (e.duration_s < 0) {
      e.damaged = ReadIssue{std_file, te.line, "epoch " + std::to_string(te.index) + ": negative Duration"};
      sink.add(te.line, e.damaged->message + ": damaged; this epoch's energy is unknown and is not counted");
    }
    for (const auto& c : components) {
      const auto it = te.powers.find(c);
      if (it != te.powers.end() && !it->second.damage.empty() && (!e.damaged || it->second.line < e.damaged->line)) {
        // Reported where it was read (text_logs.cpp); kept here so that a total that needs this
        // epoch leaves the run out instead of counting it low.
        e.damaged =
            ReadIssue{std_file, it->second.line, "epoch " + std::to_string(te.index) + ": " + it->second.damage};
      }
      if (it == te.powers.end() || it->second.values_w.empty()) {
        e.complete = false;
        if (it == te.powers.end()) {
          sink.add(te.line, "epoch " + std::to_string(te.index) + " has no power line for " + c +
                                " (truncated?): its energy is unknown");
        }
        continue;
      }
      double w = 0;
      for (double v : it->second.values_w) w += v;
      e.energy_j[c] = w * e.duration_s;
    }
    run.epochs.push_back(std::move(e));
  }
  // Python carbontracker 2.x averages the samples of all devices of a component together.
  if (!std_log->ours && !v1 && run.version.rfind("2.", 0) == 0) {
    for (const auto& [c, d] : run.devices) {
      if (d.size() > 1 && components.count(c)) {
        sink.add(std_log->devices_line,
                 "Python carbontracker " + run.version + " logs the mean over the " + std::to_string(d.size()) +
                     " devices of " + c + ", not their sum: its " + c + " energy is likely under-counted about " +
                     std::to_string(d.size()) + "-fold (kept as logged)");
      }
    }
  }
  return run;
}

}  // namespace carbontracker::report
