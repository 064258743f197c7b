// The result types' operators and the names of their enums (include/carbontracker/results.hpp):
// in core, so every module that hands results around has them without linking the ledger.
#include "carbontracker/results.hpp"

namespace carbontracker {

double& EnergyByComponent::operator[](Component c) noexcept {
  switch (c) {
    case Component::cpu: return cpu_j;
    case Component::dram: return dram_j;
    case Component::gpu: return gpu_j;
    case Component::psys: return psys_j;
  }
  return psys_j;
}

double EnergyByComponent::operator[](Component c) const noexcept {
  return const_cast<EnergyByComponent&>(*this)[c];
}

EnergyByComponent& EnergyByComponent::operator+=(const EnergyByComponent& o) noexcept {
  cpu_j += o.cpu_j;
  dram_j += o.dram_j;
  gpu_j += o.gpu_j;
  psys_j += o.psys_j;
  return *this;
}

std::string_view to_string(IntensityKind k) noexcept {
  switch (k) {
    case IntensityKind::assumed: return "assumed";
    case IntensityKind::fixed: return "fixed";
    case IntensityKind::measured: return "measured";
    case IntensityKind::forecast: return "forecast";
    case IntensityKind::yearly_average: return "yearly average";
    case IntensityKind::marginal: return "marginal";
  }
  return "assumed";
}

std::string_view to_string(ForecastMethod m) noexcept { return m == ForecastMethod::paper ? "paper" : "robust"; }

std::string_view to_string(BudgetLimit l) noexcept {
  switch (l) {
    case BudgetLimit::max_energy_kwh: return "max_energy_kwh";
    case BudgetLimit::max_co2eq_g: return "max_co2eq_g";
    case BudgetLimit::max_duration_s: return "max_duration_s";
  }
  return "max_energy_kwh";
}

std::string_view to_string(BudgetBasis b) noexcept { return b == BudgetBasis::actual ? "actual" : "predicted"; }

std::string_view to_string(BudgetAction a) noexcept {
  switch (a) {
    case BudgetAction::warn: return "warn";
    case BudgetAction::ask: return "ask";
    case BudgetAction::stop: return "stop";
  }
  return "warn";
}

std::string_view to_string(BudgetOutcome o) noexcept {
  switch (o) {
    case BudgetOutcome::warned: return "warned";
    case BudgetOutcome::asked: return "asked";
    case BudgetOutcome::continued: return "continued";
    case BudgetOutcome::stopped: return "stopped";
  }
  return "warned";
}

Totals& Totals::operator+=(const Totals& o) noexcept {
  duration_s += o.duration_s;
  device_energy_j += o.device_energy_j;
  measured_j += o.measured_j;
  estimated_j += o.estimated_j;
  facility_energy_j += o.facility_energy_j;
  co2eq_g += o.co2eq_g;
  return *this;
}

}  // namespace carbontracker
