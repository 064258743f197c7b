// The JSON Lines event log as a sink: each run event becomes its record (outputs/event_codec.hpp)
// in <stem>_carbontracker_events.jsonl (outputs/event_log.hpp writes the lines).
//
// Contract: as outputs/sink.hpp, inline (a buffered write per record). The power timeline comes
// from the sampler (on_power, on its thread or a scrape's, one call at a time) and is spilled at
// most every kPowerEveryS seconds, so memory stays flat and the log grows slowly
// (docs/log-format.md); the last point, if the spacing held it back, is written before run_end,
// so the records always reach the run's end. EventLog's mutex orders its lines with the training
// thread's. The log is flushed at the run's end (RunFinished, RunAbandoned) and at
// flush(). A write that fails stops the log; status() says why, once the tracker asks.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "outputs/event_log.hpp"
#include "outputs/sink.hpp"

namespace carbontracker::outputs {

class EventLogSink final : public Sink {
 public:
  static constexpr double kPowerEveryS = 5.0;

  // The file is created new (EventLog::open); a Status when it cannot be.
  static Result<std::shared_ptr<EventLogSink>> open(const std::filesystem::path& path);
  explicit EventLogSink(std::unique_ptr<EventLog> log) : log_(std::move(log)) {}

  [[nodiscard]] std::string name() const override { return "event log"; }
  void on_event(const RunEvent& event) override;
  [[nodiscard]] bool wants_power() const override { return true; }
  void on_power(double t_s, std::span<const double> energy_j) override;
  void flush() override { log_->flush(); }
  [[nodiscard]] Status status() const override { return log_->status(); }
  void shutdown(std::chrono::milliseconds /*timeout*/) override { log_->flush(); }

 private:
  void write_held_power();

  std::unique_ptr<EventLog> log_;
  std::mutex power_mutex_;          // on_power's state: it and the run's end run on different threads
  double last_power_t_s_ = -1e300;
  bool holding_ = false;            // the newest point, not written (too close to the last one)
  double held_t_s_ = 0;
  std::vector<double> held_energy_j_;
};

}  // namespace carbontracker::outputs
