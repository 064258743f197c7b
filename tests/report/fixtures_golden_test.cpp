// Golden tests over tests/fixtures/logs (see its README): for each fixture, the RunData fields
// the report relies on (epochs, durations, energies, blocks, flags) and the aggregate basis.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

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


void expect_block(const std::optional<Consumption>& c, int epochs, double duration_s, double kwh, double g) {
  ASSERT_TRUE(c);
  EXPECT_EQ(c->epochs, epochs);
  EXPECT_DOUBLE_EQ(c->duration_s, duration_s);
  EXPECT_DOUBLE_EQ(c->energy_kwh, kwh);
  EXPECT_DOUBLE_EQ(c->co2eq_g, g);
}

python_compat::AggregateBasis basis(const fs::path& dir) { return python_compat::aggregate_consumption(dir).basis; }

TEST(FixturesGolden, PythonV2) {
  const ReadResult r = read_logs({kLogs / "python-v2"});
  ASSERT_EQ(r.runs.size(), 1u);
  const RunData& run = r.runs[0];
  EXPECT_EQ(run.format, "carbontracker-text");
  EXPECT_EQ(run.version, "2.4.3");
  EXPECT_DOUBLE_EQ(*run.pue, 1.58);
  EXPECT_EQ(run.devices.at("cpu"), (std::vector<std::string>{"cpu:0", "dram:0"}));
  ASSERT_EQ(run.epochs.size(), 3u);
  const double dur[] = {33.57, 34.01, 33.9}, gpu[] = {250.12, 251.5, 249.8}, cpu[] = {23.05, 23.4, 22.9};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(run.epochs[i].index, i + 1);
    EXPECT_DOUBLE_EQ(run.epochs[i].duration_s, dur[i]);
    EXPECT_DOUBLE_EQ(run.epochs[i].energy_j.at("gpu"), gpu[i] * dur[i]);
    EXPECT_DOUBLE_EQ(run.epochs[i].energy_j.at("cpu"), cpu[i] * dur[i]);
    EXPECT_TRUE(run.epochs[i].complete);
  }
  expect_block(run.predicted, 3, 101, 0.012074250585, 1.730240108831);
  expect_block(run.actual, 3, 101, 0.012185397089, 1.746167402917);
  EXPECT_DOUBLE_EQ(run.actual->equivalents.at("km travelled by car"), 0.016349882050);
  EXPECT_TRUE(run.finished);
  EXPECT_FALSE(run.early_stop);
  EXPECT_DOUBLE_EQ(*run.intensity_g_per_kwh, 143.3);
  EXPECT_EQ(run.warnings,
            std::vector<std::string>{"No API keys provided. Skipping intensity provider initialization."});
  // The Python tool's mean over cpu:0 and dram:0 is flagged, once.
  ASSERT_EQ(r.issues.size(), 1u) << issues_text(r.issues, true);
  EXPECT_THAT(r.issues[0].message, HasSubstr("mean over the 2 devices of cpu"));
  EXPECT_EQ(basis(kLogs / "python-v2"), python_compat::AggregateBasis::actual);
}

TEST(FixturesGolden, PythonV1ArraysAndAWrappedArray) {
  const ReadResult r = read_logs({kLogs / "python-v1"});
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_TRUE(r.issues.empty()) << issues_text(r.issues, true);
  const RunData& a = r.runs[0];
  EXPECT_EQ(a.format, "carbontracker-python-v1");
  EXPECT_EQ(a.version, "1.1.6");
  EXPECT_DOUBLE_EQ(*a.pue, 1.59);
  ASSERT_EQ(a.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(a.epochs[0].duration_s, 141.9);
  EXPECT_DOUBLE_EQ(a.epochs[0].energy_j.at("gpu"), (136.86084615 + 140.2) * 141.9);
  EXPECT_DOUBLE_EQ(a.epochs[0].energy_j.at("cpu"), (13.389104 + 12.5) * 141.9);
  EXPECT_DOUBLE_EQ(a.epochs[1].energy_j.at("gpu"), (135.5 + 139.0) * 140.0);
  expect_block(a.predicted, 2, 284, 0.037973, 3.873273);
  expect_block(a.actual, 2, 282, 0.037506, 3.825583);
  EXPECT_DOUBLE_EQ(a.actual->equivalents.at("km travelled by car"), 0.035587);
  // Our sum of the logged per-device powers reproduces the v1 tool's own actual energy.
  double kwh = 0;
  for (const auto& e : a.epochs) kwh += (e.energy_j.at("gpu") + e.energy_j.at("cpu")) * *a.pue / 3.6e6;
  EXPECT_NEAR(kwh, a.actual->energy_kwh, 5e-7);

  const RunData& b = r.runs[1];
  ASSERT_EQ(b.epochs.size(), 1u);
  EXPECT_EQ(b.devices.at("gpu").size(), 8u);
  EXPECT_NEAR(b.epochs[0].energy_j.at("gpu"), 1608.7658 * 60.0, 1e-6);
  EXPECT_FALSE(b.actual);
  EXPECT_FALSE(b.finished);
  expect_block(b.predicted, 4, 240, 0.170529, 17.393976);
  EXPECT_EQ(basis(kLogs / "python-v1"), python_compat::AggregateBasis::mixed);
}

TEST(FixturesGolden, EarlyStop) {
  const ReadResult r = read_logs({kLogs / "early-stop"});
  ASSERT_EQ(r.runs.size(), 1u);
  const RunData& run = r.runs[0];
  EXPECT_TRUE(run.early_stop);
  EXPECT_TRUE(run.finished);
  ASSERT_EQ(run.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(run.epochs[1].energy_j.at("gpu"), 110.0 * 12.0);
  expect_block(run.predicted, 5, 50, 0.002633333333, 0.377356666667);
  expect_block(run.actual, 2, 22, 0.001221866667, 0.175093493333);
  EXPECT_EQ(basis(kLogs / "early-stop"), python_compat::AggregateBasis::actual);
}

TEST(FixturesGolden, PredictionOnly) {
  const ReadResult r = read_logs({kLogs / "prediction-only"});
  ASSERT_EQ(r.runs.size(), 1u);
  const RunData& run = r.runs[0];
  EXPECT_FALSE(run.finished);
  EXPECT_FALSE(run.actual);
  EXPECT_EQ(run.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(run.epochs[1].energy_j.at("cpu"), 31.0 * 21.0);
  expect_block(run.predicted, 10, 200, 0.028966666667, 4.150923333333);
  EXPECT_EQ(basis(kLogs / "prediction-only"), python_compat::AggregateBasis::predicted);
}

TEST(FixturesGolden, TruncatedMidLine) {
  const ReadResult r = read_logs({kLogs / "truncated"});
  ASSERT_EQ(r.runs.size(), 1u);
  const RunData& run = r.runs[0];
  ASSERT_EQ(run.epochs.size(), 3u);
  EXPECT_TRUE(run.epochs[1].complete);
  EXPECT_FALSE(run.epochs[2].complete);
  EXPECT_DOUBLE_EQ(run.epochs[2].duration_s, 5.0);
  EXPECT_TRUE(run.epochs[2].energy_j.empty());
  EXPECT_FALSE(run.actual);  // cut inside the block
  EXPECT_FALSE(run.finished);
  expect_block(run.predicted, 3, 15, 0.000724166667, 0.103773083333);
  const std::string issues = issues_text(r.issues, true);
  // The last lines (no final newline) are read, as the Python tool reads them; cut mid-record,
  // they show as an unreadable power line and an incomplete block.
  EXPECT_THAT(issues, HasSubstr("999.5_2025-04-01T100000Z_carbontracker.log:15: power line without a component"));
  EXPECT_THAT(issues, HasSubstr("999.5_2025-04-01T100000Z_carbontracker.log:13: epoch 3 has no power line for gpu"));
  EXPECT_THAT(issues, HasSubstr("_output.log:11: incomplete \"Actual consumption\" block (no readable Energy line"));
  EXPECT_EQ(basis(kLogs / "truncated"), python_compat::AggregateBasis::predicted);
}

TEST(FixturesGolden, SeveralRunsInOneDirectory) {
  const ReadResult r = read_logs({kLogs / "multi-run"});
  ASSERT_EQ(r.runs.size(), 3u);
  EXPECT_EQ(r.runs[0].stem, "300.33_2025-06-02T090000Z");
  EXPECT_EQ(r.runs[1].stem, "exp_a_100.11_2025-06-01T090000Z");
  EXPECT_EQ(r.runs[2].stem, "exp_b_200.22_2025-06-01T100000Z");
  expect_block(r.runs[0].actual, 1, 60, 0.008558333333, 1.226409166667);
  expect_block(r.runs[1].actual, 2, 120, 0.006583333333, 0.943391666667);
  expect_block(r.runs[2].actual, 2, 120, 0.011850000000, 1.698105000000);
  const auto a = python_compat::aggregate_consumption(kLogs / "multi-run");
  EXPECT_EQ(a.basis, python_compat::AggregateBasis::actual);
  EXPECT_DOUBLE_EQ(a.energy_kwh, 0.008558333333 + 0.006583333333 + 0.011850000000);
}

TEST(FixturesGolden, TwoRanksOfOneJobAreTwoRuns) {
  const ReadResult r = read_logs({kLogs / "ranks"});
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_EQ(r.runs[0].stem, "ddp_5001.1001_2025-07-01T100000Z");
  EXPECT_EQ(r.runs[1].stem, "ddp_5002.1002_2025-07-01T100000Z");
  EXPECT_DOUBLE_EQ(r.runs[0].epochs.at(0).energy_j.at("gpu"), 600.0 * 100.0);
  EXPECT_DOUBLE_EQ(r.runs[1].epochs.at(0).energy_j.at("gpu"), 601.0 * 100.0);
  expect_block(r.runs[0].actual, 2, 200, 0.060127777778, 8.616310555556);
  expect_block(r.runs[1].actual, 2, 200, 0.060171666667, 8.622599833333);
}

// Our tracker's event log and its own text logs of the same run tell the same story.
void expect_events_match_text(const fs::path& dir) {
  const ReadResult r = read_logs({dir});
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_TRUE(r.issues.empty()) << issues_text(r.issues, true);
  const RunData& ev = r.runs[0];
  EXPECT_EQ(ev.format, "carbontracker-cpp-events-v1");
  LogFiles files = find_logs({dir}, nullptr).at(0);
  files.events.clear();
  const auto text = read_run(files, nullptr);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->format, "carbontracker-text");
  EXPECT_EQ(ev.version, text->version);
  EXPECT_EQ(ev.pue, text->pue);
  EXPECT_EQ(ev.finished, text->finished);
  EXPECT_EQ(ev.early_stop, text->early_stop);
  ASSERT_EQ(ev.epochs.size(), text->epochs.size());
  for (std::size_t i = 0; i < ev.epochs.size(); ++i) {
    EXPECT_EQ(ev.epochs[i].index, text->epochs[i].index);
    EXPECT_NEAR(ev.epochs[i].duration_s, text->epochs[i].duration_s, 0.005);
    // Text: power (6 decimals) x duration (2 decimals): about 2 % on 0.3 s epochs.
    EXPECT_NEAR(ev.epochs[i].energy_j.at("gpu"), text->epochs[i].energy_j.at("gpu"),
                0.02 * ev.epochs[i].energy_j.at("gpu"));
    const double host = ev.epochs[i].energy_j.at("cpu") + ev.epochs[i].energy_j.at("dram");
    EXPECT_NEAR(host, text->epochs[i].energy_j.at("cpu"), 0.02 * host);  // the Python "cpu" includes DRAM
  }
  ASSERT_EQ(ev.predicted.has_value(), text->predicted.has_value());
  EXPECT_EQ(ev.predicted->epochs, text->predicted->epochs);
  EXPECT_NEAR(ev.predicted->energy_kwh, text->predicted->energy_kwh, 5e-13);
  EXPECT_NEAR(ev.predicted->co2eq_g, text->predicted->co2eq_g, 5e-13);
  ASSERT_EQ(ev.actual.has_value(), text->actual.has_value());
  if (ev.actual) {
    EXPECT_EQ(ev.actual->epochs, text->actual->epochs);
    EXPECT_NEAR(ev.actual->energy_kwh, text->actual->energy_kwh, 5e-13);
    EXPECT_NEAR(ev.actual->co2eq_g, text->actual->co2eq_g, 5e-13);
    EXPECT_NEAR(ev.actual->equivalents.at("km travelled by car"),
                text->actual->equivalents.at("km travelled by car"), 5e-13);
    EXPECT_NEAR(*ev.whole_run_energy_kwh, *text->whole_run_energy_kwh, 5e-10);
  }
  EXPECT_NEAR(*ev.intensity_g_per_kwh, *text->intensity_g_per_kwh, 0.005);
  EXPECT_EQ(ev.intensity_kind, text->intensity_kind);
  EXPECT_EQ(ev.intensity_source, text->intensity_source);
}

TEST(FixturesGolden, OursFinished) {
  expect_events_match_text(kLogs / "ours");
  const RunData run = read_logs({kLogs / "ours"}).runs.at(0);
  EXPECT_EQ(run.epochs.size(), 3u);
  EXPECT_TRUE(run.finished);
  EXPECT_FALSE(run.early_stop);
  EXPECT_DOUBLE_EQ(*run.pue, 1.2);
  EXPECT_EQ(run.intensity_kind, "fixed");
  EXPECT_DOUBLE_EQ(*run.intensity_g_per_kwh, 200.0);
  EXPECT_EQ(run.channels.size(), 3u);
  EXPECT_EQ(run.devices.at("gpu"), std::vector<std::string>{"Sim GPU"});
  EXPECT_EQ(run.devices.count("psys"), 0u);
  EXPECT_EQ(run.predictions.size(), 3u);
  EXPECT_EQ(run.printed_prediction, 0);
  EXPECT_EQ(run.actual->epochs, 3);
  EXPECT_NEAR(*run.estimated_energy_j, run.actual->energy_kwh * 3.6e6 / 1.2, 1e-6);
  EXPECT_EQ(basis(kLogs / "ours"), python_compat::AggregateBasis::actual);
}

TEST(FixturesGolden, OursKilled) {
  expect_events_match_text(kLogs / "ours-killed");
  const RunData run = read_logs({kLogs / "ours-killed"}).runs.at(0);
  EXPECT_FALSE(run.finished);
  EXPECT_FALSE(run.actual);
  EXPECT_EQ(run.epochs.size(), 3u);
  EXPECT_EQ(run.predicted->epochs, 5);
  EXPECT_EQ(basis(kLogs / "ours-killed"), python_compat::AggregateBasis::predicted);
}

TEST(FixturesGolden, OursStoppedByBudget) {
  expect_events_match_text(kLogs / "ours-budget");
  const RunData run = read_logs({kLogs / "ours-budget"}).runs.at(0);
  EXPECT_TRUE(run.stopped_by_budget);
  EXPECT_TRUE(run.finished);
  EXPECT_TRUE(run.early_stop);
  EXPECT_EQ(run.actual->epochs, 1);
  EXPECT_EQ(basis(kLogs / "ours-budget"), python_compat::AggregateBasis::actual);
}

TEST(FixturesGolden, DamagedEventLog) {
  const ReadResult r = read_logs({kLogs / "event-damaged"});
  ASSERT_EQ(r.runs.size(), 2u);
  const RunData& run = r.runs[0];
  EXPECT_EQ(run.epochs.size(), 3u);  // epoch 2 is a "v": 2 record with an extra key
  EXPECT_FALSE(run.finished);
  EXPECT_TRUE(run.predicted);
  const std::string issues = issues_text(r.issues, true);
  EXPECT_THAT(issues, HasSubstr("5555.1_2026-01-01T000000Z_carbontracker_events.jsonl:2: not a JSON object"));
  EXPECT_THAT(issues, HasSubstr("jsonl:6: event log version 2 is newer"));
  EXPECT_THAT(issues, HasSubstr("jsonl:10: incomplete last record"));
  EXPECT_THAT(issues, ::testing::Not(HasSubstr("gpu_health")));
}

}  // namespace
}  // namespace carbontracker::report
