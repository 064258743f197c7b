// The SVG chart builder of the HTML report: ticks, labels, escaping, gaps (NaN), empty charts,
// bars, bands and the data attributes the browser test counts.
#include "report/svg_chart.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <limits>
#include <regex>
#include <string>

namespace carbontracker::report::svg {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

using carbontracker::testing::count_of;

// The number of "x,y" pairs in every points="..." of polylines, in order.
std::vector<std::size_t> polyline_sizes(const std::string& svg) {
  std::vector<std::size_t> out;
  const std::regex re("<polyline[^>]* points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) {
    const std::string pts = (*it)[1];
    out.push_back(pts.empty() ? 0 : count_of(pts, " ") + 1);
  }
  return out;
}

TEST(NiceTicks, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  Ticks t = nice_ticks(0, 10, 5);
  EXPECT_DOUBLE_EQ(t.step, 2);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 10);
  EXPECT_EQ(t.values, (std::vector<double>{0, 2, 4, 6, 8, 10}));

  t = nice_ticks(0, 0.37, 5);
  EXPECT_DOUBLE_EQ(t.step, 0.1);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_NEAR(t.hi, 0.4, 1e-12);
  EXPECT_EQ(t.values.size(), 5u);

  t = nice_ticks(-3, 7, 5);
  EXPECT_DOUBLE_EQ(t.step, 2);
  EXPECT_DOUBLE_EQ(t.lo, -4);
  EXPECT_DOUBLE_EQ(t.hi, 8);

  t = nice_ticks(1234, 98765, 4);
  EXPECT_DOUBLE_EQ(t.step, 50000);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 100000);
}

TEST(NiceTicks, RangeCoversTheDataAndTicksAreMultiplesOfTheStep) {
  for (auto [lo, hi] :
       std::vector<std::pair<double, double>>{{0.0013, 0.0091}, {17, 1017}, {-0.5, 0.25}, {3e-7, 8e-7}}) {
    const Ticks t = nice_ticks(lo, hi, 5);
    EXPECT_LE(t.lo, lo);
    EXPECT_GE(t.hi, hi);
    ASSERT_GE(t.values.size(), 2u);
    EXPECT_LE(t.values.size(), 12u);
    for (double v : t.values) EXPECT_NEAR(std::remainder(v, t.step), 0, t.step * 1e-6) << v;
  }
}

TEST(NiceTicks, EqualEndsAreWidenedAndNonFiniteGivesNoTicks) {
  Ticks t = nice_ticks(5, 5, 5);
  EXPECT_LT(t.lo, 5);
  EXPECT_GT(t.hi, 5);
  t = nice_ticks(0, 0, 5);
  EXPECT_LT(t.lo, 0);
  EXPECT_GT(t.hi, 0);
  EXPECT_TRUE(nice_ticks(kNaN, 1, 5).values.empty());
  EXPECT_TRUE(nice_ticks(0, std::numeric_limits<double>::infinity(), 5).values.empty());
}

TEST(NiceTicks, IntegerTicksForEpochs) {
  const Ticks t = nice_ticks(0.5, 3.5, 8, true);
  EXPECT_DOUBLE_EQ(t.step, 1);
  for (double v : t.values) EXPECT_EQ(v, std::round(v));
}

TEST(TickLabel, DecimalsFollowTheStepAndNoMinusZero) {
  EXPECT_EQ(tick_label(0.30000000000000004, 0.1), "0.3");
  EXPECT_EQ(tick_label(2, 0.5), "2.0");
  EXPECT_EQ(tick_label(20000, 5000), "20000");
  EXPECT_EQ(tick_label(0.0025, 0.0005), "0.0025");
  EXPECT_EQ(tick_label(-1e-17, 0.1), "0.0");
  EXPECT_EQ(tick_label(-0.0, 1), "0");
  EXPECT_EQ(tick_label(3e9, 1e9), "3e+09");
  EXPECT_EQ(tick_label(kNaN, 1), "");
}

TEST(FormatSig, FixedNotationWithSignificantDigits) {
  EXPECT_EQ(format_sig(0.0001234, 3), "0.000123");
  EXPECT_EQ(format_sig(123456, 3), "123456");
  EXPECT_EQ(format_sig(12.3456, 3), "12.3");
  EXPECT_EQ(format_sig(1.0, 3), "1.00");
  EXPECT_EQ(format_sig(0, 3), "0");
  EXPECT_EQ(format_sig(-2.5, 2), "-2.5");
  EXPECT_EQ(format_sig(-0.00001, 1), "-0.00001");
  EXPECT_EQ(format_sig(-1e-15, 2), "0.000000000000");
  EXPECT_EQ(format_sig(kNaN, 3), "n/a");
}

TEST(Numbers, IgnoreTheLocale) {
  const char* old = std::setlocale(LC_ALL, nullptr);
  const std::string saved = old ? old : "C";
  if (!std::setlocale(LC_ALL, "de_DE.UTF-8")) GTEST_SKIP() << "de_DE.UTF-8 not generated (scripts/install-deps)";
  EXPECT_EQ(format_sig(1.5, 3), "1.50");
  EXPECT_EQ(tick_label(0.5, 0.1), "0.5");
  Chart c;
  c.series.push_back({.name = "s", .x = {0.5, 1.5}, .y = {2.25, 3.75}});
  const std::string svg = render(c);
  std::setlocale(LC_ALL, saved.c_str());
  EXPECT_EQ(svg.find("0,5"), std::string::npos);  // a decimal comma would read as a coordinate pair
}

TEST(EscapeHtml, AllFiveCharacters) {
  EXPECT_EQ(escape_html("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape_html("plain text"), "plain text");
  EXPECT_EQ(escape_html(""), "");
}

TEST(Render, TextIsEscapedEverywhere) {
  Chart c;
  c.title = "<script>alert(1)</script>";
  c.x_label = "x & \"y\"";
  c.y_label = "<b>";
  c.series.push_back({.name = "gpu <0>", .x = {0, 1}, .y = {1, 2}, .markers = true});
  const std::string svg = render(c);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("x &amp; &quot;y&quot;"), std::string::npos);
  EXPECT_NE(svg.find("data-series=\"gpu &lt;0&gt;\""), std::string::npos);
}

TEST(Render, OnePolylinePerRunOfFinitePointsWithItsCount) {
  Chart c;
  c.series.push_back({.name = "a", .x = {0, 1, 2, 3, 4, 5}, .y = {1, 2, kNaN, 4, 5, 6}});
  const std::string svg = render(c);
  EXPECT_EQ(polyline_sizes(svg), (std::vector<std::size_t>{2, 3}));
  EXPECT_NE(svg.find("data-points=\"2\""), std::string::npos);
  EXPECT_NE(svg.find("data-points=\"3\""), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(Render, ALonePointGetsAMarker) {
  Chart c;
  c.series.push_back({.name = "a", .x = {0, 1, 2}, .y = {kNaN, 3, kNaN}});
  const std::string svg = render(c);
  EXPECT_EQ(polyline_sizes(svg), (std::vector<std::size_t>{1}));
  EXPECT_EQ(count_of(svg, "<circle class=\"marker\""), 1u);
}

TEST(Render, InfiniteValuesAreGapsToo) {
  Chart c;
  c.series.push_back({.name = "a", .x = {0, 1, 2}, .y = {1, std::numeric_limits<double>::infinity(), 2}});
  EXPECT_EQ(polyline_sizes(render(c)), (std::vector<std::size_t>{1, 1}));
}

TEST(Render, EmptyChartsSayWhyInsteadOfDrawingAxes) {
  Chart c;
  c.empty_message = "no power timeline in this log";
  std::string svg = render(c);
  EXPECT_NE(svg.find("no power timeline in this log"), std::string::npos);
  EXPECT_EQ(svg.find("class=\"axes\""), std::string::npos);

  c.series.push_back({.name = "empty"});
  c.series.push_back({.name = "all nan", .x = {1, 2}, .y = {kNaN, kNaN}});
  svg = render(c);
  EXPECT_NE(svg.find("class=\"empty-message\""), std::string::npos);
  EXPECT_EQ(svg.find("<polyline"), std::string::npos);
}

TEST(Render, MismatchedLengthsUseTheShorter) {
  Chart c;
  c.series.push_back({.name = "a", .x = {0, 1, 2, 3}, .y = {1, 2}});
  EXPECT_EQ(polyline_sizes(render(c)), (std::vector<std::size_t>{2}));
}

TEST(Render, BarsOnePerFinitePointGroupedOrStacked) {
  Chart c;
  c.series.push_back({.name = "measured", .kind = SeriesKind::bar, .x = {1, 2, 3}, .y = {5, kNaN, 7}});
  c.series.push_back({.name = "estimated", .kind = SeriesKind::bar, .x = {1, 2, 3}, .y = {1, 1, 1}});
  std::string svg = render(c);
  EXPECT_EQ(count_of(svg, "<rect class=\"bar\" data-series=\"measured\""), 2u);
  EXPECT_EQ(count_of(svg, "<rect class=\"bar\" data-series=\"estimated\""), 3u);

  // Stacked: the y axis must reach the sum (8), so a tick of at least 8 exists.
  c.stacked_bars = true;
  svg = render(c);
  const std::regex tick("class=\"tick y\"[^>]*>([0-9.]+)<");
  double max_tick = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tick); it != std::sregex_iterator(); ++it)
    max_tick = std::max(max_tick, std::stod((*it)[1]));
  EXPECT_GE(max_tick, 8);
}

TEST(Render, AMissingBarKeepsItsSlotAndSaysNa) {
  Chart c;
  c.series.push_back({.name = "actual", .kind = SeriesKind::bar, .x = {1, 2, 3}, .y = {5, kNaN, kNaN}});
  c.series.push_back({.name = "predicted", .kind = SeriesKind::bar, .x = {1, 2, 3}, .y = {kNaN, kNaN, 4}});
  const std::string svg = render(c);
  EXPECT_EQ(count_of(svg, "<rect class=\"bar\""), 2u);
  EXPECT_EQ(count_of(svg, "class=\"bar-missing\""), 1u);  // x = 2 only
  // A series with no bar at all takes no place in the group: the other gets the full width
  // (0.72 of the slot, 810 px / 3 slots x 0.72 = 194 px, capped at 96 px; minus 1 px of gap).
  c.series[1].y = {kNaN, kNaN, kNaN};
  const std::string one = render(c);
  const std::regex width("<rect class=\"bar\"[^>]* width=\"([0-9.]+)\"");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(one, m, width));
  EXPECT_NEAR(std::stod(m[1]), 95, 0.2);
  EXPECT_EQ(count_of(one, "class=\"bar-missing\""), 2u);
  EXPECT_NE(one.find(">actual</text>"), std::string::npos);
  EXPECT_EQ(one.find(">predicted</text>"), std::string::npos);  // draws nothing: not in the legend
}

TEST(Render, BandIsOnePolygonOverTheInterval) {
  Chart c;
  c.bands.push_back({.name = "interval", .x = {1, 10}, .low = {2, 3}, .high = {2, 9}});
  c.series.push_back({.name = "prediction", .x = {1, 10}, .y = {2, 6}, .dashed = true});
  const std::string svg = render(c);
  EXPECT_EQ(count_of(svg, "<polygon class=\"band\""), 1u);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(svg.find(">interval</text>"), std::string::npos);  // in the legend
  EXPECT_NE(svg.find(">prediction</text>"), std::string::npos);
}

TEST(Render, AxisLabelsAndTicksArePresent) {
  Chart c;
  c.x_label = "time (s)";
  c.y_label = "power (W)";
  c.series.push_back({.name = "gpu", .x = {0, 10, 20}, .y = {100, 250, 300}});
  const std::string svg = render(c);
  EXPECT_NE(svg.find(">time (s)</text>"), std::string::npos);
  EXPECT_NE(svg.find(">power (W)</text>"), std::string::npos);
  EXPECT_GE(count_of(svg, "class=\"tick y\""), 3u);
  EXPECT_GE(count_of(svg, "class=\"tick x\""), 3u);
  EXPECT_NE(svg.find(">300</text>"), std::string::npos);
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);  // y_from_zero
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(Render, LegendWrapsLongListsInsideTheWidth) {
  Chart c;
  c.width = 400;
  for (int i = 0; i < 8; ++i)
    c.series.push_back({.name = "series number " + std::to_string(i), .x = {0, 1}, .y = {0, 1}});
  const std::string svg = render(c);
  const std::regex re("<g class=\"legend\">.*?</g>");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, re));
  const std::string legend = m.str();
  const std::regex xs("<text x=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(legend.begin(), legend.end(), xs); it != std::sregex_iterator(); ++it)
    EXPECT_LT(std::stod((*it)[1]), 400);
  std::set<std::string> rows;
  const std::regex ys("<text x=\"[0-9.]+\" y=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(legend.begin(), legend.end(), ys); it != std::sregex_iterator(); ++it)
    rows.insert((*it)[1]);
  EXPECT_GT(rows.size(), 1u);
}

}  // namespace
}  // namespace carbontracker::report::svg
