// The Prometheus text exposition format (0.0.4) of the tracker's metrics: a value type holding
// what a scrape shows (MetricsSnapshot) and the one function that renders it.
//
// Contract
//  - render_metrics_text() is pure and thread-safe; it never throws except std::bad_alloc.
//  - Output: UTF-8, '\n' line ends, the last line ends with '\n'; per metric name one `# HELP`
//    and one `# TYPE` line, TYPE before the samples, all samples of a name together; label
//    values escaped (\\, \", \n); no timestamps (exporters must not set them); base units
//    (joules, watts, grams). Numbers are written locale-independently, shortest round-trip.
//  - A value that is not finite is left out (never NaN or Inf): "not measured" is an absent
//    sample, never 0. A metric with no sample left is left out whole (HELP and TYPE too).
//  - Labels: `target` (host, job_id, rank in the tracker; host alone in `monitor`) go on every
//    metric in the same order, so each metric has one label set; never a label named `job` or
//    `instance` (Prometheus attaches those at scrape time).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carbontracker::exporter {

using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

struct ChannelMetrics {
  std::string component;  // cpu, dram, gpu, psys
  std::string device;     // the channel's stable id ("powercap:intel-rapl:0", "nvml:GPU-...")
  std::string method;     // counter, power, estimated, simulated
  double energy_j = 0;    // device energy since the run (or the monitor) started
  std::optional<double> power_w;  // mean over the last interval; nullopt before two points
};

struct PredictionMetrics {
  double energy_j = 0, energy_j_low = 0, energy_j_high = 0;  // facility energy of the whole run
};

struct IntensityMetrics {
  double g_per_kwh = 0;
  std::string basis;  // assumed, fixed, measured, forecast, yearly_average, marginal
};

struct MetricsSnapshot {
  Labels target;  // host, job_id, rank (tracker) / host (monitor)
  Labels info;    // extra labels of carbontracker_info (version, mode, launcher, ...)
  std::vector<ChannelMetrics> channels;
  std::optional<double> co2eq_g;  // facility CO2eq so far
  std::optional<IntensityMetrics> intensity;
  std::optional<int> epochs;  // completed epochs
  std::optional<PredictionMetrics> prediction;
};

// `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
std::string escape_label_value(std::string_view value);

std::string render_metrics_text(const MetricsSnapshot& snapshot);

}  // namespace carbontracker::exporter
