// Budget policy: when does a run's actual or predicted consumption cross a user's limit.
//
// Contract: pure; the tracker acts on the event (warn, ask, stop). Each limit fires at most
// once per basis: once when the prediction first crosses it, once when the actual consumption
// does. Actual always wins over predicted when both cross at the same check.
//  - energy: facility energy (device x PUE) in kWh; CO2eq in g; duration in s.
//  - actual: the whole run so far (epochs or not); predicted: the forecast for all epochs.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "carbontracker/results.hpp"
#include "carbontracker/tracker.hpp"

namespace carbontracker::tracker {

struct BudgetState {
  std::set<std::string> fired;  // "<limit>/<basis>"
};

std::optional<BudgetEvent> evaluate_budget(const Budget& budget, const Totals& actual, const Forecast* forecast,
                                           BudgetState& state);

}  // namespace carbontracker::tracker
