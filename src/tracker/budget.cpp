#include "tracker/budget.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/units.hpp"

namespace carbontracker::tracker {

namespace {

struct Limit {
  BudgetLimit limit;
  const char* name;
  const char* unit;
  std::optional<double> max;
  double actual;
  double predicted, low, high;
  const char* what;
};

std::string fmt_value(double v, const char* unit) {
  if (std::string_view(unit) == "s") {
    // Whole seconds from 10 s on; below, enough digits to show the value ("0.4 s", not "0 s").
    if (std::abs(v) >= 10 || v == std::floor(v)) return fmt::format("{:.0f} s", v);
    return fmt::format("{:.3g} s", v);
  }
  if (std::string_view(unit) == "kWh") return fmt::format("{:.9f} kWh", v);
  return fmt::format("{:.3f} {}", v, unit);
}

}  // namespace

std::optional<BudgetEvent> evaluate_budget(const Budget& budget, const Totals& actual, const Forecast* forecast,
                                           BudgetState& state) {
  const double kwh = to_kwh(Joules(actual.facility_energy_j)).value();
  Limit limits[] = {
      {BudgetLimit::max_energy_kwh, "max_energy_kwh", "kWh", budget.max_energy_kwh, kwh, 0, 0, 0, "energy"},
      {BudgetLimit::max_co2eq_g, "max_co2eq_g", "g", budget.max_co2eq_g, actual.co2eq_g, 0, 0, 0, "CO2eq"},
      {BudgetLimit::max_duration_s, "max_duration_s", "s", budget.max_duration_s, actual.duration_s, 0, 0, 0, "duration"},
  };
  if (forecast) {
    limits[0].predicted = to_kwh(Joules(forecast->energy_j)).value();
    limits[0].low = to_kwh(Joules(forecast->energy_j_low)).value();
    limits[0].high = to_kwh(Joules(forecast->energy_j_high)).value();
    limits[1].predicted = forecast->co2eq_g;
    limits[1].low = forecast->co2eq_g_low;
    limits[1].high = forecast->co2eq_g_high;
    limits[2].predicted = forecast->duration_s;
    limits[2].low = forecast->duration_s_low;
    limits[2].high = forecast->duration_s_high;
  }
  auto make = [&](const Limit& l, BudgetBasis basis, double value) {
    BudgetEvent e;
    e.limit = l.limit;
    e.basis = basis;
    e.value = value;
    e.limit_value = *l.max;
    e.action = budget.action;
    if (basis == BudgetBasis::actual) {
      e.message = fmt::format("the run has used {} of {}, over the budget {} = {}", fmt_value(value, l.unit), l.what,
                              l.name, fmt_value(*l.max, l.unit));
    } else {
      e.message = fmt::format("predicted {} for {} epochs is {} ({:.0f} % interval {} to {}), over the budget {} = {}",
                              l.what, forecast->epochs, fmt_value(value, l.unit), forecast->confidence * 100,
                              fmt_value(l.low, l.unit), fmt_value(l.high, l.unit), l.name, fmt_value(*l.max, l.unit));
    }
    state.fired.insert(std::string(l.name) + "/" + std::string(to_string(basis)));
    return e;
  };
  for (const auto& l : limits) {
    if (l.max && l.actual > *l.max && !state.fired.count(std::string(l.name) + "/actual")) {
      return make(l, BudgetBasis::actual, l.actual);
    }
  }
  if (forecast) {
    for (const auto& l : limits) {
      if (l.max && l.predicted > *l.max && !state.fired.count(std::string(l.name) + "/predicted") &&
          !state.fired.count(std::string(l.name) + "/actual")) {
        return make(l, BudgetBasis::predicted, l.predicted);
      }
    }
  }
  return std::nullopt;
}

}  // namespace carbontracker::tracker
