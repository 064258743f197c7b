// The glue of `carbontracker run` between the child runner (which knows epochs, not energy) and
// the tracker (which measures). It forwards boundaries, turns the tracker's decisions into
// questions or a stop, and at the child's exit closes the run the documented way
// (docs/run-mode.md): the time after the last marker is the last epoch (or wrap-up once the
// planned count is reached), and every way the markers disagree with the plan becomes one
// warning with the numbers, in the console, the logs and the summary JSON.
//
// Contract: every method runs on the run loop's thread; a tracker error is printed, never a
// reason to stop the child. finish() is called once, after ChildRunner::run() returned, and
// calls Tracker::stop() (or abandon() when the command never started).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "carbontracker/tracker.hpp"
#include "runner/child_runner.hpp"

namespace carbontracker::cli {

struct RunPlan {
  std::optional<int> epochs;  // --epochs (or config/env); nullopt: unknown until a pattern's total
  std::optional<std::string> epoch_pattern;
  std::optional<std::string> epoch_start_pattern;
};

// Epochs shorter than this (median, over at least kImplausibleMinEpochs) are not training epochs:
// the pattern most likely matches progress lines. tqdm redraws at most every 0.1 s.
inline constexpr double kImplausibleEpochS = 0.25;
inline constexpr std::size_t kImplausibleMinEpochs = 10;

class RunGlue final : public runner::RunObserver {
 public:
  RunGlue(Tracker& tracker, runner::ChildRunner& runner, RunPlan plan)
      : tracker_(tracker), runner_(runner), plan_(std::move(plan)) {}

  void on_spawning() override;
  void on_epoch_start(runner::EpochSource source) override;
  void on_epoch_end(runner::EpochSource source) override;
  void on_epoch_discard() override;
  void on_tick() override;
  void on_planned_epochs(long total) override;

  // Closes the run after the child exited; returns nothing, the caller picks the exit code.
  void finish(const runner::RunResult& result);

  [[nodiscard]] bool stopped_by_budget() const { return stopped_by_budget_; }
  [[nodiscard]] bool stopped_by_user() const { return stopped_by_user_; }

 private:
  template <class F>
  void guarded(F&& f);
  void act_on_decisions();
  [[nodiscard]] std::optional<int> planned() const;
  std::vector<std::string> exit_warnings(const runner::RunResult& result, const Snapshot& snap) const;

  Tracker& tracker_;
  runner::ChildRunner& runner_;
  RunPlan plan_;
  std::optional<long> pattern_total_;
  bool epoch_open_ = false;
  bool marked_ = false;  // a pattern or control marker was seen: epochs come from the child
  int completed_ = 0;
  bool stopped_by_budget_ = false;
  bool stopped_by_user_ = false;
};

}  // namespace carbontracker::cli
