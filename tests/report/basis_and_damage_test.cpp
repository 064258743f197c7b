// Issue 11 section 3 over real-format fixtures (tests/fixtures/logs, see its README):
// - a Python run with monitor_epochs=1 (the default before 2.0) counts with its prediction for the
//   whole training, its measured first epoch beside it; an interrupted run counts its actual block;
// - NaN, negative and null energies (Python text logs and our event logs) leave their run out of
//   every total, counted, and named with file:line;
// - "the same in N more file(s)" counts files exactly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "report/aggregate.hpp"
#include "report/event_log_reader.hpp"
#include "report/formats.hpp"
#include "report/html_report.hpp"
#include "report/log_reader.hpp"
#include "report/python_compat.hpp"
#include "report/text_logs.hpp"
#include "test_support.hpp"
#include "report_test_logs.hpp"

namespace carbontracker::report {
namespace {

using namespace carbontracker::report::test_logs;

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;


std::vector<RunFigures> figures(const ReadResult& r) {
  std::vector<RunFigures> out;
  for (const auto& run : r.runs) out.push_back(figures_for(run));
  return out;
}

const RunFigures& by_stem(const std::vector<RunFigures>& f, const std::string& stem) {
  for (const auto& x : f)
    if (fs::path(x.file).filename().string().rfind(stem, 0) == 0) return x;
  throw std::runtime_error("no run " + stem);
}

// ---- monitor_epochs=1 and interrupted runs ---------------------------------------------------------

TEST(Basis, MonitorEpochsOneCountsThePredictionForTheWholeTraining) {
  const ReadResult r = read_logs({kLogs / "python-monitor-epochs-1"});
  ASSERT_EQ(r.runs.size(), 1u) << issues_text(r.issues, true);
  const RunData& run = r.runs[0];
  ASSERT_TRUE(run.actual && run.predicted);
  EXPECT_EQ(run.actual->epochs, 1);
  EXPECT_EQ(run.predicted->epochs, 40);
  EXPECT_FALSE(run.early_stop);
  EXPECT_TRUE(prediction_covers_more(run));

  const RunFigures f = figures_for(run);
  EXPECT_EQ(f.basis, RunBasis::predicted);
  EXPECT_EQ(f.epochs, 40);
  EXPECT_DOUBLE_EQ(f.energy_kwh, 1.650946203677);
  EXPECT_DOUBLE_EQ(f.co2eq_g, 261.509876461175);
  EXPECT_EQ(f.duration_s, 3 * 3600 + 28 * 60 + 14);
  EXPECT_THAT(f.basis_note, HasSubstr("monitored 1 of 40 epochs"));
  ASSERT_TRUE(f.measured);
  EXPECT_EQ(f.measured->epochs, 1);
  EXPECT_DOUBLE_EQ(f.measured->energy_kwh, 0.041273655092);
  EXPECT_DOUBLE_EQ(f.measured->co2eq_g, 6.648360362207);
  // Before: counted as its one measured epoch, 40x low.
  EXPECT_NEAR(f.energy_kwh / f.measured->energy_kwh, 40, 1e-6);

  const TotalFigures t = totals_for({f});
  EXPECT_EQ(t.runs, 1);
  EXPECT_EQ(t.runs_predicted, 1);
  EXPECT_EQ(t.runs_predicted_partly_measured, 1);
  EXPECT_DOUBLE_EQ(t.measured_part_energy_kwh, 0.041273655092);
  const std::string s = paper_statement(t, false);
  EXPECT_THAT(s, HasSubstr("1.651 kWh"));
  EXPECT_THAT(s, HasSubstr("predicted from the first epochs, not measured"));
  EXPECT_THAT(s, HasSubstr("monitored only their first epoch(s) (monitor_epochs"));
  EXPECT_THAT(s, HasSubstr("measured 0.04127 kWh of it"));

  // The Python tool's own aggregate (with the epoch count read) agrees.
  const auto a = python_compat::aggregate_consumption(kLogs / "python-monitor-epochs-1");
  EXPECT_EQ(a.basis, python_compat::AggregateBasis::predicted);
  EXPECT_DOUBLE_EQ(a.energy_kwh, 1.650946203677);
  EXPECT_DOUBLE_EQ(a.co2eq_g, 261.509876461175);
}

TEST(Basis, AnInterruptedRunCountsItsActualFigures) {
  const ReadResult r = read_logs({kLogs / "python-interrupted"});
  ASSERT_EQ(r.runs.size(), 1u) << issues_text(r.issues, true);
  const RunData& run = r.runs[0];
  EXPECT_TRUE(run.early_stop);
  EXPECT_EQ(run.epochs.size(), 12u);
  EXPECT_EQ(run.actual->epochs, 11);  // the Python tool's stop() lowers its counter by one
  EXPECT_EQ(run.predicted->epochs, 40);
  EXPECT_FALSE(prediction_covers_more(run));
  const RunFigures f = figures_for(run);
  EXPECT_EQ(f.basis, RunBasis::actual);
  EXPECT_DOUBLE_EQ(f.energy_kwh, 0.467107493667);
  EXPECT_DOUBLE_EQ(f.co2eq_g, 69.868070472685);
  EXPECT_EQ(f.epochs, 12) << "the actual block sums all 12 logged epochs";
  EXPECT_THAT(f.basis_note, HasSubstr("stopped early after 12 of 40 epochs"));
  EXPECT_FALSE(f.measured);
  EXPECT_EQ(python_compat::aggregate_consumption(kLogs / "python-interrupted").basis,
            python_compat::AggregateBasis::actual);
}

TEST(Basis, ABudgetStopOrAFullRunOfOursIsNotMistakenForMonitorEpochs) {
  for (const char* dir : {"ours", "ours-budget", "python-v2", "early-stop"}) {
    const ReadResult r = read_logs({kLogs / dir});
    ASSERT_EQ(r.runs.size(), 1u) << dir;
    EXPECT_FALSE(prediction_covers_more(r.runs[0])) << dir;
    EXPECT_EQ(figures_for(r.runs[0]).basis, RunBasis::actual) << dir;
  }
}

TEST(Basis, EveryFormatShowsTheBasisAndTheMeasuredPart) {
  const ReadResult r = read_logs({kLogs / "python-monitor-epochs-1"});
  const auto f = figures(r);
  const TotalFigures t = totals_for(f);
  const std::string text = render_text(f, t, r.issues, false);
  EXPECT_THAT(text, HasSubstr("(predicted"));
  EXPECT_THAT(text, HasSubstr("monitored 1 of 40 epochs"));
  EXPECT_THAT(text, HasSubstr("measured part: 1 epoch(s), 312.0 s, 0.041273655 kWh"));
  const auto j = render_json(f, t, r.issues);
  EXPECT_EQ(j["runs"][0]["basis"], "predicted");
  EXPECT_THAT(j["runs"][0]["basis_note"].get<std::string>(), HasSubstr("monitor_epochs"));
  EXPECT_EQ(j["runs"][0]["measured"]["epochs"], 1);
  EXPECT_DOUBLE_EQ(j["runs"][0]["measured"]["energy_kwh"].get<double>(), 0.041273655092);
  EXPECT_EQ(j["total"]["runs_predicted_partly_measured"], 1);
  EXPECT_DOUBLE_EQ(j["total"]["measured_part_energy_kwh"].get<double>(), 0.041273655092);
  const std::string csv = render_csv(f);
  EXPECT_THAT(csv.substr(0, csv.find('\n')),
              HasSubstr(",basis_note,measured_epochs,measured_duration_s,measured_energy_kwh,measured_co2eq_g,damage"));
  EXPECT_THAT(csv, HasSubstr(",predicted,"));
  EXPECT_THAT(csv, HasSubstr(",1,312,0.041273655092,6.648360362207,"));
  HtmlOptions o;
  const std::string html = render_html_report(r.runs, o);
  EXPECT_THAT(html, HasSubstr("<dt>basis</dt><dd>predicted: monitored 1 of 40 epochs"));
  EXPECT_THAT(html, HasSubstr("<dt>measured part</dt><dd>1 epoch(s)"));
}

// ---- damaged values ------------------------------------------------------------------------------------

TEST(Damage, NanNegativeAndNullEnergiesAreLeftOutWithFileAndLine) {
  const ReadResult r = read_logs({kLogs / "damaged-values"});
  ASSERT_EQ(r.runs.size(), 6u) << issues_text(r.issues, true);
  const auto f = figures(r);
  const auto& good = by_stem(f, "5100.");
  EXPECT_EQ(good.basis, RunBasis::actual);
  EXPECT_DOUBLE_EQ(good.energy_kwh, 0.012185397089);

  struct Want {
    const char* stem;
    const char* file_suffix;
    int line;
    const char* what;
  };
  const Want wants[] = {
      {"5101.", "_carbontracker_output.log", 13, "\"Actual consumption\" block: Energy is nan kWh"},
      {"5102.", "_carbontracker_output.log", 13, "\"Actual consumption\" block: Energy is -0.004218733512 kWh"},
      {"5103.", "_carbontracker.log", 11, "epoch 2: no power sample for gpu (logged None)"},
      {"6101.", "_carbontracker_events.jsonl", 8, "the run's total (run_end): energy_kwh is null"},
      {"6102.", "_carbontracker_events.jsonl", 4, "epoch 2: energy_j.gpu is NaN"},
  };
  for (const auto& w : wants) {
    const RunFigures& d = by_stem(f, w.stem);
    EXPECT_EQ(d.basis, RunBasis::damaged) << w.stem;
    ASSERT_TRUE(d.damage) << w.stem;
    EXPECT_THAT(d.damage->file, HasSubstr(w.file_suffix)) << w.stem;
    EXPECT_THAT(fs::path(d.damage->file).filename().string(), ::testing::StartsWith(w.stem));
    EXPECT_EQ(d.damage->line, w.line) << w.stem;
    EXPECT_THAT(d.damage->message, HasSubstr(w.what)) << w.stem;
    // And the reader listed it among the problems, at the same place.
    bool listed = false;
    for (const auto& i : r.issues) listed |= i.file == d.damage->file && i.line == w.line;
    EXPECT_TRUE(listed) << w.stem << "\n" << issues_text(r.issues, true);
  }

  const TotalFigures t = totals_for(f);
  EXPECT_EQ(t.runs, 1);
  EXPECT_EQ(t.runs_damaged, 5);
  EXPECT_DOUBLE_EQ(t.energy_kwh, 0.012185397089);
  EXPECT_DOUBLE_EQ(t.co2eq_g, 1.746172520784);
  const std::string s = paper_statement(t, false);
  EXPECT_THAT(s, HasSubstr("5 run(s) with a damaged energy figure (not a number, negative or missing) are left out"));
  const std::string text = render_text(f, t, r.issues, false);
  EXPECT_THAT(text, HasSubstr("left out of the totals: damaged value at "));
  EXPECT_THAT(text, HasSubstr("; 5 damaged run(s) left out"));
  EXPECT_THAT(text, Not(HasSubstr("nan kWh, ")));
  const auto json = render_json(f, t, r.issues);
  EXPECT_EQ(json["total"]["runs_damaged"], 5);
  for (const auto& run : json["runs"]) {
    EXPECT_TRUE(run["energy_kwh"].is_null() || std::isfinite(run["energy_kwh"].get<double>())) << run.dump();
    EXPECT_EQ(run["energy_kwh"].is_null(), run["basis"] == "damaged") << run.dump();
  }
  EXPECT_THAT(render_csv(f), HasSubstr(",damaged,"));
  HtmlOptions o;
  const std::string html = render_html_report(r.runs, o);
  EXPECT_THAT(html, HasSubstr("left out of the totals: damaged value at"));
  EXPECT_THAT(html, HasSubstr("5 damaged run(s) left out"));
  EXPECT_THAT(html, Not(HasSubstr(">nan")));
}

TEST(Damage, ThePythonAggregateNeverAddsADamagedFigure) {
  std::vector<ReadIssue> issues;
  const auto a = python_compat::aggregate_consumption(kLogs / "damaged-values", &issues);
  ASSERT_TRUE(std::isfinite(a.energy_kwh));
  ASSERT_TRUE(std::isfinite(a.co2eq_g));
  std::map<std::string, RunBasis> basis;
  for (const auto& r : a.runs) basis[fs::path(r.file).filename().string().substr(0, 5)] = r.basis;
  EXPECT_EQ(basis["5100."], RunBasis::actual);
  EXPECT_EQ(basis["5101."], RunBasis::damaged);
  EXPECT_EQ(basis["5102."], RunBasis::damaged);
  EXPECT_EQ(basis["5103."], RunBasis::predicted);  // killed: the Python tool counts its prediction
  EXPECT_EQ(basis["6101."], RunBasis::damaged);
  EXPECT_EQ(basis["6102."], RunBasis::predicted);
  EXPECT_EQ(a.basis, python_compat::AggregateBasis::mixed);
  EXPECT_GT(a.energy_kwh, 0.012185397089);
}

TEST(Damage, PythonTextValuesNoneNanAndNegativeAreDamaged) {
  std::vector<ReadIssue> issues;
  const std::string out =
      "2025-01-01 00:00:00 - CarbonTracker: \nActual consumption for 2 epoch(s):\n\tTime:\t0:00:20\n"
      "\tEnergy:\tNone kWh\n\tCO2eq:\tNone g\n";
  const TextLog log = parse_text_log(out, "o.log", &issues);
  ASSERT_EQ(log.actual.size(), 1u) << "a None energy is a damaged block, not a truncated one";
  ASSERT_TRUE(log.actual[0].consumption.damaged);
  EXPECT_EQ(log.actual[0].consumption.damaged->line, 4);
  EXPECT_THAT(issues_text(issues, true), HasSubstr("o.log:4: \"Actual consumption\" block: Energy is None kWh: damaged"));

  issues.clear();
  const std::string std_log =
      "2025-01-01 00:00:00 - Epoch 1:\n2025-01-01 00:00:00 - Duration: 0:00:10.00\n"
      "2025-01-01 00:00:00 - Average power usage (W) for gpu: -120.5\n"
      "2025-01-01 00:00:01 - Epoch 2:\n2025-01-01 00:00:01 - Duration: -0:00:10.00\n"
      "2025-01-01 00:00:01 - Average power usage (W) for gpu: 100\n"
      "2025-01-01 00:00:02 - Epoch 3:\n2025-01-01 00:00:02 - Duration: 0:00:10.00\n"
      "2025-01-01 00:00:02 - Average power usage (W) for gpu: [nan 12.]\n";
  const TextLog s = parse_text_log(std_log, "s.log", &issues);
  const RunData run = run_from_text_logs(&s, nullptr, "s.log", &issues);
  ASSERT_EQ(run.epochs.size(), 3u);
  for (const auto& e : run.epochs) EXPECT_TRUE(e.damaged) << e.index;
  EXPECT_EQ(run.epochs[0].damaged->line, 3);
  EXPECT_THAT(run.epochs[0].damaged->message, HasSubstr("power for gpu is -120.5 W"));
  EXPECT_EQ(run.epochs[1].damaged->line, 4);
  EXPECT_THAT(run.epochs[1].damaged->message, HasSubstr("negative Duration"));
  EXPECT_EQ(run.epochs[2].damaged->line, 9);
  const RunFigures f = figures_for(run);
  EXPECT_EQ(f.basis, RunBasis::damaged) << "a killed run whose epochs cannot all be summed is left out, not counted low";
  EXPECT_FALSE(std::isfinite(f.energy_kwh));
  EXPECT_EQ(totals_for({f}).runs, 0);
}

TEST(Damage, BareNanInAnEventLogLineIsReadAndReportedNotDropped) {
  std::vector<ReadIssue> issues;
  const std::string log =
      R"({"type":"run_start","v":1,"pue":1.0,"components":{"gpu":{"present":true}}})"
      "\n"
      R"({"type":"epoch","v":1,"epoch":{"index":1,"duration_s":1,"energy_j":{"gpu":NaN,"total":NaN},"note":"NaN in a string"}})"
      "\n"
      R"({"type":"epoch","v":1,"epoch":{"index":2,"duration_s":1,"energy_j":{"gpu":-Infinity},"co2eq_g":null}})"
      "\n"
      R"({"type":"epoch","v":1,"epoch":{"index":3,"duration_s":1,"energy_j":{"gpu":5},"co2eq_g":-1}})"
      "\n"
      R"({"type":"epoch","v":1,"epoch":{"index":4,"duration_s":1,"energy_j":{"gpu":5},"co2eq_g":null}})"
      "\n"
      R"({"type":"run_end","v":1,"epochs":4,"total":{"duration_s":4,"energy_kwh":-0.5,"co2eq_g":1}})"
      "\n";
  const auto run = read_event_log(log, "e.jsonl", &issues);
  ASSERT_TRUE(run);
  ASSERT_EQ(run->epochs.size(), 4u) << issues_text(issues, true);
  EXPECT_THAT(run->epochs[0].damaged->message, HasSubstr("energy_j.gpu is NaN"));
  EXPECT_EQ(run->epochs[0].damaged->line, 2);
  EXPECT_THAT(run->epochs[1].damaged->message, HasSubstr("energy_j.gpu is -Infinity"));
  EXPECT_THAT(run->epochs[2].damaged->message, HasSubstr("co2eq_g is -1 (negative)"));
  EXPECT_FALSE(run->epochs[3].damaged) << "a null CO2eq is unknown, not damaged";
  ASSERT_TRUE(run->actual && run->actual->damaged);
  EXPECT_EQ(run->actual->damaged->line, 6);
  EXPECT_THAT(run->actual->damaged->message, HasSubstr("energy_kwh is -0.5 (negative)"));
  EXPECT_EQ(figures_for(*run).basis, RunBasis::damaged);
}

// ---- "the same in N more file(s)" ----------------------------------------------------------------------

TEST(Issues, TheSameInMoreFilesCountsFilesExactly) {
  const ReadResult r = read_logs({kLogs / "many-damaged"});
  ASSERT_EQ(r.runs.size(), 9u);
  const std::string gpu = "no power sample for gpu (logged None): damaged";
  int kept = 0;
  for (const auto& i : r.issues) kept += !i.file.empty() && i.message.rfind(gpu, 0) == 0;
  EXPECT_EQ(kept, 10) << "every line of the first 5 files (two each)\n" << issues_text(r.issues, true);
  const std::string text = issues_text(r.issues, true);
  // 8 files with two lines each: 5 files listed, 3 more files with 6 lines (before: "11 more file(s)").
  EXPECT_THAT(text, HasSubstr(":0: the same in 3 more file(s) (6 lines): " + gpu));
  EXPECT_THAT(text, HasSubstr(":0: the same in 3 more file(s) (6 lines): no power sample for cpu"));
  // One line per file: no line count.
  EXPECT_THAT(text, HasSubstr(":0: the same in 4 more file(s): Python carbontracker 2.4.3 logs the mean"));
  const auto f = figures(r);
  const TotalFigures t = totals_for(f);
  EXPECT_EQ(t.runs, 1);
  EXPECT_EQ(t.runs_damaged, 8);
  EXPECT_DOUBLE_EQ(t.energy_kwh, 0.012185397089);
}

TEST(Issues, ASingleFileRepeatingAMessageIsOneFile) {
  testing::TempDir dir;
  const std::string none_line = "2025-01-01 00:00:00 - Average power usage (W) for gpu: None\n";
  std::string many;
  for (int i = 0; i < 12; ++i) many += "2025-01-01 00:00:00 - Duration: 0:00:01.00\n" + none_line;
  testing::write_file(dir / "a_carbontracker.log", many);
  for (int i = 0; i < 6; ++i) {
    testing::write_file(dir / ("b" + std::to_string(i) + "_carbontracker.log"),
                        "2025-01-01 00:00:00 - Duration: 0:00:01.00\n" + none_line);
  }
  const ReadResult r = read_logs({dir.path()});
  // 7 files: a (12 lines) and b0..b5 (one each). Kept: a, b0..b3; more: b4, b5.
  EXPECT_THAT(issues_text(r.issues, true), HasSubstr(":0: the same in 2 more file(s): no power sample for gpu"));
}

// ---- the intensity's kind ---------------------------------------------------------------------------------

// A default nobody chose for the run's place is labelled assumed wherever the report shows it
// (seen: "intensity: Ember yearly electricity data 2024 ..." for a run with no location).
TEST(IntensityLabel, AnAssumedIntensityIsLabelledAssumedInTextAndJson) {
  RunFigures f;
  f.file = "run.jsonl";
  f.epochs = 2;
  f.duration_s = 10;
  f.energy_kwh = 0.001;
  f.co2eq_g = 0.473;
  f.basis = RunBasis::actual;
  f.intensity_source = "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)";
  f.intensity_kind = "assumed";
  const TotalFigures t = totals_for({f});
  EXPECT_THAT(render_text({f}, t, {}, false),
              HasSubstr("(actual; intensity: assumed, Ember yearly electricity data 2024"));
  EXPECT_EQ(render_json({f}, t, {})["runs"][0]["intensity_kind"], "assumed");
}

// ---- nothing usable ---------------------------------------------------------------------------------------

TEST(NoStatement, NoUsableRunGivesNoStatementOfZeros) {
  const ReadResult r = read_logs({kLogs / "empty"});
  EXPECT_TRUE(r.runs.empty());
  const TotalFigures none = totals_for({});
  const std::string text = render_text({}, none, {}, false);
  EXPECT_THAT(text, HasSubstr("No statement: no run has a usable energy figure."));
  EXPECT_THAT(text, Not(HasSubstr("The training of models")));
  EXPECT_TRUE(render_json({}, none, {})["statement"].is_null());
  EXPECT_THAT(render_html_report({}, HtmlOptions{}), Not(HasSubstr("The training of models")));
}

}  // namespace
}  // namespace carbontracker::report
