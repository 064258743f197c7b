#include "report/aggregate.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "report/formats.hpp"

namespace carbontracker::report {
namespace {

RunData finished_run(double kwh, double g) {
  RunData r;
  r.file = "a_carbontracker_events.jsonl";
  r.format = "carbontracker-cpp-events-v1";
  r.finished = true;
  r.actual = Consumption{3, 30.0, kwh, g, {}, {}};
  r.predicted = Consumption{3, 28.0, kwh * 0.9, g * 0.9, {}, {}};
  return r;
}

TEST(Aggregate, AFinishedRunCountsItsActualConsumption) {
  const auto f = figures_for(finished_run(0.5, 100));
  EXPECT_EQ(f.basis, RunBasis::actual);
  EXPECT_EQ(f.epochs, 3);
  EXPECT_DOUBLE_EQ(f.energy_kwh, 0.5);
  EXPECT_DOUBLE_EQ(f.co2eq_g, 100);
}

TEST(Aggregate, AKilledRunCountsItsCompletedEpochsNotItsPrediction) {
  RunData r;
  r.file = "killed";
  r.pue = 1.0;
  r.predicted = Consumption{100, 1000, 9.0, 900, {}, {}};
  for (int i = 1; i <= 2; ++i) {
    EpochData e;
    e.index = i;
    e.duration_s = 10;
    e.energy_j = {{"gpu", 3.6e6}, {"cpu", 0.36e6}};  // 1.1 kWh per epoch
    r.epochs.push_back(e);
  }
  r.intensity_g_per_kwh = 100;
  const auto f = figures_for(r);
  EXPECT_EQ(f.basis, RunBasis::partial);
  EXPECT_EQ(f.epochs, 2);
  EXPECT_DOUBLE_EQ(f.energy_kwh, 2.2);
  EXPECT_DOUBLE_EQ(f.co2eq_g, 220);
}

TEST(Aggregate, APredictionOnlyRunIsLabelledPredicted) {
  RunData r;
  r.predicted = Consumption{10, 100, 2.0, std::nan(""), {}, {}};
  const auto f = figures_for(r);
  EXPECT_EQ(f.basis, RunBasis::predicted);
  const auto t = totals_for({f, figures_for(finished_run(1.0, 50))});
  EXPECT_EQ(t.runs, 2);
  EXPECT_EQ(t.runs_predicted, 1);
  EXPECT_EQ(t.runs_without_co2, 1);
  EXPECT_DOUBLE_EQ(t.energy_kwh, 3.0);
  EXPECT_DOUBLE_EQ(t.co2eq_g, 50);
  const std::string s = paper_statement(t, false);
  EXPECT_NE(s.find("The training of models in this work is estimated to use 3 kWh of electricity contributing to "
                   "0.05 kg of CO2eq."),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("predicted from the first epochs, not measured"), std::string::npos) << s;
  EXPECT_NE(s.find("left out of the CO2eq figure"), std::string::npos);
}

TEST(Aggregate, JsonAndCsvHaveTheDocumentedColumns) {
  std::vector<RunFigures> runs{figures_for(finished_run(0.25, 40))};
  runs[0].file = "dir/with,comma.log";
  const auto t = totals_for(runs);
  const auto j = render_json(runs, t, {{"x.log", 3, "truncated line (skipped)"}});
  EXPECT_EQ(j["version"], 1);
  for (const char* k : {"file", "epochs", "duration_s", "energy_kwh", "co2eq_g", "basis"}) {
    EXPECT_TRUE(j["runs"][0].contains(k)) << k;
  }
  for (const char* k : {"energy_kwh", "co2eq_g", "runs"}) EXPECT_TRUE(j["total"].contains(k)) << k;
  EXPECT_EQ(j["runs"][0]["basis"], "actual");
  EXPECT_EQ(j["issues"][0]["line"], 3);
  const std::string csv = render_csv(runs);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "file,format,epochs,duration_s,energy_kwh,co2eq_g,basis,intensity_g_per_kwh,intensity_source,estimated_share,"
            "basis_note,measured_epochs,measured_duration_s,measured_energy_kwh,measured_co2eq_g,damage,job_id,host,rank,"
            "restart");
  EXPECT_NE(csv.find("\"dir/with,comma.log\""), std::string::npos) << csv;
  EXPECT_EQ(csv.substr(csv.size() - 5), ",,,,\n") << "no job: empty job columns";
  EXPECT_TRUE(j["runs"][0]["job_id"].is_null());
  EXPECT_TRUE(j["jobs"].empty());
  EXPECT_TRUE(j["total"]["device_energy_kwh"].is_null()) << "the run states no PUE: its device energy is unknown";
}

TEST(Aggregate, LatexStatementCarriesTheCitation) {
  const auto t = totals_for({figures_for(finished_run(1.5, 300))});
  const std::string s = paper_statement(t, true);
  EXPECT_NE(s.find("$1.5$\\,kWh"), std::string::npos) << s;
  EXPECT_NE(s.find("\\cite{anthony2020carbontracker}"), std::string::npos);
  EXPECT_NE(s.find("@misc{anthony2020carbontracker"), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::report
