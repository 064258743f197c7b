#include "outputs/event_log_sink.hpp"

#include <type_traits>

namespace carbontracker::outputs {

Result<std::shared_ptr<EventLogSink>> EventLogSink::open(const std::filesystem::path& path) {
  auto log = EventLog::open(path);
  if (!log) return log.status();
  return std::make_shared<EventLogSink>(std::move(*log));
}

void EventLogSink::on_event(const RunEvent& event) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, RunStarted>) {
          log_->append(e.record);
        } else if constexpr (std::is_same_v<T, EpochEnded>) {
          log_->append_encoded([&](std::string& out) { append_epoch_line(out, *e.epoch); });
        } else if constexpr (std::is_same_v<T, PredictionMade>) {
          log_->append_encoded([&](std::string& out) { append_prediction_line(out, e.record); });
        } else if constexpr (std::is_same_v<T, BudgetDecided>) {
          log_->append(e.record);
        } else if constexpr (std::is_same_v<T, Warning>) {
          log_->append(WarningEvent{e.message});
        } else if constexpr (std::is_same_v<T, RunFinished>) {
          if (e.intensity_history) log_->append(*e.intensity_history);
          write_held_power();
          const Snapshot& s = *e.final_snapshot;
          log_->append(RunEndEvent{static_cast<std::size_t>(s.epochs_completed), TotalsRecord::of(s.epochs_total), TotalsRecord::of(s.whole_run),
                                   s.interrupted, s.stopped_by_budget});
          log_->flush();
        } else if constexpr (std::is_same_v<T, RunAbandoned>) {
          write_held_power();
          log_->append(RunNotMeasuredEvent{e.reason});
          log_->flush();
        }
        // Note, IntensityChanged, OutputFailed: not in the event log (version 1).
      },
      event);
}

void EventLogSink::on_power(double t_s, std::span<const double> energy_j) {
  std::lock_guard lock(power_mutex_);
  try {
    if (t_s - last_power_t_s_ < kPowerEveryS) {
      holding_ = true;
      held_t_s_ = t_s;
      held_energy_j_.assign(energy_j.begin(), energy_j.end());
      return;
    }
    holding_ = false;
    last_power_t_s_ = t_s;
    log_->append_encoded([&](std::string& out) { append_power_line(out, t_s, energy_j); });
  } catch (...) {  // out of memory on the sampler thread: drop this point
  }
}

void EventLogSink::write_held_power() {
  std::lock_guard lock(power_mutex_);
  if (!holding_) return;
  holding_ = false;
  last_power_t_s_ = held_t_s_;
  try {
    log_->append_encoded([&](std::string& out) { append_power_line(out, held_t_s_, held_energy_j_); });
  } catch (...) {  // out of memory: the run's end matters more than this point
  }
}

}  // namespace carbontracker::outputs
