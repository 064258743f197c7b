// `carbontracker report` over the event logs of distributed jobs (written with the tracker's codec,
// tests/support/job_event_logs.hpp), run as a real process: jobs grouped by `report DIR`, `--job ID`
// filtering, the unknown-ID error, the jobs CSV and the per-run job columns.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "job_event_logs.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::kCli;
using testing::run_process;
using testing::TempDir;

void write_job_dir(const std::filesystem::path& dir, const std::vector<testing::JobLogSpec>& specs) {
  for (const auto& s : specs) {
    testing::write_job_event_log(dir, s, fmt::format("j{}_r{}_{}.0_20261207", s.job_id, s.rank.value_or(-1), s.pid));
  }
}

double device_j_of(const std::vector<testing::JobLogSpec>& specs) {
  double j = 0;
  for (const auto& s : specs) j += testing::job_log_device_j(s);
  return j;
}

// Two jobs and a single process in one log directory: job 4242 with rank 1 missing and rank 3
// killed, job 777 complete.
struct JobsDir {
  TempDir dir;
  std::vector<testing::JobLogSpec> a = testing::two_by_two_job("4242");
  std::vector<testing::JobLogSpec> b = testing::two_by_two_job("777", 2);
  testing::JobLogSpec single;
  JobsDir() {
    a.erase(a.begin() + 1);
    a.back().finished = false;
    a.back().epochs.resize(1);
    for (auto& s : b) {
      s.pid += 100;
      s.launcher = "torchrun";
    }
    single.job = false;
    single.pid = 7;
    single.epochs = {{5, 1, 1, 500}};
    write_job_dir(dir.path(), a);
    write_job_dir(dir.path(), b);
    testing::write_job_event_log(dir.path(), single, "single_7.0_20261207");
  }
};

TEST(CliReportJobs, ReportDirGroupsTheJobsAndSumsEverything) {
  JobsDir d;
  auto r = run_process({kCli, "report", d.dir.path().string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 8u);
  ASSERT_EQ(j["jobs"].size(), 2u);
  EXPECT_EQ(j["jobs"][0]["job_id"], "4242");
  EXPECT_EQ(j["jobs"][0]["attempts"][0]["ranks_missing"], json({1}));
  EXPECT_EQ(j["jobs"][0]["attempts"][0]["unfinished"][0]["rank"], 3);
  EXPECT_EQ(j["jobs"][0]["attempts"][0]["unfinished"][0]["basis"], "partial");
  EXPECT_EQ(j["jobs"][1]["job_id"], "777");
  EXPECT_EQ(j["jobs"][1]["launcher"], "torchrun");
  EXPECT_NEAR(j["jobs"][0]["device_energy_kwh"].get<double>() * 3.6e6, device_j_of(d.a), 1e-9);
  EXPECT_NEAR(j["jobs"][1]["device_energy_kwh"].get<double>() * 3.6e6, device_j_of(d.b), 1e-9);
  EXPECT_NEAR(j["total"]["device_energy_kwh"].get<double>() * 3.6e6,
              device_j_of(d.a) + device_j_of(d.b) + testing::job_log_device_j(d.single), 1e-9);

  auto text = run_process({kCli, "report", d.dir.path().string()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("Jobs (2):"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  rank 1 of 4 wrote no log: not counted, not estimated\n"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("  rank 3 on node2 did not finish (no run_end; killed?): counted partial with its 1 "
                          "completed epoch(s)"),
            std::string::npos)
      << text.out;
}

TEST(CliReportJobs, JobOptionReportsOnlyThatJob) {
  JobsDir d;
  auto r = run_process({kCli, "report", "--job", "777", d.dir.path().string(), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["runs"].size(), 4u);
  for (const auto& run : j["runs"]) EXPECT_EQ(run["job_id"], "777");
  ASSERT_EQ(j["jobs"].size(), 1u);
  EXPECT_NEAR(j["total"]["device_energy_kwh"].get<double>() * 3.6e6, device_j_of(d.b), 1e-9);
  EXPECT_DOUBLE_EQ(j["total"]["energy_kwh"].get<double>(), j["jobs"][0]["energy_kwh"].get<double>());
  EXPECT_EQ(j["total"]["runs"], 4);

  auto csv = run_process({kCli, "report", "--job", "4242", d.dir.path().string(), "--format", "csv", "--table", "jobs"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("job_id,launcher,restart,world_size,logs,ranks_found,ranks_missing,ranks_unfinished,", 0), 0u)
      << csv.out;
  EXPECT_NE(csv.out.find("\n4242,slurm,0,4,3,0 2 3,1,3,node1 node2,"), std::string::npos) << csv.out;
  EXPECT_EQ(csv.out.find("\n777,"), std::string::npos) << csv.out;

  auto runs_csv = run_process({kCli, "report", "--job", "4242", d.dir.path().string(), "--format", "csv"});
  ASSERT_EQ(runs_csv.exit_code, 0) << runs_csv.err;
  EXPECT_NE(runs_csv.out.find(",4242,node2,2,0\n"), std::string::npos) << runs_csv.out;
}

TEST(CliReportJobs, AnUnknownJobIsAUsageErrorNamingTheJobsFound) {
  JobsDir d;
  auto r = run_process({kCli, "report", "--job", "999", d.dir.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("no log in the given paths belongs to job '999'; the jobs found: 4242, 777"), std::string::npos)
      << r.err;

  TempDir plain;
  testing::write_job_event_log(plain.path(), d.single, "single_7.0_20261207");
  auto none = run_process({kCli, "report", "--job", "4242", plain.path().string()});
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("no log in the given paths is a process of a distributed job"), std::string::npos)
      << none.err;
}

TEST(CliReportJobs, TheHelpNamesTheJobOption) {
  auto r = run_process({kCli, "report", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--job"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--table"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace carbontracker
