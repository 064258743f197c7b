#include "emissions/emissions.hpp"

#include <algorithm>

#include "core/units.hpp"

namespace carbontracker::emissions {

double window_co2eq_g(const std::vector<ChannelInfo>& channels, const ledger::Window& w,
                      const std::vector<std::optional<bool>>& in_use, double pue) {
  // The same channels, in the same order, as the ledger's energy sums (same rounding as ever).
  const std::size_t n = std::min({channels.size(), w.from->energy_j.size(), w.to->energy_j.size()});
  const auto& from = w.from->listener_tally;
  const auto& to = w.to->listener_tally;
  double grams = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!ledger::channel_counts(in_use, i)) continue;
    if (i < to.size() && i < from.size()) grams += to[i] - from[i];
  }
  return grams * pue;
}

double effective_intensity(const Totals& t, double fallback) {
  const double kwh = to_kwh(Joules(t.facility_energy_j)).value();
  return kwh > 0 ? t.co2eq_g / kwh : fallback;
}

Totals window_totals(const std::vector<ChannelInfo>& channels, const ledger::Window& w,
                     const std::vector<std::optional<bool>>& in_use, double pue) {
  Totals t = ledger::window_totals(channels, w, in_use, pue);
  t.co2eq_g = window_co2eq_g(channels, w, in_use, pue);
  return t;
}

EpochRecord make_epoch(int index, bool complete, const std::vector<ChannelInfo>& channels, const ledger::Window& w,
                       const std::vector<std::optional<bool>>& in_use, double pue, double current_intensity_g_per_kwh,
                       double start_s, std::chrono::system_clock::time_point wall_start,
                       std::chrono::system_clock::time_point wall_end) {
  EpochRecord r = ledger::make_epoch(index, complete, channels, w, in_use, pue, start_s, wall_start, wall_end);
  r.totals.co2eq_g = window_co2eq_g(channels, w, in_use, pue);
  r.intensity_g_per_kwh = effective_intensity(r.totals, current_intensity_g_per_kwh);
  return r;
}

}  // namespace carbontracker::emissions
