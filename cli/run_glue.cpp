#include "run_glue.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "error_text.hpp"

namespace carbontracker::cli {
namespace {

constexpr const char* kStartupNote =
    "Note: epoch 1 includes the command's start-up (interpreter, imports, data loading), so the "
    "prediction is on the high side; --epoch-start-pattern or the control channel reports set-up apart.";

std::string patterns_text(const RunPlan& plan) {
  std::string out;
  if (plan.epoch_pattern) out = fmt::format("--epoch-pattern '{}'", *plan.epoch_pattern);
  if (plan.epoch_start_pattern) {
    out += (out.empty() ? "" : " and ") + fmt::format("--epoch-start-pattern '{}'", *plan.epoch_start_pattern);
  }
  return out;
}

}  // namespace

template <class F>
void RunGlue::guarded(F&& f) {
  // The training is the child's: a tracker error is reported, never a reason to stop it.
  try {
    f();
  } catch (const std::exception& e) {
    std::cerr << error_line(e) << '\n';
  }
  act_on_decisions();
}

// The first epoch starts before the command does: a short command can use energy before the
// runner reads its first line (seen: 300 of 400 J in the epochs, the rest only in the whole run).
void RunGlue::on_spawning() {
  guarded([&] { tracker_.mark_work_start(); });
}

void RunGlue::on_epoch_start(runner::EpochSource source) {
  if (source != runner::EpochSource::start) marked_ = true;
  guarded([&] {
    // One marker both ended the last epoch and starts this one: nothing falls between them; the
    // implicit first epoch starts where on_spawning() marked the start of the work.
    if (runner_.at_boundary() || source == runner::EpochSource::start) {
      tracker_.epoch_start_continuing();
    } else {
      tracker_.epoch_start();
    }
    if (source == runner::EpochSource::start) tracker_.set_prediction_note(kStartupNote);
  });
  epoch_open_ = true;
}

void RunGlue::on_epoch_end(runner::EpochSource source) {
  if (source != runner::EpochSource::start) marked_ = true;
  epoch_open_ = false;
  ++completed_;
  guarded([&] { tracker_.epoch_end(); });
}

void RunGlue::on_epoch_discard() {
  marked_ = true;
  epoch_open_ = false;
  guarded([&] { tracker_.end_setup(); });
}

void RunGlue::on_tick() {
  guarded([&] { tracker_.check_budget_now(); });
}

void RunGlue::on_planned_epochs(long total) {
  pattern_total_ = total;
  if (!plan_.epochs) guarded([&] { tracker_.set_planned_epochs(static_cast<int>(total)); });
}

std::optional<int> RunGlue::planned() const {
  if (plan_.epochs) return plan_.epochs;
  if (pattern_total_ && *pattern_total_ >= 1) return static_cast<int>(*pattern_total_);
  return std::nullopt;
}

void RunGlue::act_on_decisions() {
  while (auto d = tracker_.take_decision()) {
    if (d->kind == Decision::Kind::budget_stop) {
      stopped_by_budget_ = true;
      runner_.request_stop("stopped by the budget: " + d->prompt);
      continue;
    }
    runner_.ask(d->prompt, [this, decision = *d](bool yes) {
      tracker_.decide(decision, yes);
      if (yes) return;
      (decision.event ? stopped_by_budget_ : stopped_by_user_) = true;
      runner_.request_stop(decision.event ? "stopped by the budget (answered n)" : "stopped by the user (answered n)");
    });
  }
}

std::vector<std::string> RunGlue::exit_warnings(const runner::RunResult& result, const Snapshot& snap) const {
  std::vector<std::string> out;
  const bool patterns = plan_.epoch_pattern || plan_.epoch_start_pattern;
  if (patterns && result.markers == 0) {
    out.push_back(fmt::format(
        "{} never matched any of the command's {} output line(s): {}; fix: test the pattern against the "
        "output the command prints (see docs/run-mode.md for recipes) or use the control channel",
        patterns_text(plan_), result.lines_read,
        marked_ ? "epochs came from the control channel only"
                : "the whole command was measured as one epoch, with no per-epoch figures"));
  }
  const bool ran_to_end = result.exit_code == 0 && !result.stopped;
  const auto plan = planned();
  const int seen = snap.epochs_completed;
  if (plan && marked_ && seen > *plan) {
    out.push_back(fmt::format("{} epochs seen, {} planned: the markers beyond the planned count were counted as "
                              "further epochs; fix: check the planned count (--epochs) and that the pattern matches "
                              "once per epoch",
                              seen, *plan));
  } else if (plan && marked_ && ran_to_end && seen < *plan) {
    out.push_back(fmt::format("{} epochs seen, {} planned, and the command exited normally: the epochs not seen "
                              "were not marked; fix: check the planned count (--epochs) and the pattern",
                              seen, *plan));
  }
  if (plan_.epochs && pattern_total_ && *pattern_total_ != *plan_.epochs) {
    out.push_back(fmt::format("--epochs {} was given but the output says {} epochs (the pattern's 'total' group); "
                              "{} was used for the forecast",
                              *plan_.epochs, *pattern_total_, *plan_.epochs));
  }
  if (marked_ && snap.epochs.size() >= kImplausibleMinEpochs) {
    std::vector<double> d;
    for (const auto& e : snap.epochs) d.push_back(e.totals.duration_s);
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
    const double median = d[d.size() / 2];
    if (median < kImplausibleEpochS) {
      out.push_back(fmt::format("{} epochs with a median of {:.3f} s each: faster than a training epoch plausibly "
                                "runs, the pattern probably matches progress lines{}; fix: match a line printed once "
                                "per epoch, or add (?P<epoch>\\d+) so repeats of the same epoch number are dropped",
                                seen, median,
                                result.repeated_markers > 0
                                    ? fmt::format(" ({} repeats were already dropped)", result.repeated_markers)
                                    : std::string()));
    }
  }
  return out;
}

void RunGlue::finish(const runner::RunResult& result) {
  try {
    if (!result.started) {
      std::string why = "the command could not be started";
      if (!result.warnings.empty()) why += " (" + result.warnings.front() + ")";
      tracker_.abandon(why);
      for (std::size_t i = 1; i < result.warnings.size(); ++i) tracker_.add_warning(result.warnings[i]);
      return;
    }
    for (const auto& w : result.warnings) tracker_.add_warning(w);
    if (epoch_open_) {
      const auto plan = planned();
      if (!marked_) {
        tracker_.end_last_epoch();  // no markers: the whole command is the one epoch
      } else if (plan && completed_ >= *plan) {
        tracker_.end_wrap_up();  // every planned epoch ended: what follows is wrap-up
      } else if (result.exit_code == 0 && !result.stopped) {
        tracker_.end_last_epoch();  // the time after the last marker is the last epoch
      }  // else: interrupted, reported as such by stop()
    }
    for (const auto& w : exit_warnings(result, tracker_.snapshot())) tracker_.add_warning(w);
  } catch (const std::exception& e) {
    std::cerr << error_line(e) << '\n';
  }
  try {
    tracker_.stop();  // the report and summary, whatever failed above
  } catch (const std::exception& e) {
    std::cerr << error_line(e) << '\n';
  }
}

}  // namespace carbontracker::cli
