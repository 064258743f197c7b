#include "report/aggregate.hpp"

#include <cmath>

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
  return j / 3.6e6;
}

}  // namespace

RunFigures figures_for(const RunData& r) {
  RunFigures f;
  f.file = r.file;
  f.format = r.format;
  f.intensity_g_per_kwh = r.intensity_g_per_kwh;
  f.intensity_source = r.intensity_source;
  if (r.estimated_energy_j && r.measured_energy_j && *r.estimated_energy_j + *r.measured_energy_j > 0) {
    f.estimated_share = *r.estimated_energy_j / (*r.estimated_energy_j + *r.measured_energy_j);
  }
  if (r.actual && (r.finished || r.early_stop || !r.predicted)) {
    f.basis = "actual";
    f.epochs = r.actual->epochs.value_or(static_cast<int>(r.epochs.size()));
    f.duration_s = r.actual->duration_s;
    f.energy_kwh = r.actual->energy_kwh;
    f.co2eq_g = r.actual->co2eq_g;
  } else if (!r.epochs.empty()) {
    // Completed epochs of a run that did not finish: measured, but not the whole run.
    f.basis = "partial";
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
    } else if (!known && r.predicted && r.predicted->energy_kwh > 0 && std::isfinite(r.predicted->co2eq_g)) {
      // Text logs hold no per-epoch CO2eq: the intensity the prediction used is the best known.
      g = f.energy_kwh * r.predicted->co2eq_g / r.predicted->energy_kwh;
      known = true;
    }
    // Even when a prediction exists (the Python tool would have used it), what the run really
    // used is what its completed epochs measured.
    f.co2eq_g = known ? g : std::nan("");
  } else if (r.predicted) {
    f.basis = "predicted";
    f.epochs = r.predicted->epochs.value_or(0);
    f.duration_s = r.predicted->duration_s;
    f.energy_kwh = r.predicted->energy_kwh;
    f.co2eq_g = r.predicted->co2eq_g;
  } else {
    f.basis = "none";
    f.co2eq_g = std::nan("");
  }
  return f;
}

TotalFigures totals_for(const std::vector<RunFigures>& runs) {
  TotalFigures t;
  for (const auto& r : runs) {
    if (r.basis == "none") continue;
    ++t.runs;
    t.energy_kwh += r.energy_kwh;
    if (std::isfinite(r.co2eq_g)) t.co2eq_g += r.co2eq_g;
    else ++t.runs_without_co2;
    if (r.basis == "actual") ++t.runs_actual;
    if (r.basis == "partial") ++t.runs_partial;
    if (r.basis == "predicted") {
      ++t.runs_predicted;
      t.predicted_energy_kwh += r.energy_kwh;
    }
  }
  return t;
}

}  // namespace carbontracker::report
