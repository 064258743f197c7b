// Reader for our JSON Lines event log (`*_carbontracker_events.jsonl`, schema v1,
// docs/log-format.md) into a RunData.
//
// Contract:
// - Each line is decoded by outputs::decode (outputs/event_codec.hpp), the codec the tracker
//   writes with: the typed records, their version and the damaged fields it names become RunData.
// - Input is the file's bytes. Each line is one record; a line that is not a JSON object is
//   skipped with a ReadIssue "file:line: reason" (a torn last line, from a run killed while
//   writing, is named as such). Unknown record types and unknown keys are ignored; a record with
//   `v` > 1 is read for the keys v1 defines, with one issue per file. A key of the wrong type is
//   read as absent, except the energies: a bare NaN / Infinity in a line (Python's json.dumps
//   writes them) is read, and an epoch energy (`energy_j.<present component>`,
//   `facility_energy_j`) or a total's / printed forecast's `energy_kwh` that is null, NaN,
//   infinite, negative or not a number, or a CO2eq that is negative, NaN or infinite, marks that
//   epoch (EpochData::damaged) or block (Consumption::damaged) with an issue at its line. A null
//   CO2eq is "not known", not damaged. Never throws for bad input, never crashes.
// - Filled: version, pue, devices (component -> device names, present components only), channels,
//   power timeline, epochs (exact device energy per present component, facility energy, CO2eq,
//   intensity, estimated energy, complete), predictions (every refit; `printed_prediction` indexes
//   the one printed, which is also `predicted`), `actual` (from `run_end.total`), whole run,
//   measured/estimated energy, intensity (average over the completed epochs, else the one in force
//   at the start), its source and kind, budget stop, warnings, job (run_start's `job`), finished, early_stop (fewer
//   completed epochs than monitor_epochs). The interrupted epoch of `run_end` is not an epoch here
//   (the actual figures exclude it too); it is part of the whole run.
// - The event log does not store the interpretable equivalents: `actual`/`predicted` get
//   "km travelled by car" computed with the tracker's factor (106.8 g/km, EEA 2024).
// - Units: SI (s, J, g) except names ending in _kwh. CO2eq that the log wrote as null is NaN in
//   Consumption and std::nullopt in EpochData.
// - Thread-safe: a pure function of its arguments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/run_data.hpp"

namespace carbontracker::report {

inline constexpr double kCarGramsPerKmForEvents = 106.8;

// std::nullopt when no record at all could be read (empty file, or nothing but damaged lines).
// Sets format and file fields except `file`/`stem`, which the caller knows.
std::optional<RunData> read_event_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues);

}  // namespace carbontracker::report
