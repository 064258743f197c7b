// `carbontracker report` end to end over committed log fixtures (tests/fixtures/logs: the Python
// tool's v1/v2 formats and logs our tracker wrote) and over a run this test makes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::run_process;
using testing::TempDir;

const std::string kCli = CARBONTRACKER_CLI;
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
  EXPECT_TRUE(std::filesystem::exists(dir / "x.html")) << "the Python tool's --report writes our HTML report";
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

}  // namespace
}  // namespace carbontracker
