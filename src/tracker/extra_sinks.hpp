// Test-only: sinks added to every Tracker constructed on this thread while an ExtraSinksForTesting
// lives, after the tracker's own (tests/tracker/sink_events_test.cpp watches the event stream with
// them). Internal: not in the installed headers and not part of the public API.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "outputs/sink.hpp"

namespace carbontracker::tracker {

using SinkPtrs = std::vector<std::shared_ptr<outputs::Sink>>;

inline thread_local const SinkPtrs* t_extra_sinks = nullptr;

class ExtraSinksForTesting {
 public:
  explicit ExtraSinksForTesting(SinkPtrs sinks) : sinks_(std::move(sinks)), previous_(t_extra_sinks) {
    t_extra_sinks = &sinks_;
  }
  ~ExtraSinksForTesting() { t_extra_sinks = previous_; }
  ExtraSinksForTesting(const ExtraSinksForTesting&) = delete;
  ExtraSinksForTesting& operator=(const ExtraSinksForTesting&) = delete;

 private:
  SinkPtrs sinks_;
  const SinkPtrs* previous_;
};

}  // namespace carbontracker::tracker
