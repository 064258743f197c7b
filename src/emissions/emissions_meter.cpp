#include "emissions/emissions_meter.hpp"

#include <cmath>

#include "core/units.hpp"

namespace carbontracker::emissions {

void EmissionsMeter::on_channels(std::size_t count) { grams_.assign(count, 0.0); }

double EmissionsMeter::grams_per_joule() const noexcept {
  const double g_per_kwh = intensity_g_per_kwh_.load(std::memory_order_relaxed);
  // The intensity service only publishes finite, in-range values; a bad one never turns CO2eq into NaN.
  if (!std::isfinite(g_per_kwh) || g_per_kwh < 0) return 0.0;
  return g_per_kwh / kJoulesPerKwh;  // g/kWh -> g/J
}

void EmissionsMeter::on_energy(std::uint32_t channel, double energy_j) noexcept {
  if (channel < grams_.size()) grams_[channel] += energy_j * grams_per_joule();
}

double EmissionsMeter::tally(std::uint32_t channel) const noexcept {
  return channel < grams_.size() ? grams_[channel] : 0.0;
}

}  // namespace carbontracker::emissions
