// The tracker's outputs: a list of sinks (outputs/sink.hpp) and the one place that calls them.
//
// Contract:
// - add() every sink before the first emit(); the list is fixed from then on.
// - emit(): the training thread. Each inline sink gets the event now, in the order the sinks were
//   added; the deferred sinks get a copy (OwnedRunEvent) on the list's delivery thread, in the same
//   order, later. So epoch_end waits for the inline sinks' cheap work only, never for a deferred
//   sink. The delivery thread exists only while a deferred sink does; its queue holds at most
//   kMaxQueued events (beyond, events are dropped and that is reported once).
// - A sink that throws is switched off and its failure kept for take_failures(): one report, and
//   the event goes on to the other sinks. std::bad_alloc from an inline sink reaches the caller
//   (out of memory is reported as such everywhere in the tracker); the sink stays on.
// - take_failures(): the training thread; each failure (a throw, a status() that turned bad,
//   dropped events) is returned once. errors_only: only those of sinks whose failure is an error
//   of the run (Sink::failure_is_error); the others stay for a later call.
// - power_callback(): for the sampler; calls the inline sinks that want power points, on the
//   sampler thread. Empty when none does.
// - shutdown(timeout): inline sinks' shutdown(), then the delivery thread drains its queue and
//   shuts the deferred sinks down, within `timeout`; past it, the thread is left to finish alone
//   (it owns what it uses) and the rest of its queue is not delivered. Idempotent; the
//   destructor calls it with kShutdownTimeout.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "outputs/run_events.hpp"
#include "outputs/sink.hpp"

namespace carbontracker::outputs {

class SinkList {
 public:
  static constexpr std::size_t kMaxQueued = 4096;
  static constexpr std::chrono::milliseconds kShutdownTimeout{5000};

  SinkList();
  ~SinkList();
  SinkList(const SinkList&) = delete;
  SinkList& operator=(const SinkList&) = delete;

  void add(std::shared_ptr<Sink> sink);
  void emit(const RunEvent& event);
  void flush();

  struct Failure {
    std::string sink;
    Status status;
    bool is_error = false;
  };
  std::vector<Failure> take_failures(bool errors_only = false);

  std::function<void(double, std::span<const double>)> power_callback();
  void shutdown(std::chrono::milliseconds timeout);

  struct Entry;   // one added sink and its state (sink_list.cpp)
  struct Shared;  // with the delivery thread (sink_list.cpp)

 private:
  void start_delivery();
  std::shared_ptr<Shared> shared_;
  bool started_ = false;
  bool shut_ = false;
};

}  // namespace carbontracker::outputs
