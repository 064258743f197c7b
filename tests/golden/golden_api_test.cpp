// Golden runs of the C++ API (issue 13, "What must show"): the console at verbose 1 and 2, the
// Python-format logs, the JSON Lines event log and the summary JSON of fixed runs, byte for byte.
// See tests/golden/README.md for what is normalised and how to regenerate.
#include <gtest/gtest.h>

#include "golden_scenarios.hpp"

namespace carbontracker::golden {
namespace {

TEST(GoldenApi, CompleteRunWithPrediction) { expect_golden_run("api_complete", complete_run); }

TEST(GoldenApi, RunStoppedDuringEpoch2) { expect_golden_run("api_stopped", stopped_in_epoch_2); }

TEST(GoldenApi, WarnBudgetCrossed) { expect_golden_run("api_budget_warn", warn_budget_crossed); }

}  // namespace
}  // namespace carbontracker::golden
