// An output of the tracker: receives the run events (outputs/run_events.hpp) and turns them into
// a format, the way spdlog sinks or OpenTelemetry exporters receive records. The tracker holds a
// list of sinks (outputs/sink_list.hpp) and knows none of their formats.
//
// Contract (for whoever writes a sink):
// - Passive: a sink never owns a thread or a loop and never waits for anything; it is called.
// - Threads: on_event(), flush(), status() and shutdown() are called on one thread at a time:
//   the training thread for an inline sink, the dispatcher's delivery thread for a deferred one
//   (delivery()). on_power() alone is called by the sampler, one call at a time and in time
//   order, on its thread or on a scrape's (Sampler::refresh), and only for an inline sink whose
//   wants_power() is true: a sink that takes power points guards what on_power() shares.
// - Never throws. A sink that does anyway (a bug) is caught by the dispatcher, switched off and
//   reported once as a warning; epoch_end and the other sinks go on. Out of memory
//   (std::bad_alloc) is the exception: it reaches the caller as everywhere in the tracker.
// - Never blocks the training thread for I/O it can defer. An inline sink does cheap work only
//   (format a line, a buffered write); a sink whose I/O can be slow (network, a large render)
//   says Delivery::deferred and gets its events, copied, on the dispatcher's thread, so
//   epoch_end never waits for it.
// - flush(): push what is buffered to the kernel; called at each epoch end and at the run's end
//   (logs are flushed at each epoch end).
// - status(): ok, or why the sink stopped writing (a full disk, a size limit): the tracker reports
//   it once. failure_is_error(): such a failure is an error of the run, raised by the next API
//   call (the summary JSON), not only a warning.
// - shutdown(timeout): the last call; finish within `timeout` (close files, a last push).
//   Events may still arrive after RunFinished (a warning) until shutdown.
#pragma once

#include <chrono>
#include <span>
#include <string>

#include "core/status.hpp"
#include "outputs/run_events.hpp"

namespace carbontracker::outputs {

enum class Delivery { inline_call, deferred };

class Sink {
 public:
  virtual ~Sink() = default;
  // Names the output in messages ("the event log").
  [[nodiscard]] virtual std::string name() const = 0;
  virtual void on_event(const RunEvent& event) = 0;
  [[nodiscard]] virtual Delivery delivery() const { return Delivery::inline_call; }
  // Power timeline: cumulative energy per channel (RunStartEvent::channels order) at t_s since
  // the start, every sampler tick. Sampler thread.
  [[nodiscard]] virtual bool wants_power() const { return false; }
  virtual void on_power(double /*t_s*/, std::span<const double> /*energy_j*/) {}
  virtual void flush() {}
  [[nodiscard]] virtual Status status() const { return {}; }
  [[nodiscard]] virtual bool failure_is_error() const { return false; }
  virtual void shutdown(std::chrono::milliseconds /*timeout*/) {}
};

}  // namespace carbontracker::outputs
