// JSON for the tracker's results: the same objects in the event log (docs/log-format.md) and
// in the summary file (--summary-json, docs/summary-json.md). Energy in J except where a name
// says kWh; device energy per component, facility energy (x PUE), CO2eq in g.
//
// Written through JsonWriter (outputs/json_writer.hpp), never as nlohmann::json values, so that
// running out of memory while the tracker writes a record is a std::bad_alloc, not an abort.
// Each write_* function writes one value (an object) at the writer's current position.
#pragma once

#include <string>
#include <vector>

#include "carbontracker/results.hpp"
#include "outputs/json_writer.hpp"

namespace carbontracker::outputs {

struct JobRecord;

inline constexpr int kSummaryVersion = 1;

void write_energy(JsonWriter& w, const EnergyByComponent& e);
void write_totals(JsonWriter& w, const Totals& t);
void write_epoch(JsonWriter& w, const EpochRecord& e);
// energy_kwh is facility energy; device_energy_kwh = energy_kwh / pue beside it.
void write_forecast(JsonWriter& w, const Forecast& f, double pue);
// Where the PUE came from: the Python tool's default and its source, or the user's setting.
std::string pue_source(double pue);
void write_intensity(JsonWriter& w, const IntensityInfo& i);
void write_budget_event(JsonWriter& w, const BudgetEvent& e);
// Which components exist here and how they are measured: {"cpu": {"present", "methods"}, ...}.
void write_components(JsonWriter& w, const std::vector<ChannelInfo>& channels);

// The --summary-json document, as nlohmann::json::dump(indent) would print it.
// job: the process's place in a distributed job (the `job` object of the event log's run_start).
std::string summary_json_text(const Snapshot& s, int indent = 2, const JobRecord* job = nullptr);
// One budget event as a compact JSON object (the Python binding's BudgetExceeded payload).
std::string budget_event_json_text(const BudgetEvent& e);

}  // namespace carbontracker::outputs
