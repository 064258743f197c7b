// Parser for the carbontracker-compatible text logs: the "standard" log (`*_carbontracker.log`),
// the output log (`*_carbontracker_output.log`) and the error log (`*_carbontracker_err.log`), as
// written by this tracker and by the Python carbontracker v1.x and v2.x (formats:
// docs/log-format.md and the Python tool's loggerutil.py / tracker.py).
//
// Contract:
// - Input is the file's bytes (any bytes: binary garbage, NULs, CRLF, huge lines). Parsing is one
//   linear pass over the lines with plain string matching (no std::regex); it never throws for bad
//   input and never crashes; everything it cannot use becomes a ReadIssue "file:line: reason".
// - Lines are `YYYY-MM-DD HH:MM:SS[,mmm] - <message>`; output-log messages start `CarbonTracker: `
//   (stripped). Lines without a timestamp are read as messages too (the Python tool's report
//   blocks continue on such lines, and hand-made logs often lack timestamps).
// - Powers: `Average power usage (W) for <comp>: <value>` where value is a scalar (v2.x, ours),
//   `None`, or a bracketed numpy array (v1.x), possibly wrapped over several lines. In v1.x the
//   array holds one mean power per DEVICE of that component (tracker.py: np.mean(samples, axis=0)
//   over rows of per-device samples) and v1.x's own energy is np.multiply(avg, time).sum(), i.e.
//   the SUM over devices: so the component's power for an epoch is the sum of the array. A v2.x
//   scalar is the mean over all samples of all devices (the Python tool's under-count, kept as
//   logged but reported as an issue when the component has several devices); ours is already
//   the sum over devices.
// - Epochs: an "Epoch N:" line opens epoch N. Power lines met before it (after the previous
//   epoch's lines, with no Duration line yet) belong to it: a log that writes an epoch's powers
//   before its header is read as one epoch, not as an extra one.
// - Units: s, W, J, kWh, g (as the names say). Absent values are std::nullopt, never 0.
// - Thread-safe: pure functions of their arguments.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/run_data.hpp"

namespace carbontracker::report {

// One "Average power usage (W) for <comp>: <value>" line.
struct PowerLine {
  std::string component;
  std::vector<double> values_w;  // one per device (v1.x arrays) or one value; empty for None / nan
  bool bracketed = false;        // a v1.x numpy array
  bool none = false;             // the value was the scalar `None` (no sample in that epoch)
  int line = 0;
  // Non-empty when the value is None, nan, infinite or negative (values_w is then empty): why.
  std::string damage;
};

struct TextEpoch {
  int index = 0;  // from "Epoch N:"; one more than the previous epoch when the header is missing
  int line = 0;
  std::optional<double> duration_s;
  std::map<std::string, PowerLine> powers;  // component -> its line in this epoch
  bool header = false;  // opened by an "Epoch N:" line (not implied by a duration or power line)
};

// A "Predicted consumption" / "Actual consumption" report block.
struct TextBlock {
  Consumption consumption;
  bool equivalents_listed = false;  // a "This is equivalent to:" line (Python's parser: {} vs None)
  int line = 0;
};

// Everything one text log says, in file order.
struct TextLog {
  std::string version;  // first word after "carbontracker version"
  bool ours = false;    // "carbontracker version X (C++ carbontracker)"
  std::optional<double> pue;
  std::map<std::string, std::vector<std::string>> devices;  // lower-case component -> labels
  std::vector<std::string> device_order;  // the keys of `devices` in the order of their line
  int devices_line = 0;
  std::vector<TextEpoch> epochs;
  std::vector<double> durations_s;     // every "Duration:" line, in order (the Python parser's view)
  std::vector<PowerLine> power_lines;  // every power line, in order
  std::vector<TextBlock> predicted;  // every complete "Predicted consumption" block, in order
  std::vector<TextBlock> actual;     // every complete "Actual consumption" block, in order
  bool early_stop = false;             // "Training was interrupted"
  std::optional<double> intensity_g_per_kwh;       // "Average carbon intensity during training was X"
  std::optional<double> intensity_used_g_per_kwh;  // ours "Carbon intensity used: X", Python "... fetched: X"
  std::string intensity_kind, intensity_source;    // ours only
  std::optional<double> whole_run_duration_s, whole_run_energy_kwh, whole_run_co2eq_g;  // ours only
  bool python_v1 = false;  // bracketed power arrays seen
};

struct TextParseOptions {
  // A file that does not end in '\n': its last line is read like the others (as the Python
  // tool's parser reads it; a line cut mid-record then shows as an unreadable or incomplete
  // record). On: that line is dropped with an issue "the file ends mid-line".
  bool drop_torn_last_line = false;
  // Past this many issues for one file, the rest are counted in one summary issue.
  int max_issues = 50;
};

// Parses a standard or output log (the same messages can appear in either).
TextLog parse_text_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues,
                       const TextParseOptions& options = {});

// The messages of an error log (`... - MainThread - WARNING - <message>`), first line of each.
std::vector<std::string> parse_err_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues,
                                       const TextParseOptions& options = {});

// One run from its standard log and/or output log (either may be null). Epochs and devices come
// from the standard log (the output log's components line when there is no standard log), the
// report blocks from the output log (the standard log's when there is no output log). Fills
// everything but the file names and the stem.
RunData run_from_text_logs(const TextLog* std_log, const TextLog* output_log, const std::string& std_file,
                           std::vector<ReadIssue>* issues);

// "H:MM:SS" or "H:MM:SS.ss" (hours unbounded, optional leading '-') -> seconds.
std::optional<double> parse_hms(std::string_view text);

// The text after "The following components were found:" -> lower-case component -> device
// labels (trimmed). Device names may contain '.', '(' and ')': a component starts at the word
// before " with device(s) ".
// `order` (optional) receives the components in the order of the text.
std::map<std::string, std::vector<std::string>> parse_components(std::string_view text,
                                                                 std::vector<std::string>* order = nullptr);

}  // namespace carbontracker::report
