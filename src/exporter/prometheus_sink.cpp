#include "exporter/prometheus_sink.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "carbontracker/version.hpp"

namespace carbontracker::exporter {

std::string intensity_basis(IntensityKind kind) {
  std::string s(to_string(kind));
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

ChannelMetrics channel_metrics(const ChannelInfo& channel) {
  ChannelMetrics m;
  m.component = std::string(to_string(channel.component));
  m.device = channel.id;
  m.method = std::string(to_string(channel.method));
  return m;
}

PrometheusSink::PrometheusSink(std::shared_ptr<MetricsStore> store, RunLabels labels)
    : store_(std::move(store)), labels_(std::move(labels)) {
  state_.target = {{"host", labels_.host}, {"job_id", labels_.job_id}, {"rank", labels_.rank}};
  state_.info = {{"version", std::string(kVersion)}};
  for (const auto& l : labels_.info) state_.info.push_back(l);
}

void PrometheusSink::publish_locked() { store_->publish(std::make_shared<const MetricsSnapshot>(state_)); }

namespace {
constexpr double kJoulesPerKwh = 3.6e6;
}

void PrometheusSink::on_power(double t_s, std::span<const double> energy_j) {
  std::lock_guard lock(mutex_);
  if (finished_ || energy_j.size() != state_.channels.size()) return;
  double added_j = 0;
  // Per channel, its last finite point: a channel that gave no usable value for a while gets its
  // power over the whole gap, not 0 W from a NaN.
  last_energy_j_.resize(energy_j.size(), std::numeric_limits<double>::quiet_NaN());
  last_point_t_s_.resize(energy_j.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < energy_j.size(); ++i) {
    auto& c = state_.channels[i];
    const double e = energy_j[i];
    if (!std::isfinite(e)) continue;
    if (std::isfinite(last_energy_j_[i]) && t_s > last_point_t_s_[i]) {
      c.power_w = std::max(0.0, (e - last_energy_j_[i]) / (t_s - last_point_t_s_[i]));
    }
    if (e > c.energy_j) {
      added_j += e - c.energy_j;
      c.energy_j = e;
    }
    last_energy_j_[i] = e;
    last_point_t_s_[i] = t_s;
  }
  if (state_.intensity && state_.co2eq_g) *state_.co2eq_g += added_j * pue_ * state_.intensity->g_per_kwh / kJoulesPerKwh;
  publish_locked();
}

void PrometheusSink::on_event(const outputs::RunEvent& event) {
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        std::lock_guard lock(mutex_);
        if constexpr (std::is_same_v<T, outputs::RunStarted>) {
          state_.channels.clear();
          for (const auto& ch : e.record.channels) state_.channels.push_back(channel_metrics(ch));
          pue_ = e.record.pue;
          state_.intensity = IntensityMetrics{e.record.intensity.g_per_kwh, intensity_basis(e.record.intensity.kind)};
          state_.co2eq_g = 0.0;
          state_.epochs = 0;
          publish_locked();
        } else if constexpr (std::is_same_v<T, outputs::EpochEnded>) {
          if (e.epoch && e.epoch->complete) state_.epochs = std::max(state_.epochs.value_or(0), e.epoch->index);
          publish_locked();
        } else if constexpr (std::is_same_v<T, outputs::PredictionMade>) {
          const auto& f = e.record.forecast.forecast;
          state_.prediction = PredictionMetrics{f.energy_j, f.energy_j_low, f.energy_j_high};
          publish_locked();
        } else if constexpr (std::is_same_v<T, outputs::IntensityChanged>) {
          state_.intensity = IntensityMetrics{e.intensity.g_per_kwh, intensity_basis(e.intensity.kind)};
          publish_locked();
        } else if constexpr (std::is_same_v<T, outputs::RunFinished>) {
          if (!e.final_snapshot || finished_) return;
          const Snapshot& snap = *e.final_snapshot;
          finished_ = true;
          // The final totals are the report's (whole run, to the stop mark): per component, the
          // channels are brought to them in proportion to what each measured, never down.
          const auto& chans = snap.channels;
          if (chans.size() == state_.channels.size()) {
            for (const Component comp : {Component::cpu, Component::dram, Component::gpu, Component::psys}) {
              const double target = snap.whole_run.device_energy_j[comp];
              double sum = 0;
              std::size_t n = 0;
              for (std::size_t i = 0; i < chans.size(); ++i) {
                if (chans[i].component == comp) sum += state_.channels[i].energy_j, ++n;
              }
              if (n == 0 || !std::isfinite(target) || target <= sum) continue;
              for (std::size_t i = 0; i < chans.size(); ++i) {
                if (chans[i].component != comp) continue;
                auto& c = state_.channels[i];
                c.energy_j = sum > 0 ? c.energy_j * (target / sum) : target / static_cast<double>(n);
              }
            }
          }
          if (std::isfinite(snap.whole_run.co2eq_g)) {
            state_.co2eq_g = std::max(state_.co2eq_g.value_or(0.0), snap.whole_run.co2eq_g);
          }
          state_.epochs = std::max(state_.epochs.value_or(0), snap.epochs_completed);
          publish_locked();
        }
      },
      event);
}

}  // namespace carbontracker::exporter
