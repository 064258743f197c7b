// The HTML report's "Distributed jobs" section over real event logs of a 2-host x 2-rank job
// (written with the tracker's codec): the job's sums, its ranks and who counted what, the missing
// and unfinished ranks named, the epochs lined up; no section for logs of single processes.
#include <gtest/gtest.h>

#include "job_event_logs.hpp"
#include "report/html_report.hpp"
#include "report/log_reader.hpp"

namespace carbontracker::report {
namespace {

TEST(HtmlJobs, AJobGetsItsSectionWithRanksEpochsAndNamedGaps) {
  carbontracker::testing::TempDir dir;
  auto specs = carbontracker::testing::two_by_two_job("4242");
  specs.erase(specs.begin() + 1);
  specs.back().finished = false;
  specs.back().epochs.resize(2);
  for (const auto& s : specs) {
    carbontracker::testing::write_job_event_log(dir.path(), s, fmt::format("r{}_{}.0_20261207", *s.rank, s.pid));
  }
  const ReadResult read = read_logs({dir.path()});
  ASSERT_EQ(read.runs.size(), 3u);
  const std::string html = render_html_report(read.runs, {});
  EXPECT_NE(html.find("<section class=\"jobs\" id=\"jobs\"><h2>Distributed jobs</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h3>Job 4242 (slurm)</h3>"), std::string::npos);
  EXPECT_NE(html.find("rank 1 of 4 wrote no log: not counted, not estimated"), std::string::npos);
  EXPECT_NE(html.find("rank 3 on node2 did not finish (no run_end; killed?): counted partial with its 2 completed"),
            std::string::npos);
  EXPECT_NE(html.find("<td>CPU and DRAM of node2, GPU-node2-0</td>"), std::string::npos);
  EXPECT_NE(html.find("partial (did not finish)"), std::string::npos);
  EXPECT_NE(html.find("<td>ranks 0, 2</td><td>rank 3</td>"), std::string::npos) << "epoch 3: rank 3 was killed";
}

TEST(HtmlJobs, LogsOfSingleProcessesHaveNoJobSection) {
  carbontracker::testing::TempDir dir;
  carbontracker::testing::JobLogSpec single;
  single.job = false;
  single.epochs = {{10, 1, 1, 100}};
  carbontracker::testing::write_job_event_log(dir.path(), single, "single_1000.0_20261207");
  const std::string html = render_html_report(read_logs({dir.path()}).runs, {});
  EXPECT_EQ(html.find("class=\"jobs\""), std::string::npos);
  EXPECT_NE(html.find("<section class=\"run\""), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::report
