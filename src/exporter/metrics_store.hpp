// Where the metrics a scrape shows live between updates: one immutable MetricsSnapshot behind a
// shared pointer. Writers (the Prometheus sink, `monitor`) build a new snapshot and publish() it;
// readers (the HTTP server's threads) load() the current one and render from it.
//
// Why a mutex and not std::atomic<std::shared_ptr>: it is held only to copy or swap one pointer
// (no allocation, no rendering, no I/O under it), which is what the atomic would do with its own
// lock bit, and ThreadSanitizer understands a mutex. Loading never waits on the sampler or
// training thread for longer than a pointer copy.
//
// A live view reads when it is asked: the owner may set a refresher (the tracker's: read the
// sensors now, which publishes through the Prometheus sink), which refresh() runs before a scrape
// loads, at most once per kMinRefreshInterval whatever the scrape rate. It costs a scrape the
// sensor reads (microseconds; a mark on the training thread holds a sensor's lock no longer).
// set_refresher() waits for a refresh in flight, so once it returns the old one is never called
// again: the owner clears it before what it reads is destroyed.
#pragma once

#include <chrono>
#include <functional>

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

  static constexpr std::chrono::milliseconds kMinRefreshInterval{500};

  void set_refresher(std::function<void()> refresher) {
    std::lock_guard lock(refresh_mutex_);
    refresher_ = std::move(refresher);
  }
  // Runs the refresher unless one ran less than kMinRefreshInterval ago. Never throws.
  void refresh() const noexcept {
    std::lock_guard lock(refresh_mutex_);
    if (!refresher_) return;
    const auto now = std::chrono::steady_clock::now();
    if (refreshed_ && now - last_refresh_ < kMinRefreshInterval) return;
    refreshed_ = true;
    last_refresh_ = now;
    try {
      refresher_();
    } catch (...) {  // a scrape shows the last published values
    }
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const MetricsSnapshot> current_;
  mutable std::mutex refresh_mutex_;  // taken before mutex_ (the refresher publishes), never under it
  std::function<void()> refresher_;
  mutable bool refreshed_ = false;
  mutable std::chrono::steady_clock::time_point last_refresh_{};
};

}  // namespace carbontracker::exporter
