// JSON for the tracker's results: the same objects in the event log (docs/log-format.md) and
// in the summary file (--summary-json, docs/summary-json.md). Energy in J except where a name
// says kWh; device energy per component, facility energy (x PUE), CO2eq in g.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "carbontracker/results.hpp"

namespace carbontracker::outputs {

inline constexpr int kSummaryVersion = 1;

nlohmann::json energy_json(const EnergyByComponent& e);
nlohmann::json totals_json(const Totals& t);
nlohmann::json epoch_json(const EpochRecord& e);
// energy_kwh is facility energy; device_energy_kwh = energy_kwh / pue beside it.
nlohmann::json forecast_json(const Forecast& f, double pue);
// Where the PUE came from: the Python tool's default and its source, or the user's setting.
std::string pue_source(double pue);
nlohmann::json intensity_json(const IntensityInfo& i);
nlohmann::json budget_event_json(const BudgetEvent& e);
// Which components exist here and how they are measured: {"cpu": {"present", "methods"}, ...}.
nlohmann::json components_json(const std::vector<ChannelInfo>& channels);

// The --summary-json document.
nlohmann::json summary_json(const Snapshot& s);

}  // namespace carbontracker::outputs
