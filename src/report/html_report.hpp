// The HTML report of `carbontracker report --format html`: one self-contained file (inline CSS and
// SVG charts; no script, no font, no image, nothing fetched), one section per run and a summary of
// all runs when there are several. What each chart shows and how: docs/report-html.md.
//
// Contract
//  - Input: RunData as the log reader fills it; nothing is read from disk or the network (the
//    what-if table uses the country intensities compiled into the binary, src/intensity/tables.hpp).
//  - Honesty: estimated, simulated, assumed and predicted values say so where they appear; a value
//    the log does not hold is shown as "not measured" / "not in this log", never as 0; a chart that
//    cannot be drawn says why instead of showing empty axes.
//  - Numbers are formatted with fmt (locale-independent); every text from a log is HTML-escaped.
//  - Pure function of its inputs (plus the clock when options.generated_at is unset);
//    thread-safe; throws only std::bad_alloc.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "intensity/quote.hpp"
#include "report/run_data.hpp"

namespace carbontracker::report {

struct HtmlOptions {
  std::string title = "carbontracker report";
  // Shown in the header (UTC); unset: the time of the call.
  std::optional<std::chrono::system_clock::time_point> generated_at;
  // Problems met while reading the logs, listed at the end of the report.
  std::vector<ReadIssue> issues;
  // Intensity history per run (key: RunData::file), for the "other hours of the day" table. Runs
  // without one get "no hourly data" (RunData holds one intensity value per run or epoch).
  std::map<std::string, intensity::IntensitySeries> intensity_history;
};

std::string render_html_report(const std::vector<RunData>& runs, const HtmlOptions& options);

// ---- Pieces of the report, exposed for tests and for other outputs -----------------------------

// Mean power per interval of the power timeline, summed per component.
struct ComponentPower {
  std::string component;        // "cpu", "dram", "gpu", "psys"
  std::string label;            // legend text: "gpu", "cpu (estimated)", "cpu (partly estimated)"
  std::vector<double> t_s;      // midpoint of each interval, s since the run started
  std::vector<double> power_w;  // NaN where an interval cannot be used (counter reset, missing value)
};
// Intervals are merged (exactly, from cumulative energy) so that at most max_points remain.
std::vector<ComponentPower> component_power(const RunData& run, std::size_t max_points = 600);

// Device energy of one epoch in J: the sum of its components other than "total", else "total";
// nullopt when the epoch logged none.
std::optional<double> epoch_device_energy_j(const EpochData& e);

// Facility energy of one epoch in J: facility_energy_j when logged, else the device energy
// (components other than "total") x PUE (1 when not logged). nullopt when nothing was logged or
// the epoch holds a damaged value (EpochData::damaged).
std::optional<double> epoch_facility_energy_j(const RunData& run, const EpochData& e);

// One row of the what-if table: the run's facility energy at another country's yearly intensity.
struct WhatIfRow {
  std::string code;    // "DEU", "OWID_WRL"
  std::string entity;  // "Germany", "World"
  int year = 0;
  double g_per_kwh = 0;
  double co2eq_g = 0;
  std::string why;  // "largest economy #3", "lowest in the table", "world average"
};
// The 15 largest economies (IMF nominal GDP 2024), the world average, and the countries with the
// lowest and highest intensity in the shipped table; sorted by grams, then by code.
std::vector<WhatIfRow> what_if_countries(double facility_energy_kwh);

// The intensity history the run logged, as quotes (empty when it logged none).
intensity::IntensitySeries logged_intensity_series(const RunData& run);

// Mean intensity per UTC hour of day (0..23) of a history; nullopt for hours it does not cover.
std::vector<std::optional<double>> hourly_means(const intensity::IntensitySeries& history);

}  // namespace carbontracker::report
