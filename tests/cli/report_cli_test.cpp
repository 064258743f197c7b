// `carbontracker report` end to end over committed log fixtures (tests/fixtures/logs: the Python
// tool's v1/v2 formats and logs our tracker wrote) and over a run this test makes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::run_process;
using testing::TempDir;

using testing::kCli;
std::string logs(const std::string& name) { return (testing::fixtures_dir() / "logs" / name).string(); }

TEST(CliReport, JsonHasRunsTotalAndBasis) {
  auto r = run_process({kCli, "report", logs("python-v2"), logs("prediction-only"), logs("ours"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_GE(j["runs"].size(), 3u);
  std::set<std::string> bases;
  for (const auto& run : j["runs"]) {
    for (const char* k : {"file", "epochs", "duration_s", "energy_kwh", "co2eq_g", "basis"}) {
      EXPECT_TRUE(run.contains(k)) << k;
    }
    bases.insert(run["basis"]);
  }
  EXPECT_TRUE(bases.count("actual"));
  EXPECT_TRUE(bases.count("partial")) << "a run with a prediction and some epochs counts what it measured";
  for (const char* k : {"energy_kwh", "co2eq_g", "runs"}) EXPECT_TRUE(j["total"].contains(k)) << k;
  EXPECT_EQ(j["total"]["runs"], j["runs"].size());
}

TEST(CliReport, PythonParseAliasPrintsTheStatement) {
  auto r = run_process({kCli, "--parse", logs("python-v2")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("The training of models in this work is estimated to use ", 0), 0u) << r.out;
  auto latex = run_process({kCli, "report", "--statement", "--latex", logs("python-v2")});
  EXPECT_NE(latex.out.find("\\cite{anthony2020carbontracker}"), std::string::npos) << latex.out;
}

TEST(CliReport, CsvHasAHeaderAndOneRowPerRun) {
  auto r = run_process({kCli, "report", logs("multi-run"), "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("file,format,epochs,duration_s,energy_kwh,co2eq_g,basis", 0), 0u);
  int rows = 0;
  for (std::string line; std::getline(in, line);) rows += !line.empty();
  EXPECT_GE(rows, 2);
}

TEST(CliReport, DamagedLogsAreReportedNotFatal) {
  auto r = run_process({kCli, "report", logs("truncated"), logs("event-damaged")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("problem(s) while reading"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("truncated"), std::string::npos);
}

TEST(CliReport, ARunOfOursReportsWhatItsSummarySaid) {
  TempDir dir;
  auto run = run_process({kCli, "run", "--epochs", "2", "--epoch-pattern", "^Epoch", "--log-dir", (dir / "logs").string(),
                          "--summary-json", (dir / "s.json").string(), "--sim-gpu", "G", "--sim-gpu-watts", "100",
                          "--intensity", "200", "--", "/bin/sh", "-c", "sleep 0.2; echo Epoch 1; sleep 0.2; echo Epoch 2"},
                         {"CARBONTRACKER_SYSFS_ROOT=/nonexistent", "CARBONTRACKER_NVML_LIBRARY=/nonexistent.so"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json summary = json::parse(testing::read_text(dir / "s.json"));
  auto r = run_process({kCli, "report", (dir / "logs").string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 1u) << "the event log and the text logs of one run count once";
  EXPECT_EQ(j["runs"][0]["basis"], "actual");
  EXPECT_EQ(j["runs"][0]["epochs"], 2);
  EXPECT_NEAR(j["runs"][0]["energy_kwh"].get<double>(), summary["total"]["energy_kwh"].get<double>(), 1e-12);
  EXPECT_NEAR(j["runs"][0]["co2eq_g"].get<double>(), summary["total"]["co2eq_g"].get<double>(), 1e-9);
}

TEST(CliReport, HtmlIsOneSelfContainedFile) {
  TempDir dir;
  auto r = run_process({kCli, "report", logs("ours"), "--format", "html", "--output", (dir / "r.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = testing::read_text(dir / "r.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos) << "no external resources";
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  auto alias = run_process({kCli, "--report", logs("ours"), "--output", (dir / "x.pdf").string()});
  EXPECT_EQ(alias.exit_code, 0) << alias.err;
  EXPECT_EQ(testing::read_text(dir / "x.pdf").rfind("%PDF-", 0), 0u) << "the Python tool's --report writes a PDF";
}

TEST(CliReport, NoLogsIsAClearError) {
  TempDir dir;
  auto r = run_process({kCli, "report", dir.path().string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no carbontracker logs"), std::string::npos) << r.err;
  auto missing = run_process({kCli, "report", "/nonexistent/dir"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
}

TEST(CliReport, AnEmptyDirectoryGivesAClearMessageNoStatementAndStatus1) {
  TempDir dir;
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, {"--statement"}, {"--statement", "--latex"}, {"--format", "json"},
        {"--format", "csv"}, {"--format", "html", "--output", (dir / "r.html").string()}}) {
    std::vector<std::string> argv{kCli, "report", logs("empty")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = run_process(argv);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "") << "no statement of zeros, no empty table";
    EXPECT_NE(r.err.find("no carbontracker logs found in " + logs("empty")), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no statement written"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "r.html")) << "nothing to write, no file";
  auto parse = run_process({kCli, "--parse", logs("empty")});
  EXPECT_EQ(parse.exit_code, 1);
  EXPECT_EQ(parse.out, "");
}

TEST(CliReport, MonitorEpochsOneCountsThePredictionInEveryFormat) {
  auto j = run_process({kCli, "report", logs("python-monitor-epochs-1"), "--format", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json doc = json::parse(j.out);
  ASSERT_EQ(doc["runs"].size(), 1u);
  const json& run = doc["runs"][0];
  EXPECT_EQ(run["basis"], "predicted");
  EXPECT_EQ(run["epochs"], 40);
  EXPECT_DOUBLE_EQ(run["energy_kwh"].get<double>(), 1.650946203677);
  EXPECT_EQ(run["measured"]["epochs"], 1);
  EXPECT_DOUBLE_EQ(run["measured"]["energy_kwh"].get<double>(), 0.041273655092);
  EXPECT_DOUBLE_EQ(doc["total"]["energy_kwh"].get<double>(), 1.650946203677);
  EXPECT_NE(doc["statement"].get<std::string>().find("monitored only their first epoch(s)"), std::string::npos);

  auto text = run_process({kCli, "report", logs("python-monitor-epochs-1")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("40 epoch(s), 12494.0 s, 1.650946204 kWh"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("measured part: 1 epoch(s)"), std::string::npos) << text.out;
  auto csv = run_process({kCli, "report", logs("python-monitor-epochs-1"), "--format", "csv"});
  EXPECT_NE(csv.out.find(",predicted,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find(",1,312,0.041273655092,"), std::string::npos) << csv.out;
  TempDir dir;
  auto html = run_process(
      {kCli, "report", logs("python-monitor-epochs-1"), "--format", "html", "--output", (dir / "r.html").string()});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(testing::read_text(dir / "r.html").find("<dt>measured part</dt>"), std::string::npos);
  // The Python tool's --parse sentence counts it the same way (its 16 decimals: what it prints on this log).
  auto parse = run_process({kCli, "--parse", logs("python-monitor-epochs-1")});
  EXPECT_NE(parse.out.find("use 1.6509462036770000 kWh of electricity"), std::string::npos) << parse.out;
}

TEST(CliReport, DamagedRunsAreNamedAndLeftOutOfTheTotal) {
  auto r = run_process({kCli, "report", logs("damaged-values"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["total"]["runs"], 1);
  EXPECT_EQ(doc["total"]["runs_damaged"], 5);
  EXPECT_DOUBLE_EQ(doc["total"]["energy_kwh"].get<double>(), 0.012185397089);
  int damaged = 0;
  for (const auto& run : doc["runs"]) {
    if (run["basis"] != "damaged") continue;
    ++damaged;
    EXPECT_TRUE(run["energy_kwh"].is_null());
    EXPECT_GT(run["damage"]["line"].get<int>(), 0);
  }
  EXPECT_EQ(damaged, 5);

  // Only damaged runs: the figures are shown, no statement, status 1.
  TempDir dir;
  for (const char* f : {"5101.311552_2025-11-20T100000Z_carbontracker.log",
                        "5101.311552_2025-11-20T100000Z_carbontracker_output.log"}) {
    std::filesystem::copy_file(std::filesystem::path(logs("damaged-values")) / f, dir / f);
  }
  auto only = run_process({kCli, "report", dir.path().string()});
  EXPECT_EQ(only.exit_code, 1);
  EXPECT_NE(only.out.find("left out of the totals: damaged value at "), std::string::npos) << only.out;
  EXPECT_NE(only.out.find("_carbontracker_output.log:13: \"Actual consumption\" block: Energy is nan kWh"),
            std::string::npos)
      << only.out;
  EXPECT_EQ(only.out.find("The training of models"), std::string::npos) << only.out;
  EXPECT_NE(only.err.find("none of the 1 run(s) found has a usable energy figure"), std::string::npos) << only.err;
  auto statement = run_process({kCli, "report", "--statement", dir.path().string()});
  EXPECT_EQ(statement.exit_code, 1);
  EXPECT_EQ(statement.out, "");
}

TEST(CliReport, ManyDamagedFilesAreCountedExactly) {
  auto r = run_process({kCli, "report", logs("many-damaged")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("the same in 3 more file(s) (6 lines): no power sample for gpu (logged None)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Total over 1 run(s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("8 damaged run(s) left out"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace carbontracker
