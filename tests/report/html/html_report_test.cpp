// The HTML report: sections present, estimates labelled, absent values not shown as 0, the
// power timeline turned into mean power per component, the what-if table computed from the
// shipped country table, the text-log case, escaping and self-containment.
#include "report/html_report.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <clocale>
#include <cmath>
#include <locale>
#include <regex>

#include "intensity/tables.hpp"
#include "report/aggregate.hpp"
#include "report/svg_chart.hpp"
#include "sample_runs.hpp"
#include "test_support.hpp"

namespace carbontracker::report {
namespace {

using testing::event_log_run;
using testing::python_log_run;
using namespace std::chrono_literals;

std::chrono::system_clock::time_point fixed_time() {
  return std::chrono::sys_days(std::chrono::year(2024) / 5 / 6) + 7h + 8min + 9s;
}

std::string render(const std::vector<RunData>& runs, HtmlOptions o = {}) {
  o.generated_at = fixed_time();
  return render_html_report(runs, o);
}

// The markup of <figure id="ID">...</figure>, or "" when absent.
std::string figure(const std::string& html, const std::string& id) {
  const auto start = html.find("<figure class=\"chart-box\" id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</figure>", start) - start);
}

using carbontracker::testing::count_of;

TEST(ComponentPower, MeanPowerPerIntervalSummedPerComponent) {
  const auto comps = component_power(event_log_run());
  ASSERT_EQ(comps.size(), 3u);
  EXPECT_EQ(comps[0].component, "gpu");
  EXPECT_EQ(comps[0].label, "gpu");
  EXPECT_EQ(comps[1].component, "cpu");
  EXPECT_EQ(comps[1].label, "cpu (estimated)");
  EXPECT_EQ(comps[2].component, "dram");
  EXPECT_EQ(comps[2].label, "dram");
  for (const auto& c : comps) {
    ASSERT_EQ(c.t_s.size(), 4u);
    EXPECT_EQ(c.t_s, (std::vector<double>{2.5, 7.5, 12.5, 17.5}));
  }
  for (double w : comps[0].power_w) EXPECT_DOUBLE_EQ(w, 200);
  for (double w : comps[1].power_w) EXPECT_DOUBLE_EQ(w, 50);
  for (double w : comps[2].power_w) EXPECT_DOUBLE_EQ(w, 5);
}

TEST(ComponentPower, ChannelsOfOneComponentAreSummedAndMixedMethodsSaySo) {
  RunData r;
  r.channels = {{"a", "gpu", "GPU 0", "counter", "nvml"},
                {"b", "gpu", "GPU 1", "counter", "nvml"},
                {"c", "cpu", "package-0", "counter", "perf"},
                {"d", "cpu", "package-1", "estimated", "tdp-estimate"},
                {"e", "psys", "psys", "simulated", "simulated"}};
  r.power = {{0, {0, 0, 0, 0, 0}}, {2, {200, 600, 100, 40, 10}}};
  const auto comps = component_power(r);
  ASSERT_EQ(comps.size(), 3u);
  EXPECT_EQ(comps[0].label, "gpu");
  EXPECT_DOUBLE_EQ(comps[0].power_w[0], 400);  // (200 + 600) J / 2 s: summed, not averaged
  EXPECT_EQ(comps[1].label, "cpu (partly estimated)");
  EXPECT_DOUBLE_EQ(comps[1].power_w[0], 70);
  EXPECT_EQ(comps[2].label, "psys (simulated)");
}

TEST(ComponentPower, MergingIntervalsIsExact) {
  RunData r;
  r.channels = {{"a", "gpu", "GPU 0", "counter", "nvml"}};
  double e = 0;
  for (int i = 0; i <= 1000; ++i) {
    r.power.push_back({static_cast<double>(i), {e}});
    e += 100 + (i % 7) * 10;  // varying power
  }
  const auto comps = component_power(r, 100);
  ASSERT_EQ(comps.size(), 1u);
  ASSERT_EQ(comps[0].power_w.size(), 100u);
  // Interval k covers records [10k, 10k + 10]: its mean power is its energy over 10 s.
  for (std::size_t k = 0; k < 100; ++k) {
    const double want = (r.power[10 * k + 10].energy_j[0] - r.power[10 * k].energy_j[0]) / 10.0;
    EXPECT_DOUBLE_EQ(comps[0].power_w[k], want) << k;
    EXPECT_DOUBLE_EQ(comps[0].t_s[k], 10.0 * static_cast<double>(k) + 5);
  }
}

TEST(ComponentPower, UnusableIntervalsAreGapsNotZero) {
  RunData r;
  r.channels = {{"a", "gpu", "GPU 0", "counter", "nvml"}, {"b", "cpu", "package-0", "counter", "perf"}};
  r.power = {{0, {0, 0}}, {1, {100, 10}}, {2, {50, 20}}, {2, {60, 30}}, {3, {160}}, {4, {260, 50}}};
  const auto comps = component_power(r);
  ASSERT_EQ(comps.size(), 2u);
  const auto& gpu = comps[0].power_w;
  const auto& cpu = comps[1].power_w;
  ASSERT_EQ(gpu.size(), 5u);
  EXPECT_DOUBLE_EQ(gpu[0], 100);
  EXPECT_TRUE(std::isnan(gpu[1]));  // counter went backwards (reset)
  EXPECT_DOUBLE_EQ(cpu[1], 10);     // the other component is unaffected
  EXPECT_TRUE(std::isnan(gpu[2]));  // zero-length interval
  EXPECT_DOUBLE_EQ(gpu[3], 100);
  EXPECT_TRUE(std::isnan(cpu[3]));  // missing value
  EXPECT_TRUE(std::isnan(cpu[4]));
  EXPECT_DOUBLE_EQ(gpu[4], 100);
}

TEST(ComponentPower, NoTimelineNoSeries) {
  EXPECT_TRUE(component_power(python_log_run()).empty());
  RunData one = event_log_run();
  one.power.resize(1);
  EXPECT_TRUE(component_power(one).empty());
}

TEST(EpochEnergy, FacilityEnergyWhenLoggedElseDeviceTimesPue) {
  const RunData ev = event_log_run();
  EXPECT_DOUBLE_EQ(*epoch_facility_energy_j(ev, ev.epochs[0]), 2295);
  RunData r;
  r.pue = 2;
  EpochData e;
  e.energy_j = {{"total", 30}, {"gpu", 20}, {"cpu", 10}};
  EXPECT_DOUBLE_EQ(*epoch_facility_energy_j(r, e), 60);  // total is not added twice
  e.energy_j = {{"total", 30}};
  EXPECT_DOUBLE_EQ(*epoch_facility_energy_j(r, e), 60);
  e.energy_j.clear();
  EXPECT_FALSE(epoch_facility_energy_j(r, e).has_value());
  r.pue.reset();
  e.energy_j = {{"gpu", 20}};
  EXPECT_DOUBLE_EQ(*epoch_facility_energy_j(r, e), 20);
}

TEST(WhatIf, ValuesComeFromTheShippedTable) {
  const double kwh = 2.5;
  const auto rows = what_if_countries(kwh);
  const auto& table = intensity::builtin_country_table();
  ASSERT_EQ(rows.size(), 18u);  // 15 economies + world + lowest + highest
  for (const auto& row : rows) {
    const auto* c = table.latest(row.code);
    ASSERT_NE(c, nullptr) << row.code;
    EXPECT_EQ(row.year, c->year);
    EXPECT_DOUBLE_EQ(row.g_per_kwh, c->g_per_kwh);
    EXPECT_DOUBLE_EQ(row.co2eq_g, kwh * c->g_per_kwh) << row.code;
  }
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_LE(rows[i - 1].co2eq_g, rows[i].co2eq_g);
  auto find = [&](const std::string& code) {
    return std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.code == code; });
  };
  ASSERT_NE(find("DEU"), rows.end());
  EXPECT_EQ(find("DEU")->why, "largest economy #3");
  ASSERT_NE(find("OWID_WRL"), rows.end());
  EXPECT_EQ(rows.front().why, "lowest in the table");
  EXPECT_EQ(rows.back().why, "highest in the table");
  double lo = 1e9, hi = 0;
  for (const auto& [code, c] : table.latest_by_code()) {
    if (code == "OWID_WRL") continue;
    lo = std::min(lo, c.g_per_kwh);
    hi = std::max(hi, c.g_per_kwh);
  }
  EXPECT_DOUBLE_EQ(rows.front().g_per_kwh, lo);
  EXPECT_DOUBLE_EQ(rows.back().g_per_kwh, hi);
}

TEST(WhatIf, TableInTheReportShowsTheComputedGrams) {
  const RunData r = event_log_run();
  const std::string html = render({r});
  const double kwh = r.actual->energy_kwh;  // the run finished: its actual figure
  const auto* deu = intensity::builtin_country_table().latest("DEU");
  ASSERT_NE(deu, nullptr);
  const double g = kwh * deu->g_per_kwh;  // about 0.66 g
  const std::string row_start = "<tr data-code=\"DEU\">";
  const auto at = html.find(row_start);
  ASSERT_NE(at, std::string::npos);
  const std::string row = html.substr(at, html.find("</tr>", at) - at);
  EXPECT_NE(row.find("Germany (DEU)"), std::string::npos) << row;
  // One unit for the column, picked by its largest value (about 2.5 g): grams.
  EXPECT_NE(row.find(svg::format_sig(g, 3) + " g CO2eq"), std::string::npos) << row;
  EXPECT_NE(row.find(svg::format_sig(deu->g_per_kwh, 3)), std::string::npos) << row;
}

TEST(WhatIf, HoursOnlyFromARealHistory) {
  const RunData r = event_log_run();
  std::string html = render({r});
  EXPECT_NE(html.find("no hourly data"), std::string::npos);
  EXPECT_EQ(html.find("what-if-hours"), std::string::npos);

  intensity::IntensitySeries hist;
  const auto day = std::chrono::sys_days(std::chrono::year(2024) / 5 / 6);
  for (int d = 0; d < 2; ++d) {
    for (int h = 0; h < 24; h += 2) {  // every other hour only
      intensity::IntensityQuote q;
      q.start = day + std::chrono::days(d) + std::chrono::hours(h);
      q.end = q.start + 1h;
      q.g_per_kwh = 100 + h + 10 * d;
      hist.push_back(q);
    }
  }
  const auto means = hourly_means(hist);
  ASSERT_EQ(means.size(), 24u);
  EXPECT_DOUBLE_EQ(*means[4], 109);  // (104 + 114) / 2
  EXPECT_FALSE(means[5].has_value());
  HtmlOptions o;
  o.intensity_history[r.file] = hist;
  html = render({r}, o);
  EXPECT_EQ(html.find("no hourly data"), std::string::npos);
  const auto at = html.find("what-if-hours");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(count_of(html.substr(at), "<td>"), 24u);       // one row per hour
  EXPECT_EQ(count_of(html.substr(at), ">no data<"), 24u);  // odd hours: both cells
  const double g4 = r.actual->energy_kwh * 109;
  EXPECT_NE(html.find(svg::format_sig(g4 * 1000, 3) + " mg CO2eq", at), std::string::npos);
}

TEST(Report, EveryChartAndTableOfARunFromTheEventLog) {
  const std::string html = render({event_log_run()});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* id : {"run-1-power", "run-1-epochs", "run-1-co2", "run-1-intensity"}) {
    const std::string fig = figure(html, id);
    ASSERT_FALSE(fig.empty()) << id;
    EXPECT_NE(fig.find("<svg class=\"chart\""), std::string::npos) << id;
    EXPECT_EQ(fig.find("class=\"why-not\""), std::string::npos) << id;
  }
  EXPECT_NE(html.find("<h3>Devices</h3>"), std::string::npos);
  EXPECT_NE(html.find("<h3>What if: the same energy elsewhere</h3>"), std::string::npos);
  EXPECT_EQ(html.find("id=\"summary\""), std::string::npos);  // one run: no summary
  EXPECT_NE(html.find("generated 2024-05-06 07:08:09 UTC"), std::string::npos);
  EXPECT_NE(html.find("Ember"), std::string::npos);  // attribution of the what-if table
}

TEST(Report, PowerChartHasOneSeriesPerComponentWithEveryInterval) {
  const std::string fig = figure(render({event_log_run()}), "run-1-power");
  for (const char* name : {"gpu", "cpu (estimated)", "dram"}) {
    const std::string attr = std::string("data-series=\"") + name + "\" data-points=\"4\"";
    EXPECT_EQ(count_of(fig, attr), 1u) << name;
  }
  EXPECT_NE(fig.find("estimated or simulated, not measured: cpu (estimated)"), std::string::npos);
  EXPECT_NE(fig.find("mean power (W)"), std::string::npos);
}

TEST(Report, EpochBarsSplitMeasuredAndEstimatedAndShowThePrediction) {
  const std::string fig = figure(render({event_log_run()}), "run-1-epochs");
  EXPECT_EQ(count_of(fig, "<rect class=\"bar\" data-series=\"measured\""), 3u);
  EXPECT_EQ(count_of(fig, "<rect class=\"bar\" data-series=\"estimated or simulated\""), 3u);
  EXPECT_NE(fig.find("data-series=\"predicted per-epoch level\""), std::string::npos);
  EXPECT_NE(fig.find("<polygon class=\"band\""), std::string::npos);
  EXPECT_NE(fig.find("The light part is estimated or simulated, not measured."), std::string::npos);
  EXPECT_EQ(count_of(fig, "data-series=\"prediction after each epoch (per epoch)\" data-points=\"2\""), 1u);
}

TEST(Report, CumulativeCo2WithThePredictionInterval) {
  const std::string fig = figure(render({event_log_run()}), "run-1-co2");
  EXPECT_NE(fig.find("data-series=\"measured\" data-points=\"4\""), std::string::npos);  // 0 and 3 epochs
  EXPECT_NE(fig.find("data-series=\"predicted after 1 epoch(s)\""), std::string::npos);
  EXPECT_EQ(count_of(fig, "<polygon class=\"band\""), 1u);
}

TEST(Report, IntensityPerEpochAndTheRunValueWithItsSource) {
  const std::string fig = figure(render({event_log_run()}), "run-1-intensity");
  EXPECT_NE(fig.find("data-series=\"per epoch\" data-points=\"3\""), std::string::npos);
  EXPECT_NE(fig.find("run: 143 g/kWh, Ember yearly electricity data 2024"), std::string::npos);
  EXPECT_NE(fig.find("(yearly average)"), std::string::npos);
}

TEST(Report, AssumedIntensityIsFlagged) {
  RunData r = event_log_run();
  for (auto& e : r.epochs) e.intensity_g_per_kwh.reset();
  r.intensity_g_per_kwh = 473;
  r.intensity_kind = "assumed";
  r.intensity_source = "world average 2024";
  const std::string fig = figure(render({r}), "run-1-intensity");
  EXPECT_NE(fig.find("(assumed)"), std::string::npos);
  EXPECT_NE(fig.find("The value is assumed"), std::string::npos);
  EXPECT_EQ(fig.find("data-series=\"per epoch\""), std::string::npos);
}

TEST(Report, DeviceTableLabelsEstimatesAndSplitsEnergy) {
  const std::string html = render({event_log_run()});
  EXPECT_NE(html.find("<tr class=\"estimated\"><td>cpu</td><td>package-0</td><td>estimated (not "
                      "measured)</td><td>tdp-estimate</td>"),
            std::string::npos);
  EXPECT_NE(
      html.find("<td>gpu</td><td>NVIDIA A100-SXM4-40GB</td><td>counter</td><td>nvml</td><td class=\"num\">1.11 Wh"),
      std::string::npos)
      << "energy over the timeline: 200 W x 20 s";
  EXPECT_NE(html.find("measured 1.02 Wh (80.4 %); estimated or simulated 250 mWh (19.6 %)."),
            std::string::npos);  // 3 x 1230 J
}

TEST(Report, AZeroSplitIsSaidInWordsNotAsZeroEnergy) {
  RunData r = event_log_run();
  r.measured_energy_j = 0;  // every channel simulated or estimated
  r.estimated_energy_j = 4600;
  std::string html = render({r});
  EXPECT_NE(html.find("measured <span class=\"na\">nothing (no channel is measured)</span>; estimated or simulated "
                      "1.28 Wh (100 %)."),
            std::string::npos);
  r.measured_energy_j = 4600;
  r.estimated_energy_j = 0;
  html = render({r});
  EXPECT_NE(html.find("measured 1.28 Wh (100 %); estimated or simulated nothing (every channel is measured)."),
            std::string::npos);
  r.power.clear();
  html = render({r});
  EXPECT_NE(html.find("<span class=\"na\">no power records</span>"), std::string::npos);
}

TEST(Report, PythonLogsSayWhyChartsAreMissingAndNeverShowZero) {
  const std::string html = render({python_log_run()});
  const std::string power = figure(html, "run-1-power");
  ASSERT_FALSE(power.empty());
  EXPECT_NE(power.find("the Python carbontracker&#39;s logs hold no power timeline"), std::string::npos);
  EXPECT_EQ(power.find("<svg"), std::string::npos);
  // Epochs: bars of average power x duration (facility = device: no PUE logged), the printed
  // prediction as a level without an interval.
  const std::string epochs = figure(html, "run-1-epochs");
  EXPECT_EQ(count_of(epochs, "<rect class=\"bar\" data-series=\"logged (average power x duration)\""), 2u);
  EXPECT_EQ(epochs.find("class=\"band\""), std::string::npos);
  EXPECT_NE(epochs.find("the log gives no interval"), std::string::npos);
  const std::string co2 = figure(html, "run-1-co2");
  EXPECT_NE(co2.find("predicted (printed, no interval)"), std::string::npos);
  const std::string intensity = figure(html, "run-1-intensity");
  EXPECT_NE(intensity.find("implied:"), std::string::npos);
  // Absent values: "not in this log", never 0.
  EXPECT_NE(html.find("<dt>PUE</dt><dd><span class=\"na\">not in this log</span>"), std::string::npos);
  EXPECT_NE(html.find("Measured vs estimated energy: <span class=\"na\">not in this log</span>"), std::string::npos);
  EXPECT_NE(html.find("<td>cpu</td><td>cpu:0, cpu:1</td><td><span class=\"na\">not in this log</span>"),
            std::string::npos);
  // (The what-if table may hold a real 0: a country whose yearly figure is 0 g/kWh.)
  const std::string run_part = html.substr(0, html.find("<h3>What if"));
  EXPECT_EQ(run_part.find(">0 g"), std::string::npos);
  EXPECT_EQ(run_part.find(">0 mg"), std::string::npos);
  EXPECT_EQ(run_part.find(">0 mWh"), std::string::npos);
}

TEST(Report, ARunWithNothingDrawableExplainsEachChart) {
  RunData r;
  r.file = "empty.log";
  r.format = "carbontracker-text";
  const std::string html = render({r});
  for (const char* id : {"run-1-power", "run-1-epochs", "run-1-co2", "run-1-intensity"}) {
    const std::string fig = figure(html, id);
    EXPECT_NE(fig.find("class=\"why-not\">Not drawn: "), std::string::npos) << id;
  }
  EXPECT_NE(html.find("No energy figure in this log."), std::string::npos);
  EXPECT_NE(html.find("<dt>energy</dt><dd><span class=\"na\">not in this log</span>"), std::string::npos);
  EXPECT_NE(html.find("<dt>duration</dt><dd><span class=\"na\">not in this log</span>"), std::string::npos);
  EXPECT_EQ(html.find(" mWh"), std::string::npos);
}

// A Python run that stopped before its prediction: no intensity, no CO2eq anywhere.
RunData python_run_without_co2() {
  RunData r = python_log_run();
  r.predicted.reset();
  return r;
}

TEST(Report, ACo2eqTheLogDoesNotHoldIsNotInThisLog) {
  const RunData r = python_run_without_co2();
  ASSERT_TRUE(std::isnan(figures_for(r).co2eq_g)) << "precondition: the aggregate finds no CO2eq";
  const std::string html = render({r});
  EXPECT_NE(html.find("<dt>CO2eq</dt><dd><span class=\"na\">not in this log</span>"), std::string::npos);
  EXPECT_NE(figure(html, "run-1-co2").find("Not drawn: the log holds no CO2eq figure"), std::string::npos);
  EXPECT_NE(figure(html, "run-1-intensity").find("Not drawn: the log holds no carbon intensity."), std::string::npos);
  EXPECT_NE(html.find("This run: <span class=\"na\">not in this log</span>."), std::string::npos);
}

TEST(Report, SeveralRunsGetASummaryWithTotalsAndTheStatement) {
  const std::string html = render({event_log_run(), python_run_without_co2()});
  const auto at = html.find("<section class=\"summary\" id=\"summary\">");
  ASSERT_NE(at, std::string::npos);
  EXPECT_LT(at, html.find("<section class=\"run\" id=\"run-1\">"));
  EXPECT_NE(html.find("<section class=\"run\" id=\"run-2\">"), std::string::npos);
  EXPECT_NE(html.find("total (2 runs)"), std::string::npos);
  EXPECT_NE(html.find("1 actual, 1 partial, 0 predicted"), std::string::npos);
  EXPECT_NE(html.find("The training of models in this work is estimated to use"), std::string::npos);
  const std::string fig = figure(html, "summary-co2");
  EXPECT_EQ(count_of(fig, "<rect class=\"bar\""), 1u);  // the Python run has no CO2eq: no bar, not a 0 bar
  EXPECT_NE(html.find("1 run(s) without CO2eq left out"), std::string::npos);
}

TEST(Report, LogTextIsEscaped) {
  RunData r = event_log_run();
  r.file = "/logs/<img src=x onerror=alert(1)>.jsonl";
  r.stem = "<script>alert(1)</script>";
  r.warnings = {"GPU <lost> & gone"};
  r.channels[0].name = "\"><script>";
  HtmlOptions o;
  o.title = "A & B";
  o.issues = {{"bad<file>.log", 3, "unexpected <tag>"}};
  const std::string html = render({r}, o);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("GPU &lt;lost&gt; &amp; gone"), std::string::npos);
  EXPECT_NE(html.find("<title>A &amp; B</title>"), std::string::npos);
  EXPECT_NE(html.find("bad&lt;file&gt;.log:3: unexpected &lt;tag&gt;"), std::string::npos);
}

TEST(Report, SelfContainedNothingToFetchNoScript) {
  const std::string html = render({event_log_run(), python_log_run()});
  for (const char* bad : {"<script", " src=", "<link", "url(", "@import", "<img", "<iframe"}) {
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  }
  // Links only to anchors inside the page.
  const std::regex href("href=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), href); it != std::sregex_iterator(); ++it)
    EXPECT_EQ((*it)[1].str().rfind('#', 0), 0u) << (*it)[1];
}

TEST(Report, SameBytesUnderACommaDecimalLocale) {
  const std::vector<RunData> runs = {event_log_run(), python_log_run()};
  const std::string c_locale = render(runs);
  const char* old = std::setlocale(LC_ALL, nullptr);
  const std::string saved = old ? old : "C";
  if (!std::setlocale(LC_ALL, "de_DE.UTF-8")) GTEST_SKIP() << "de_DE.UTF-8 not generated (scripts/install-deps)";
  std::locale::global(std::locale("de_DE.UTF-8"));
  const std::string german = render(runs);
  std::locale::global(std::locale::classic());
  std::setlocale(LC_ALL, saved.c_str());
  EXPECT_TRUE(german == c_locale);
}

TEST(Report, NoRunsSaysSo) {
  const std::string html = render({});
  EXPECT_NE(html.find("No carbontracker run was found"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

TEST(Report, WithoutAGenerationTimeTheClockIsUsed) {
  const std::string html = render_html_report({}, {});
  const std::regex when("generated (\\d{4})-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, when));
  EXPECT_GE(std::stoi(m[1]), 2024);
}

}  // namespace
}  // namespace carbontracker::report
