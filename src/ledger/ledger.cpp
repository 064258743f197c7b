#include "ledger/ledger.hpp"

#include <fmt/format.h>

namespace carbontracker::ledger {
namespace {

bool is_estimate(Method m) { return m == Method::estimated || m == Method::simulated; }

}  // namespace

bool channel_counts(const std::vector<std::optional<bool>>& in_use, std::size_t i) noexcept {
  return i >= in_use.size() || !in_use[i].has_value() || *in_use[i];
}

Totals window_totals(const std::vector<ChannelInfo>& channels, const Window& w,
                     const std::vector<std::optional<bool>>& in_use, double pue) {
  Totals t;
  t.duration_s = to_seconds(w.to->t - w.from->t);
  const std::size_t n = std::min({channels.size(), w.from->energy_j.size(), w.to->energy_j.size()});
  for (std::size_t i = 0; i < n; ++i) {
    if (!channel_counts(in_use, i)) continue;
    const double e = w.to->energy_j[i] - w.from->energy_j[i];
    t.device_energy_j[channels[i].component] += e;
    (is_estimate(channels[i].method) ? t.estimated_j : t.measured_j) += e;
  }
  t.facility_energy_j = t.device_energy_j.total_j() * pue;
  return t;
}

std::vector<std::string> window_notes(const std::vector<ChannelInfo>& channels, const Window& w,
                                      const std::vector<std::optional<bool>>& in_use) {
  std::vector<std::string> notes;
  const double duration_s = to_seconds(w.to->t - w.from->t);
  const std::size_t n = std::min({channels.size(), w.from->energy_j.size(), w.to->energy_j.size()});
  for (std::size_t i = 0; i < n; ++i) {
    if (!channel_counts(in_use, i)) continue;
    const auto& c = channels[i];
    if ((c.method == Method::counter || c.method == Method::power) && c.resolution_s > 0 &&
        duration_s < c.resolution_s) {
      notes.push_back(fmt::format("{} ({}): below resolution: the window ({:.3f} s) is shorter than the "
                                  "source's {:.3f} s update period, so its energy cannot be resolved",
                                  c.name, to_string(c.component), duration_s, c.resolution_s));
    }
    if (i < w.to->unmeasured_s.size() && i < w.from->unmeasured_s.size()) {
      const double gap = w.to->unmeasured_s[i] - w.from->unmeasured_s[i];
      if (gap > 0) {
        notes.push_back(fmt::format("{} ({}): {:.3f} s not measured (counter reset); that time's energy is "
                                    "missing, not zero",
                                    c.name, to_string(c.component), gap));
      }
    }
    // A failed read leaves the window's energy at the channel's last good read: say so, never a
    // silent 0 J (a lost device has its own note below).
    if (i < w.to->failed_reads.size() && i < w.from->failed_reads.size() && i < w.to->state.size() &&
        w.to->state[i] != ChannelState::lost && w.to->failed_reads[i] > w.from->failed_reads[i]) {
      notes.push_back(fmt::format("{} ({}): {} read(s) failed in this window; its energy here stops at the last "
                                  "good read{}",
                                  c.name, to_string(c.component), w.to->failed_reads[i] - w.from->failed_reads[i],
                                  c.method == Method::counter ? " (the counter catches up at its next good read)" : ""));
    }
    if (i < w.to->state.size() && i < w.from->state.size() && w.to->state[i] == ChannelState::lost &&
        w.from->state[i] != ChannelState::lost) {
      notes.push_back(fmt::format("{} ({}) was lost during this window; its energy stops at the last good read",
                                  c.name, to_string(c.component)));
    }
  }
  return notes;
}

EpochRecord make_epoch(int index, bool complete, const std::vector<ChannelInfo>& channels, const Window& w,
                       const std::vector<std::optional<bool>>& in_use, double pue, double start_s,
                       std::chrono::system_clock::time_point wall_start,
                       std::chrono::system_clock::time_point wall_end) {
  EpochRecord r;
  r.index = index;
  r.complete = complete;
  r.start_s = start_s;
  r.wall_start = wall_start;
  r.wall_end = wall_end;
  r.totals = window_totals(channels, w, in_use, pue);
  const std::size_t n = std::min(w.from->energy_j.size(), w.to->energy_j.size());
  r.channel_energy_j.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    r.channel_energy_j[i] = channel_counts(in_use, i) ? w.to->energy_j[i] - w.from->energy_j[i] : 0.0;
  }
  r.notes = window_notes(channels, w, in_use);
  return r;
}

}  // namespace carbontracker::ledger
