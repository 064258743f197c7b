// A distributed job's ranks in one process (explicit identity, the same fixture host): each
// device counted once, rank 0 prints the job's report from the other ranks' logs, the other
// ranks print nothing; and the job summary read from hand-written event logs.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tracker/job_summary.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::TrackerRig;

Config rank_config(const TrackerRig& rig, int rank, int world) {
  Config c;
  c.epochs = 1;
  c.update_interval = 3600;
  c.job_id = "job-7";
  c.rank = rank;
  c.local_rank = rank;
  c.world_size = world;
  c.log_dir = rig.dir / "logs";
  c.job_wait_s = 10;
  return c;
}

TEST(TrackerJob, TwoRanksCountEachDeviceOnceAndRankZeroReportsTheJob) {
  TrackerRig rig;
  rig.ctx->getenv = testing::fixed_env({{"CARBONTRACKER_RUN_DIR", (rig.dir / "run").string()}});
  std::ostringstream console1;
  TrackerEnvironment env1 = rig.env();
  env1.console = &console1;
  Tracker rank0(rank_config(rig, 0, 2), rig.env());
  Tracker rank1(rank_config(rig, 1, 2), env1);
  rank0.epoch_start();
  rank1.epoch_start();
  rig.spend(10, 5, 100, 10);  // per package, per DRAM zone, per GPU
  // One thread plays both ranks: rank 1's last epoch_end first, since rank 0's run ends at its own
  // last epoch_end and then waits for the other ranks' epochs.
  rank1.epoch_end();
  rank0.epoch_end();
  rank1.stop();
  rank0.stop();

  // Set explicitly, the identity has no count of local ranks: rank 0 claimed both GPUs first
  // (claims by UUID), so rank 1 counts nothing and says so instead of reporting 0 J.
  const Totals t0 = rank0.snapshot().epochs_total;
  EXPECT_DOUBLE_EQ(t0.device_energy_j.cpu_j, 20);
  EXPECT_DOUBLE_EQ(t0.device_energy_j.dram_j, 10);
  EXPECT_DOUBLE_EQ(t0.device_energy_j.gpu_j, 200);
  EXPECT_TRUE(rank1.snapshot().channels.empty());
  std::size_t not_measured = 0;
  for (const auto& e : std::filesystem::directory_iterator(rig.dir / "logs")) {
    if (e.path().string().find("_events.jsonl") == std::string::npos) continue;
    std::istringstream lines(testing::read_text(e.path()));
    for (std::string line; std::getline(lines, line);) {
      const bool run_end = line.find("\"type\":\"run_end\"") != std::string::npos;
      not_measured += run_end && line.find("this process measured nothing") != std::string::npos ? 1 : 0;
    }
  }
  EXPECT_EQ(not_measured, 1u);  // rank 1's run_end: not measured, not 0 J
  EXPECT_EQ(console1.str(), "");  // the other ranks print nothing (but warnings)
  const std::string out = rig.console.str();
  EXPECT_NE(out.find("Job job-7 (explicit): 1 of 2 rank(s) reported, on 1 host(s); rank 1 measured nothing."),
            std::string::npos)
      << out;
  EXPECT_EQ(testing::count_of(out, "Actual consumption for"), 1u) << out;
  // (20 + 10 + 200) J x PUE 1.58 = 363.4 J = 0.000100944444... kWh
  EXPECT_NE(out.find("Actual consumption for 1 epoch(s) of the job:\n\tTime:\t0:00:10\n\tEnergy:\t0.000100944444 kWh"),
            std::string::npos)
      << out;
}

TEST(TrackerJob, RankZeroPredictsForTheJobAndItsBudgetStopsEveryRank) {
  TrackerRig rig;
  rig.ctx->getenv = testing::fixed_env({{"CARBONTRACKER_RUN_DIR", (rig.dir / "run").string()}});
  std::ostringstream console1;
  TrackerEnvironment env1 = rig.env();
  env1.console = &console1;
  Config c0 = rank_config(rig, 0, 2);
  Config c1 = rank_config(rig, 1, 2);
  for (Config* c : {&c0, &c1}) {
    c->epochs = 10;
    c->intensity_g_per_kwh = 100;
    // Each epoch: 230 J of device energy in the job (363.4 J facility, all rank 0's: it claimed
    // both GPUs); 10 epochs: ~0.00101 kWh.
    c->budget.max_energy_kwh = 0.0005;
    c->budget.action = BudgetAction::stop;
  }
  Tracker rank0(c0, rig.env());
  Tracker rank1(c1, env1);
  rank0.epoch_start();
  rank1.epoch_start();
  rig.spend(10, 5, 100, 10);
  rank1.epoch_end();  // rank 1 counts nothing, and a job's budget is rank 0's to apply
  EXPECT_THROW(rank0.epoch_end(), BudgetExceeded);  // the job's forecast (3634 J) is over it
  const std::string out = rig.console.str();
  EXPECT_NE(out.find("Predicted consumption for 10 epoch(s) of the job:\n\tTime:\t0:01:40\n\tEnergy:\t0.001009444444 kWh"),
            std::string::npos)
      << out;
  EXPECT_EQ(testing::count_of(out, "Predicted consumption"), 1u) << out;  // not rank 0's own share
  rank1.epoch_start();
  rig.spend(1, 1, 1, 1);
  try {
    rank1.epoch_end();
    ADD_FAILURE() << "rank 1 did not stop";
  } catch (const BudgetExceeded& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 stopped the job (job job-7: "), std::string::npos) << e.what();
  }
  EXPECT_TRUE(rank1.snapshot().stopped_by_budget);
  EXPECT_NE(console1.str().find("rank 0 stopped the job"), std::string::npos) << console1.str();  // a warning
}

TEST(TrackerJob, ReportEveryRankKeepsEachRanksOwnReport) {
  TrackerRig rig;
  rig.ctx->getenv = testing::fixed_env({{"CARBONTRACKER_RUN_DIR", (rig.dir / "run").string()}});
  Config c = rank_config(rig, 1, 2);
  c.report_every_rank = true;
  Tracker rank1(c, rig.env());
  rank1.epoch_start();
  rig.spend(1, 1, 1, 1);
  rank1.epoch_end();
  rank1.stop();
  EXPECT_NE(rig.console.str().find("Actual consumption for 1 epoch(s):"), std::string::npos) << rig.console.str();
  EXPECT_NE(rig.console.str().find("counted by another process of the job: cpu, dram (measured by local rank 0"),
            std::string::npos)
      << rig.console.str();
}

// Hand-written logs of job "j": one line each as the tracker writes them (the codec's encode).
// device_j: a run_end with that GPU energy over 2 epochs; epochs_j: completed epoch lines.
void write_rank_log(const std::filesystem::path& dir, const std::string& job, int rank, const std::string& host,
                    std::optional<double> device_j, int restart = 0, const std::vector<double>& epochs_j = {}) {
  outputs::RunStartEvent start;
  outputs::JobRecord rec;
  rec.id = job;
  rec.launcher = "slurm";
  rec.host = host;
  rec.rank = rank;
  rec.world_size = 4;
  rec.restart = restart;
  start.job = rec;
  std::ofstream out(dir / ("r" + std::to_string(rank) + "_" + job + std::to_string(restart) +
                           "_carbontracker_events.jsonl"));
  out << outputs::encode(start) << "\n";
  for (std::size_t i = 0; i < epochs_j.size(); ++i) {
    EpochRecord e;
    e.index = static_cast<int>(i) + 1;
    e.totals.duration_s = 5;
    e.totals.device_energy_j.gpu_j = epochs_j[i];
    e.totals.facility_energy_j = epochs_j[i] * 1.5;
    out << outputs::encode_epoch(e) << "\n";
  }
  if (device_j) {
    outputs::RunEndEvent end;
    end.epochs = 2;
    Totals t;
    t.duration_s = 10.0 + rank;
    t.device_energy_j.gpu_j = *device_j;
    t.measured_j = *device_j;
    t.facility_energy_j = *device_j * 1.5;
    t.co2eq_g = *device_j / 1000;
    end.total = outputs::TotalsRecord::of(t);
    end.whole_run = end.total;
    out << outputs::encode(end) << "\n";
  }
}

TEST(JobSummary, SumsTheRanksAndNamesTheMissingAndTheBehind) {
  testing::TempDir dir;
  write_rank_log(dir.path(), "j", 0, "n1", 100);
  write_rank_log(dir.path(), "j", 1, "n1", std::nullopt, 0, {30, 20});  // 2 epochs logged, no run_end yet
  write_rank_log(dir.path(), "j", 3, "n2", std::nullopt, 0, {7});      // killed after 1 epoch
  write_rank_log(dir.path(), "other", 2, "n2", 1000);                  // another job
  write_rank_log(dir.path(), "j", 2, "n2", 1000, 1);                   // another attempt of this job
  outputs::JobRecord me;
  me.id = "j";
  me.world_size = 4;
  tracker::JobLogs logs(dir.path(), me);
  const outputs::JobTotals t = tracker::gather_job_totals(logs, 2, 0.3);
  EXPECT_EQ(t.ranks, std::vector<int>({0, 1, 3}));
  EXPECT_EQ(t.missing_ranks, std::vector<int>({2}));
  EXPECT_EQ(t.unfinished_ranks, std::vector<int>({3}));
  EXPECT_EQ(t.hosts, 2u);
  EXPECT_DOUBLE_EQ(t.total.device_energy_j.gpu_j, 157);  // 100 + (30 + 20) + 7
  EXPECT_DOUBLE_EQ(t.total.facility_energy_j, 235.5);
  EXPECT_DOUBLE_EQ(t.duration_s, 10);  // the longest rank: rank 0's 10 s (rank 1: 2 x 5 s)
  EXPECT_EQ(t.epochs, 2);
  EXPECT_GE(t.waited_s, 0.3);  // incomplete: it waited the whole bound, no longer
  EXPECT_LT(t.waited_s, 5.0);
}

TEST(JobSummary, ALateRankIsWaitedFor) {
  testing::TempDir dir;
  write_rank_log(dir.path(), "j", 0, "n1", 100);
  outputs::JobRecord me;
  me.id = "j";
  me.world_size = 2;
  std::thread late([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    write_rank_log(dir.path(), "j", 1, "n2", 20);
  });
  tracker::JobLogs logs(dir.path(), me);
  const outputs::JobTotals t = tracker::gather_job_totals(logs, 2, 20);
  late.join();
  EXPECT_EQ(t.ranks, std::vector<int>({0, 1}));
  EXPECT_DOUBLE_EQ(t.total.device_energy_j.gpu_j, 120);
  EXPECT_LT(t.waited_s, 10.0);  // done when every rank ended, not at the bound
}

}  // namespace
}  // namespace carbontracker
