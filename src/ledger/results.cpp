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
