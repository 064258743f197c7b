// The prediction refit off the training thread (issue 15: epoch_end must cost the training
// microseconds). Once the estimator's window is full, predict_robust + predict_paper take 15-35 µs,
// most of epoch_end without logs. A refit whose result nothing on the training thread needs at
// once (not the printed prediction, no budget to check against it) is handed to a worker; the
// tracker applies the result (the snapshot, the logs' prediction record) at the next epoch end,
// before that epoch's own record, or at stop: the logs keep their order, one epoch late at most.
//
// Contract
//  - One refit in flight at a time: post() hands one over, take() waits for it (no-op when none)
//    and must be called before the next post(). post() copies the inputs into a buffer the worker
//    owns (no allocation once warm); the result is what the same calls give on the caller's thread.
//    A refit the worker has not started when take() asks for it is computed by take() itself, so
//    the caller waits at most for the rest of a refit in progress, never for the scheduler to get
//    round to the worker on a busy machine.
//  - The thread starts at the first post(). If it cannot start, post() computes the refit itself.
//  - Thread-safety: post(), pending() and take() from one thread (the training thread).
//  - Never throws; a refit that failed (out of memory) gives no result.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "carbontracker/results.hpp"
#include "prediction/observed_history.hpp"
#include "prediction/predictor.hpp"

namespace carbontracker::tracker {

class RefitWorker {
 public:
  struct Result {
    Forecast robust;
    Forecast paper;
  };

  RefitWorker() = default;
  ~RefitWorker();
  RefitWorker(const RefitWorker&) = delete;
  RefitWorker& operator=(const RefitWorker&) = delete;

  void post(const prediction::ObservedHistory& observed, const prediction::ForecastSettings& settings) noexcept;
  [[nodiscard]] bool pending() const noexcept { return posted_; }
  // The posted refit's result, once computed (waits); nullopt when none was posted or it failed.
  std::optional<Result> take() noexcept;

 private:
  void run(std::stop_token stop);
  static std::optional<Result> compute(const prediction::ObservedHistory& observed,
                                       const prediction::ForecastSettings& settings) noexcept;

  bool posted_ = false;  // training thread only
  std::mutex mutex_;
  std::condition_variable_any cv_;
  bool job_ready_ = false;   // a job waits for the worker
  bool result_ready_ = false;
  prediction::ObservedHistory observed_;
  prediction::ForecastSettings settings_;
  std::optional<Result> result_;
  std::jthread thread_;
  bool inline_only_ = false;  // the thread could not start
};

}  // namespace carbontracker::tracker
