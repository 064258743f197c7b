// A small builder of static SVG charts (lines, bars, areas, an interval band) for the HTML report:
// axes with "nice" ticks and labels, a legend, several series on one numeric x axis.
//
// Contract
//  - Output is an inline <svg> element (no scripts, no external references), text escaped for
//    HTML, numbers formatted with fmt (locale-independent: always '.' as decimal separator).
//  - Non-finite values (NaN, inf) are gaps: a line breaks there, a bar is left out and, when no
//    bar stands at that x, "n/a" is written in its place (class "bar-missing"). A chart with no
//    finite point at all draws its `empty_message` instead of empty axes.
//  - The legend lists the bands and the series that draw at least one point.
//  - Data attributes for tests and tooling: every series element carries data-series (its name);
//    each polyline carries data-points (its number of points); bars have class "bar".
//  - Pure functions, no state, thread-safe; throws only std::bad_alloc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace carbontracker::report::svg {

enum class SeriesKind { line, bar, area };

struct Series {
  std::string name{};  // legend text, e.g. "gpu" or "cpu (estimated)"
  SeriesKind kind = SeriesKind::line;
  std::vector<double> x{}, y{};  // same length; extra values of the longer one are ignored
  std::string color{};           // CSS colour; empty: the next one of the palette
  bool dashed = false;           // drawn dashed (the report uses it for estimates and predictions)
  bool markers = false;          // a dot per point (lines), with a tooltip
};

// A shaded interval between two curves, e.g. a prediction interval.
struct Band {
  std::string name{};
  std::vector<double> x{}, low{}, high{};
  std::string color{};
};

struct Chart {
  std::string title;    // accessible name (aria-label / <title>)
  std::string x_label;  // axis titles, with their unit: "time (min)"
  std::string y_label;
  std::vector<Series> series;
  std::vector<Band> bands;
  double width = 900, height = 320;  // viewBox; the SVG scales to its container's width
  bool y_from_zero = true;           // include 0 in the y range (energies, powers)
  bool x_from_zero = false;          // include 0 in the x range (time since the start)
  bool stacked_bars = false;         // bar series stacked at equal x (else side by side)
  bool integer_x_ticks = false;      // x ticks on whole numbers only (epochs)
  std::string empty_message = "no data";
};

// Axis ticks: multiples of a step of 1, 2 or 5 x 10^k covering [lo, hi] with about `target`
// ticks. lo == hi widens the range; non-finite input gives no ticks.
struct Ticks {
  double lo = 0, hi = 1, step = 1;  // the widened range (multiples of step) and the step
  std::vector<double> values;
};
Ticks nice_ticks(double lo, double hi, int target = 5, bool integers_only = false);

// A tick label: as many decimals as the step needs, no exponent for |v| in [1e-6, 1e9),
// "-0" never shown.
std::string tick_label(double v, double step);

// `digits` significant digits in fixed notation (no exponent; at most 12 decimals), trailing
// zeros kept so columns line up: format_sig(0.0001234, 3) == "0.000123"; exactly 0 is "0".
// Non-finite: "n/a".
std::string format_sig(double v, int digits = 3);

// Escapes & < > " ' for HTML text and attribute values.
std::string escape_html(std::string_view s);

// Draws the chart as an <svg> element.
std::string render(const Chart& chart);

// The palette used when a series has no colour (Okabe-Ito, readable for colour-blind readers).
const std::vector<std::string>& palette();

}  // namespace carbontracker::report::svg
