#include "tracker/refit_worker.hpp"

#include <system_error>

namespace carbontracker::tracker {

RefitWorker::~RefitWorker() {
  if (thread_.joinable()) {
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }
}

std::optional<RefitWorker::Result> RefitWorker::compute(const prediction::ObservedHistory& observed,
                                                        const prediction::ForecastSettings& settings) noexcept {
  try {
    return Result{prediction::predict_robust(observed, settings), prediction::predict_paper(observed, settings)};
  } catch (...) {  // std::bad_alloc: this refit is skipped; the next one tries again
    return std::nullopt;
  }
}

void RefitWorker::post(const prediction::ObservedHistory& observed,
                       const prediction::ForecastSettings& settings) noexcept {
  if (posted_) (void)take();
  posted_ = true;
  if (!inline_only_ && !thread_.joinable()) {
    try {
      thread_ = std::jthread([this](std::stop_token st) { run(st); });
    } catch (const std::system_error&) {
      inline_only_ = true;
    }
  }
  std::unique_lock lock(mutex_);
  try {
    observed_ = observed;  // reuses the buffers' capacity after the first refit
  } catch (...) {
    result_ = compute(observed, settings);
    result_ready_ = true;
    return;
  }
  settings_ = settings;
  if (inline_only_) {
    result_ = compute(observed_, settings_);
    result_ready_ = true;
    return;
  }
  result_ready_ = false;
  job_ready_ = true;
  lock.unlock();
  cv_.notify_all();
}

std::optional<RefitWorker::Result> RefitWorker::take() noexcept {
  if (!posted_) return std::nullopt;
  posted_ = false;
  std::unique_lock lock(mutex_);
  if (job_ready_) {
    // The worker has not started it (a busy machine did not schedule it yet): computing it here
    // costs what a refit on this thread always did, and never waits on the scheduler.
    job_ready_ = false;
    return compute(observed_, settings_);
  }
  cv_.wait(lock, [&] { return result_ready_; });
  result_ready_ = false;
  return std::move(result_);
}

void RefitWorker::run(std::stop_token stop) {
  std::unique_lock lock(mutex_);
  while (true) {
    if (!cv_.wait(lock, stop, [&] { return job_ready_; })) return;
    job_ready_ = false;
    // The training thread waits in take() only: computing under the lock blocks nobody else.
    result_ = compute(observed_, settings_);
    result_ready_ = true;
    cv_.notify_all();
  }
}

}  // namespace carbontracker::tracker
