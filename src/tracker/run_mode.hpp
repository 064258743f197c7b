// The tracker's run-mode pieces (`carbontracker run`, TrackerEnvironment::open_ended): the
// planned count learnt while running, set-up and wrap-up reported on their own, the last epoch
// closed at the child's exit without a forecast (updated prediction lines and the whole-command
// breakdown are the report sink's: tracker/report_sink.hpp). The Tracker methods are declared in
// include/carbontracker/tracker.hpp.
#pragma once

#include <string>
#include <vector>

#include "carbontracker/results.hpp"

namespace carbontracker::tracker {

// Set-up and wrap-up are often under a second: "0:00:00" would hide them ("0.42 s" below a minute).
std::string time_text(double s);
// "<time>, <kWh> kWh, <g> g CO2eq" of a span's facility energy (set-up, wrap-up, whole command).
std::string figures_text(const Totals& t);

// argv as one line for the log: arguments with blanks or shell characters single-quoted,
// newlines escaped (the log stays one line per record).
std::string command_line_text(const std::vector<std::string>& argv);

// Each argument as valid UTF-8 (bytes that are not become U+FFFD: an argv is bytes, the summary
// and event log are JSON), and at most kMaxRecordedArgBytes long (then cut, with "...[+N bytes]"):
// the record names a run, it does not archive a 100 kB argument.
inline constexpr std::size_t kMaxRecordedArgBytes = 1024;
std::vector<std::string> utf8_safe(std::vector<std::string> argv);

}  // namespace carbontracker::tracker
