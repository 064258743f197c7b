#include "core/units.hpp"
#include "report/aggregate.hpp"

#include <cmath>

#include <fmt/format.h>

namespace carbontracker::report {
namespace {

double sum_epochs_kwh(const RunData& r) {
  double j = 0;
  for (const auto& e : r.epochs) {
    if (e.facility_energy_j) {
      j += *e.facility_energy_j;
    } else {
      for (const auto& [comp, ej] : e.energy_j) j += ej * r.pue.value_or(1.0);
    }
  }
  return kwh_from_j(j);
}

// Where a consumption block cannot be counted: its reader's note, else a bad value it holds.
std::optional<ReadIssue> damage_of(const Consumption& c, const std::string& file, const char* what) {
  if (c.damaged) return c.damaged;
  if (!std::isfinite(c.energy_kwh) || c.energy_kwh < 0) {
    return ReadIssue{file, 0, fmt::format("{}: energy is {} kWh", what, c.energy_kwh)};
  }
  if (c.co2eq_g < 0 || std::isinf(c.co2eq_g)) {
    return ReadIssue{file, 0, fmt::format("{}: CO2eq is {} g", what, c.co2eq_g)};
  }
  return std::nullopt;
}

void from_consumption(RunFigures& f, const Consumption& c, int fallback_epochs) {
  f.epochs = c.epochs.value_or(fallback_epochs);
  f.duration_s = c.duration_s;
  f.energy_kwh = c.energy_kwh;
  f.co2eq_g = c.co2eq_g;
}

void mark_damaged(RunFigures& f, ReadIssue where) {
  f.basis = RunBasis::damaged;
  f.damage = std::move(where);
  f.duration_s = std::nan("");
  f.energy_kwh = std::nan("");
  f.co2eq_g = std::nan("");
}

}  // namespace

bool prediction_covers_more(const RunData& r) {
  return r.actual && r.predicted && !r.early_stop && !r.stopped_by_budget && r.actual->epochs && r.predicted->epochs &&
         *r.actual->epochs < *r.predicted->epochs;
}

RunFigures figures_for(const RunData& r) {
  RunFigures f;
  f.file = r.file;
  f.format = r.format;
  f.intensity_g_per_kwh = r.intensity_g_per_kwh;
  f.intensity_source = r.intensity_source;
  f.intensity_kind = r.intensity_kind;
  f.pue = r.pue;
  f.job = r.job;
  if (r.estimated_energy_j && r.measured_energy_j && *r.estimated_energy_j + *r.measured_energy_j > 0) {
    f.estimated_share = *r.estimated_energy_j / (*r.estimated_energy_j + *r.measured_energy_j);
  }
  if (r.not_measured) {
    f.basis = RunBasis::none;
    f.basis_note = "not measured: " + *r.not_measured;
    f.epochs = static_cast<int>(r.epochs.size());
    f.duration_s = f.energy_kwh = f.co2eq_g = std::nan("");
    return f;
  }
  if (prediction_covers_more(r)) {
    // monitor_epochs below the planned epochs: the actual block is the monitored part only.
    f.basis = RunBasis::predicted;
    from_consumption(f, *r.predicted, 0);
    f.basis_note = fmt::format(
        "monitored {} of {} epochs (monitor_epochs) and was not interrupted: training went on unmonitored, so it "
        "counts with its prediction for all {} epochs",
        *r.actual->epochs, *r.predicted->epochs, *r.predicted->epochs);
    f.measured = MeasuredPart{r.actual->epochs, r.actual->duration_s,
                              r.actual->damaged ? std::nan("") : r.actual->energy_kwh,
                              r.actual->damaged ? std::nan("") : r.actual->co2eq_g};
    if (auto d = damage_of(*r.predicted, r.file, "the prediction")) mark_damaged(f, std::move(*d));
    return f;
  }
  if (r.actual && (r.finished || r.early_stop || !r.predicted)) {
    f.basis = RunBasis::actual;
    from_consumption(f, *r.actual, static_cast<int>(r.epochs.size()));
    // The Python tool's stop() lowers its epoch counter by one even when no epoch was running, so
    // its actual block may say 11 epochs for 12 logged (and summed): the standard log counts.
    if (r.early_stop && r.format != "carbontracker-cpp-events-v1" && static_cast<int>(r.epochs.size()) > f.epochs) {
      f.epochs = static_cast<int>(r.epochs.size());
    }
    if (r.predicted && (r.early_stop || r.stopped_by_budget) && r.predicted->epochs &&
        f.epochs < *r.predicted->epochs) {
      f.basis_note = fmt::format("stopped early after {} of {} epochs: counts what it used, not its prediction",
                                 f.epochs, *r.predicted->epochs);
    }
    if (auto d = damage_of(*r.actual, r.file, "the actual consumption")) mark_damaged(f, std::move(*d));
  } else if (!r.epochs.empty()) {
    // Completed epochs of a run that did not finish: measured, but not the whole run.
    f.basis = RunBasis::partial;
    f.epochs = static_cast<int>(r.epochs.size());
    for (const auto& e : r.epochs) f.duration_s += e.duration_s;
    f.energy_kwh = sum_epochs_kwh(r);
    double g = 0;
    bool known = true;
    for (const auto& e : r.epochs) {
      if (e.co2eq_g) g += *e.co2eq_g;
      else known = false;
    }
    if (!known && r.intensity_g_per_kwh) {
      g = f.energy_kwh * *r.intensity_g_per_kwh;
      known = true;
    } else if (!known && r.predicted && r.predicted->energy_kwh > 0 && std::isfinite(r.predicted->co2eq_g) &&
               r.predicted->co2eq_g >= 0) {
      // Text logs hold no per-epoch CO2eq: the intensity the prediction used is the best known.
      g = f.energy_kwh * r.predicted->co2eq_g / r.predicted->energy_kwh;
      known = true;
    }
    // Even when a prediction exists (the Python tool would have used it), what the run really
    // used is what its completed epochs measured.
    f.co2eq_g = known ? g : std::nan("");
    for (const auto& e : r.epochs) {
      if (e.damaged) {
        mark_damaged(f, *e.damaged);
        break;
      }
    }
    if (f.basis == RunBasis::partial && (!std::isfinite(f.energy_kwh) || f.energy_kwh < 0)) {
      mark_damaged(f, ReadIssue{r.file, 0, fmt::format("the sum of its epochs is {} kWh", f.energy_kwh)});
    }
  } else if (r.predicted) {
    f.basis = RunBasis::predicted;
    from_consumption(f, *r.predicted, 0);
    if (auto d = damage_of(*r.predicted, r.file, "the prediction")) mark_damaged(f, std::move(*d));
  } else {
    f.basis = RunBasis::none;
    f.co2eq_g = std::nan("");
  }
  return f;
}

TotalFigures totals_for(const std::vector<RunFigures>& runs) {
  TotalFigures t;
  for (const auto& r : runs) {
    if (r.basis == RunBasis::none) continue;
    if (r.basis == RunBasis::damaged) {
      ++t.runs_damaged;
      continue;
    }
    ++t.runs;
    t.energy_kwh += r.energy_kwh;
    t.device_energy_kwh += r.pue && *r.pue > 0 ? r.energy_kwh / *r.pue : std::nan("");
    if (std::isfinite(r.co2eq_g)) t.co2eq_g += r.co2eq_g;
    else ++t.runs_without_co2;
    if (r.basis == RunBasis::actual) ++t.runs_actual;
    if (r.basis == RunBasis::partial) ++t.runs_partial;
    if (r.basis == RunBasis::predicted) {
      ++t.runs_predicted;
      t.predicted_energy_kwh += r.energy_kwh;
      if (r.measured) {
        ++t.runs_predicted_partly_measured;
        if (std::isfinite(r.measured->energy_kwh)) t.measured_part_energy_kwh += r.measured->energy_kwh;
      }
    }
  }
  return t;
}

}  // namespace carbontracker::report
