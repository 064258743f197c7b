// Internal to the HTML and PDF reports (html_report.cpp, html_charts.cpp, pdf_report*.cpp): units
// and number formatting for charts and tables, the markup of a figure, the four charts of a run and
// the summary chart. Same contract as html_report.hpp: locale-independent numbers, escaped text,
// "not in this log" for absent values.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "core/units.hpp"
#include "report/aggregate.hpp"
#include "report/run_data.hpp"
#include "report/svg_chart.hpp"

namespace carbontracker::report::html {

using svg::escape_html;
using svg::format_sig;

inline constexpr double kJPerKwh = kJoulesPerKwh;
inline const std::string kNotInLog = "<span class=\"na\">not in this log</span>";

// ---- Units: a chart picks one unit for its axis, a table cell one per value ------------------------

struct Unit {
  double factor;  // SI value / factor = value in this unit
  const char* name;
};

inline Unit pick(double max_abs, std::initializer_list<Unit> units) {
  Unit best = *units.begin();
  for (const Unit& u : units)
    if (max_abs >= u.factor) best = u;
  return best;
}
// Wh and its multiples only: what electricity bills and the printed reports use.
inline Unit energy_unit(double max_j) {
  return pick(max_j, {{3.6, "mWh"}, {3600, "Wh"}, {kJPerKwh, "kWh"}, {3.6e9, "MWh"}});
}
inline Unit mass_unit(double max_g) { return pick(max_g, {{1e-3, "mg"}, {1, "g"}, {1e3, "kg"}, {1e6, "t"}}); }
inline Unit power_unit(double max_w) { return pick(max_w, {{1e-3, "mW"}, {1, "W"}, {1e3, "kW"}}); }
inline Unit time_unit(double max_s) {
  return max_s > 7200 ? Unit{3600, "h"} : max_s > 300 ? Unit{60, "min"} : Unit{1, "s"};
}

inline std::string with_unit(double v, Unit u) { return format_sig(v / u.factor, 3) + " " + u.name; }
inline std::string energy_text(double j) {
  return std::isfinite(j) ? with_unit(j, energy_unit(std::abs(j))) : kNotInLog;
}
inline std::string kwh_text(double kwh) { return energy_text(kwh * kJPerKwh); }
inline std::string mass_text(double g) {
  return std::isfinite(g) ? with_unit(g, mass_unit(std::abs(g))) + " CO2eq" : kNotInLog;
}

inline std::string duration_text(double s) {
  if (!std::isfinite(s) || s < 0) return kNotInLog;
  if (s < 60) return format_sig(s, 3) + " s";
  const auto total = static_cast<long long>(std::llround(s));
  if (total < 3600) return fmt::format("{} min {:02} s", total / 60, total % 60);
  return fmt::format("{} h {:02} min", total / 3600, (total % 3600) / 60);
}

inline std::string component_colour(const std::string& c) {
  if (c == "cpu") return "#0072B2";
  if (c == "dram") return "#56B4E9";
  if (c == "gpu") return "#009E73";
  if (c == "psys") return "#CC79A7";
  return "#8C7A00";
}

inline bool is_estimate(const std::string& method) { return method == "estimated" || method == "simulated"; }

inline bool is_text_log(const RunData& r) { return r.format != "carbontracker-cpp-events-v1"; }

// ---- HTML building blocks ------------------------------------------------------------------------

inline std::string figure(const std::string& id, const std::string& heading, const std::string& body,
                          const std::string& caption) {
  return fmt::format("<figure class=\"chart-box\" id=\"{}\"><h3>{}</h3>{}<figcaption>{}</figcaption></figure>\n", id,
                     escape_html(heading), body, caption);
}

inline std::string why_not(const std::string& text) {
  return fmt::format("<p class=\"why-not\">{}</p>", escape_html(text));
}

// A chart of the report, shared by both outputs: the HTML report wraps it in a <figure>, the PDF
// report draws the same SVG with librsvg.
struct ChartFigure {
  std::string id;       // element id: "run-1-power"
  std::string heading;  // "Power over time"
  std::string svg;      // the chart (svg::render); empty when it cannot be drawn
  std::string why_not;  // plain text: why it is not drawn (when svg is empty)
  std::string caption;  // HTML-escaped text; may hold the "not in this log" span
};
inline ChartFigure drawn(const std::string& id, const std::string& heading, const svg::Chart& chart,
                         const std::string& caption) {
  return {id, heading, svg::render(chart), "", caption};
}
inline ChartFigure not_drawn(const std::string& id, const std::string& heading, const std::string& why) {
  return {id, heading, "", why, ""};
}
inline std::string figure_html(const ChartFigure& f) {
  return f.svg.empty() ? figure(f.id, f.heading, why_not(f.why_not), "") : figure(f.id, f.heading, f.svg, f.caption);
}

// The charts of one run; `id` prefixes their element ids ("run-1" -> "run-1-power").
ChartFigure power_chart(const RunData& r, const std::string& id);
ChartFigure epoch_energy_chart(const RunData& r, const std::string& id);
ChartFigure co2_chart(const RunData& r, const std::string& id);
ChartFigure intensity_chart(const RunData& r, const std::string& id);
// CO2eq per run (the summary of several runs): each run's best basis, predicted runs dashed.
ChartFigure summary_chart(const std::vector<RunFigures>& figs);

// The facts of a run's header (label, HTML fragment) and the warnings shown under them (plain
// text), shared by the HTML and PDF reports.
std::vector<std::pair<std::string, std::string>> run_facts(const RunData& r, const RunFigures& fig);
std::vector<std::string> run_notes(const RunData& r, const RunFigures& fig);

}  // namespace carbontracker::report::html
