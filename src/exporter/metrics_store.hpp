// Where the metrics a scrape shows live between updates: one immutable MetricsSnapshot behind a
// shared pointer. Writers (the Prometheus sink, `monitor`) build a new snapshot and publish() it;
// readers (the HTTP server's threads) load() the current one and render from it.
//
// Why a mutex and not std::atomic<std::shared_ptr>: it is held only to copy or swap one pointer
// (no allocation, no rendering, no I/O under it), which is what the atomic would do with its own
// lock bit, and ThreadSanitizer understands a mutex. A scrape therefore never waits on the
// sampler or training thread for longer than a pointer copy, and never causes a sensor read.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "exporter/metrics_text.hpp"

namespace carbontracker::exporter {

class MetricsStore {
 public:
  void publish(std::shared_ptr<const MetricsSnapshot> snapshot) {
    std::lock_guard lock(mutex_);
    current_.swap(snapshot);
    // The old snapshot (now in `snapshot`) is freed after the lock is released.
  }
  // Null before the first publish().
  [[nodiscard]] std::shared_ptr<const MetricsSnapshot> load() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const MetricsSnapshot> current_;
};

}  // namespace carbontracker::exporter
