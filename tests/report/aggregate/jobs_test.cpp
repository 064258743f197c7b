// Job totals (report/jobs.hpp) over real event-log files written with the tracker's codec and read
// back by the log reader: sums, missing and killed ranks named, jobs apart, clock skew, restarts.
#include "report/jobs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "job_event_logs.hpp"
#include "report/formats.hpp"
#include "report/log_reader.hpp"

namespace carbontracker::report {
namespace {

using testing::JobLogSpec;
using testing::TempDir;

struct JobsRead {
  ReadResult read;
  std::vector<RunFigures> figures;
  std::vector<JobFigures> jobs;
};

JobsRead jobs_of_dir(const std::filesystem::path& dir) {
  JobsRead out;
  out.read = read_logs({dir});
  for (const auto& r : out.read.runs) out.figures.push_back(figures_for(r));
  out.jobs = jobs_for(out.read.runs, out.figures);
  return out;
}

void write_specs(const std::filesystem::path& dir, const std::vector<JobLogSpec>& specs) {
  for (const auto& s : specs) {
    testing::write_job_event_log(
        dir, s, fmt::format("j{}_r{}_x{}_{}.0_20261207", s.job_id, s.rank ? *s.rank : -1, s.restart, s.pid));
  }
}

double device_kwh(const std::vector<JobLogSpec>& specs) {
  double j = 0;
  for (const auto& s : specs) j += testing::job_log_device_j(s);
  return j / 3.6e6;
}

bool has_note(const JobFigures& job, const std::string& text) {
  for (const auto& n : job.notes) {
    if (n.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string notes_of(const JobFigures& job) {
  std::string out;
  for (const auto& n : job.notes) out += n + "\n";
  return out;
}

TEST(Jobs, ATwoHostTwoRankJobIsTheSumOfItsRanks) {
  TempDir dir;
  const auto specs = testing::two_by_two_job("4242");
  write_specs(dir.path(), specs);
  const JobsRead got = jobs_of_dir(dir.path());
  ASSERT_EQ(got.read.runs.size(), 4u);
  ASSERT_EQ(got.jobs.size(), 1u);
  const JobFigures& job = got.jobs[0];
  EXPECT_EQ(job.job_id, "4242");
  EXPECT_EQ(job.launchers, std::vector<std::string>{"slurm"});
  EXPECT_EQ(job.hosts, (std::vector<std::string>{"node1", "node2"}));
  EXPECT_TRUE(job.notes.empty()) << notes_of(job);
  EXPECT_EQ(job.total.runs, 4);
  EXPECT_EQ(job.total.runs_actual, 4);
  const double want_device = device_kwh(specs);  // (101+102+103 + ... + 55*3*2) J
  EXPECT_NEAR(job.total.device_energy_kwh, want_device, 1e-15);
  EXPECT_NEAR(job.total.energy_kwh, want_device * 1.5, 1e-15);
  EXPECT_NEAR(job.total.co2eq_g, want_device * 1.5 * 200, 1e-12);
  // The longest rank (rank 3: 13 s per epoch) is the job's duration.
  EXPECT_DOUBLE_EQ(job.duration_s, 39);
  ASSERT_EQ(job.attempts.size(), 1u);
  const JobAttempt& at = job.attempts[0];
  EXPECT_EQ(at.world_size, 4);
  EXPECT_EQ(at.ranks_found, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(at.ranks_missing.empty());
  EXPECT_TRUE(at.unfinished.empty());
  ASSERT_EQ(at.epochs.size(), 3u);
  for (int k = 1; k <= 3; ++k) {
    const JobEpoch& e = at.epochs[k - 1];
    EXPECT_EQ(e.index, k);
    EXPECT_EQ(e.ranks, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_TRUE(e.ranks_without.empty());
    EXPECT_DOUBLE_EQ(e.longest_duration_s, 13);
    const double j = 101 + 201 + 301 + 401 + 4.0 * (k - 1) + 2 * 55;
    EXPECT_NEAR(e.device_energy_kwh, j / 3.6e6, 1e-15) << k;
    EXPECT_NEAR(e.energy_kwh, j * 1.5 / 3.6e6, 1e-15) << k;
    EXPECT_NEAR(e.co2eq_g, j * 1.5 / 3.6e6 * 200, 1e-12) << k;
  }
  // Who measured what.
  ASSERT_EQ(job.ranks.size(), 4u);
  EXPECT_TRUE(job.ranks[0].host_measurer);
  EXPECT_FALSE(job.ranks[1].host_measurer);
  EXPECT_TRUE(job.ranks[2].host_measurer);
  EXPECT_EQ(job.ranks[3].gpus, std::vector<std::string>{"GPU-node2-1"});
  // The job's figures and the report's total agree (one job, nothing else in the directory).
  const TotalFigures all = totals_for(got.figures);
  EXPECT_DOUBLE_EQ(all.energy_kwh, job.total.energy_kwh);
  EXPECT_DOUBLE_EQ(all.device_energy_kwh, job.total.device_energy_kwh);
}

TEST(Jobs, RanksWithoutALogAreNamedNotEstimated) {
  TempDir dir;
  auto specs = testing::two_by_two_job("4242");
  specs.resize(2);  // node2's ranks 2 and 3 wrote nothing
  write_specs(dir.path(), specs);
  const JobsRead got = jobs_of_dir(dir.path());
  ASSERT_EQ(got.jobs.size(), 1u);
  const JobFigures& job = got.jobs[0];
  EXPECT_EQ(job.attempts[0].ranks_missing, (std::vector<int>{2, 3}));
  EXPECT_TRUE(has_note(job, "ranks 2, 3 of 4 wrote no log: not counted, not estimated")) << notes_of(job);
  EXPECT_NEAR(job.total.device_energy_kwh, device_kwh(specs), 1e-15) << "only what the logs hold";
  EXPECT_EQ(job.hosts, std::vector<std::string>{"node1"});
}

TEST(Jobs, AHostWhoseMeasurerIsMissingIsNamed) {
  TempDir dir;
  auto specs = testing::two_by_two_job("4242");
  specs.erase(specs.begin() + 2);  // rank 2, node2's CPU and DRAM measurer
  write_specs(dir.path(), specs);
  const JobFigures job = jobs_of_dir(dir.path()).jobs.at(0);
  EXPECT_TRUE(has_note(job, "rank 2 of 4 wrote no log")) << notes_of(job);
  EXPECT_TRUE(has_note(job, "no log from host node2 says it counted the host's CPU and DRAM")) << notes_of(job);
  const JobEpoch& e = job.attempts[0].epochs[0];
  EXPECT_EQ(e.ranks, (std::vector<int>{0, 1, 3}));
}

TEST(Jobs, AKilledRankCountsItsCompletedEpochsAndIsNamed) {
  TempDir dir;
  auto specs = testing::two_by_two_job("4242");
  specs[3].finished = false;  // killed after its second epoch: no run_end
  specs[3].epochs.resize(2);
  write_specs(dir.path(), specs);
  const JobsRead got = jobs_of_dir(dir.path());
  const JobFigures& job = got.jobs.at(0);
  EXPECT_EQ(job.total.runs_actual, 3);
  EXPECT_EQ(job.total.runs_partial, 1);
  EXPECT_NEAR(job.total.device_energy_kwh, device_kwh(specs), 1e-15);
  ASSERT_EQ(job.attempts[0].unfinished.size(), 1u);
  EXPECT_EQ(job.ranks[job.attempts[0].unfinished[0]].rank, 3);
  EXPECT_TRUE(has_note(job, "rank 3 on node2 did not finish (no run_end; killed?): counted partial with its 2 "
                            "completed epoch(s)"))
      << notes_of(job);
  const JobEpoch& third = job.attempts[0].epochs.at(2);
  EXPECT_EQ(third.ranks, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(third.ranks_without, std::vector<int>{3});
  EXPECT_DOUBLE_EQ(third.longest_duration_s, 12);
}

TEST(Jobs, TwoJobsInOneDirectoryAreGroupedApartAndASingleProcessIsInNone) {
  TempDir dir;
  auto a = testing::two_by_two_job("4242");
  auto b = testing::two_by_two_job("777", 2);
  for (auto& s : b) {
    s.launcher = "torchrun";
    s.pid += 100;
    for (auto& e : s.epochs) e.gpu_j *= 3;
  }
  JobLogSpec single;
  single.job = false;
  single.pid = 5;
  single.epochs = {{10, 1, 1, 1000}};
  write_specs(dir.path(), a);
  write_specs(dir.path(), b);
  testing::write_job_event_log(dir.path(), single, "single_5.0_20261207");
  const JobsRead got = jobs_of_dir(dir.path());
  ASSERT_EQ(got.read.runs.size(), 9u);
  ASSERT_EQ(got.jobs.size(), 2u);
  EXPECT_EQ(got.jobs[0].job_id, "4242");
  EXPECT_EQ(got.jobs[1].job_id, "777");
  EXPECT_EQ(got.jobs[1].launchers, std::vector<std::string>{"torchrun"});
  EXPECT_NEAR(got.jobs[0].total.device_energy_kwh, device_kwh(a), 1e-15);
  EXPECT_NEAR(got.jobs[1].total.device_energy_kwh, device_kwh(b), 1e-15);
  EXPECT_EQ(got.jobs[1].attempts[0].epochs.size(), 2u);
  const TotalFigures all = totals_for(got.figures);
  EXPECT_NEAR(all.device_energy_kwh, device_kwh(a) + device_kwh(b) + 1002 / 3.6e6, 1e-15);
}

// A job's JSON with its directory's name taken out (the two directories differ).
std::string without_dir(const JobFigures& job, const std::filesystem::path& dir) {
  std::string s = job_json(job).dump(2);
  const std::string d = dir.string();
  for (std::size_t at = s.find(d); at != std::string::npos; at = s.find(d)) s.replace(at, d.size(), "DIR");
  return s;
}

TEST(Jobs, ClockSkewBetweenHostsChangesNothing) {
  TempDir same, skewed;
  auto specs = testing::two_by_two_job("4242");
  specs[3].finished = false;
  specs[3].epochs.resize(2);
  write_specs(same.path(), specs);
  // node2's clock runs 3 hours ahead, and rank 1's 5 hours behind on node1.
  specs[2].start_unix_s += 3 * 3600;
  specs[3].start_unix_s += 3 * 3600;
  specs[1].start_unix_s -= 5 * 3600;
  write_specs(skewed.path(), specs);
  const auto a = jobs_of_dir(same.path()).jobs;
  const auto b = jobs_of_dir(skewed.path()).jobs;
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(without_dir(a[0], same.path()), without_dir(b[0], skewed.path()));
  EXPECT_DOUBLE_EQ(b[0].duration_s, 36) << "the longest rank's own durations, no wall clock";
}

TEST(Jobs, ARestartedJobKeepsItsAttemptsApartAndSumsThem) {
  TempDir dir;
  auto first = testing::two_by_two_job("tr-1", 1);
  for (auto& s : first) {
    s.launcher = "torchrun";
    s.finished = false;  // the whole group was killed and restarted
  }
  auto second = testing::two_by_two_job("tr-1", 2);
  for (std::size_t i = 0; i < second.size(); ++i) {
    second[i].launcher = "torchrun";
    second[i].restart = 1;
    second[i].pid += 10;
    second[i].host = i < 2 ? "node2" : "node1";  // ranks are not stable across restarts
  }
  second.pop_back();  // rank 3 of the second attempt wrote no log
  write_specs(dir.path(), first);
  write_specs(dir.path(), second);
  const JobFigures job = jobs_of_dir(dir.path()).jobs.at(0);
  ASSERT_EQ(job.attempts.size(), 2u);
  EXPECT_EQ(job.attempts[0].restart, 0);
  EXPECT_EQ(job.attempts[1].restart, 1);
  EXPECT_EQ(job.attempts[0].epochs.size(), 1u);
  EXPECT_EQ(job.attempts[0].epochs[0].ranks, (std::vector<int>{0, 1, 2, 3}));
  ASSERT_EQ(job.attempts[1].epochs.size(), 2u);
  EXPECT_EQ(job.attempts[1].epochs[0].ranks, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(job.attempts[0].unfinished.size(), 4u);
  EXPECT_TRUE(has_note(job, "restart 1: rank 3 of 4 wrote no log")) << notes_of(job);
  EXPECT_TRUE(has_note(job, "restart 0: rank 0 on node1 did not finish")) << notes_of(job);
  EXPECT_EQ(job.total.runs, 7);
  EXPECT_NEAR(job.total.device_energy_kwh, device_kwh(first) + device_kwh(second), 1e-15);
  EXPECT_DOUBLE_EQ(job.duration_s, 13 + 2 * 12) << "each attempt's longest rank, summed";
}

TEST(Jobs, TheTextJsonAndCsvOutputsNameTheJob) {
  TempDir dir;
  auto specs = testing::two_by_two_job("4242");
  specs.erase(specs.begin() + 1);  // rank 1
  write_specs(dir.path(), specs);
  const JobsRead got = jobs_of_dir(dir.path());
  const TotalFigures t = totals_for(got.figures);
  const std::string text = render_text(got.figures, t, {}, false, got.jobs);
  EXPECT_NE(text.find("  job 4242 (slurm), host node2, rank 3 of 4 (local rank 1)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Job 4242 (slurm): 3 log(s), hosts node1, node2;"), std::string::npos) << text;
  EXPECT_NE(text.find("  rank 1 of 4 wrote no log: not counted, not estimated\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  rank 0 on node1: counts CPU and DRAM of node1, GPU GPU-node1-0; actual, 3 epoch(s)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  epoch 2: ranks 0, 2, 3; longest 13.0 s;"), std::string::npos) << text;
  const nlohmann::json j = render_json(got.figures, t, {}, got.jobs);
  ASSERT_EQ(j["jobs"].size(), 1u);
  EXPECT_EQ(j["jobs"][0]["job_id"], "4242");
  EXPECT_EQ(j["jobs"][0]["attempts"][0]["ranks_missing"], nlohmann::json({1}));
  EXPECT_NEAR(j["total"]["device_energy_kwh"].get<double>(), device_kwh(specs), 1e-15);
  EXPECT_EQ(j["runs"][0]["job_id"], "4242");
  EXPECT_EQ(j["runs"][0]["host"], "node1");
  EXPECT_EQ(j["runs"][0]["rank"], 0);
  const std::string csv = render_jobs_csv(got.jobs);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "job_id,launcher,restart,world_size,logs,ranks_found,ranks_missing,ranks_unfinished,hosts,duration_s,"
            "energy_kwh,device_energy_kwh,co2eq_g,runs_damaged,runs_without_co2eq,notes");
  EXPECT_NE(csv.find("\n4242,slurm,0,4,3,0 2 3,1,,node1 node2,39,"), std::string::npos) << csv;
  const std::string runs_csv = render_csv(got.figures);
  EXPECT_NE(runs_csv.find(",4242,node2,3,0\n"), std::string::npos) << runs_csv;
}

TEST(Jobs, LogsOfSingleProcessesHaveNoJobAndTheTextIsUnchanged) {
  TempDir dir;
  JobLogSpec single;
  single.job = false;
  single.epochs = {{10, 1, 1, 1000}, {10, 1, 1, 1000}};
  testing::write_job_event_log(dir.path(), single, "single_1000.0_20261207");
  const JobsRead got = jobs_of_dir(dir.path());
  ASSERT_EQ(got.read.runs.size(), 1u);
  EXPECT_FALSE(got.read.runs[0].job);
  EXPECT_TRUE(got.jobs.empty());
  const TotalFigures t = totals_for(got.figures);
  EXPECT_EQ(render_text(got.figures, t, {}, false, got.jobs), render_text(got.figures, t, {}, false));
  EXPECT_EQ(render_text(got.figures, t, {}, false).find("job"), std::string::npos);
  EXPECT_TRUE(render_json(got.figures, t, {}, got.jobs)["jobs"].empty());
}

}  // namespace
}  // namespace carbontracker::report

namespace carbontracker::report {
namespace {

TEST(Jobs, ARankThatMeasuredNothingIsNotMeasuredNotDamaged) {
  testing::TempDir dir;
  auto specs = testing::two_by_two_job("77");
  // Rank 3 counted nothing (its devices count elsewhere): its run_end says so, with no figures.
  specs[3].finished = false;
  write_specs(dir.path(), specs);
  const auto rank3 = dir.path() / fmt::format("j77_r3_x0_{}.0_20261207_carbontracker_events.jsonl", specs[3].pid);
  ASSERT_TRUE(std::filesystem::exists(rank3));
  {
    std::ofstream out(rank3, std::ios::app);
    out << outputs::encode(outputs::RunNotMeasuredEvent{"this process measured nothing: every device it sees is counted "
                                                        "by another process of job 77"})
        << "\n";
  }
  const JobsRead got = jobs_of_dir(dir.path());
  EXPECT_TRUE(got.read.issues.empty()) << got.read.issues.front().message;  // not a reading problem
  const TotalFigures all = totals_for(got.figures);
  EXPECT_EQ(all.runs_damaged, 0);
  EXPECT_EQ(all.runs, 3);
  bool said = false;
  for (const auto& f : got.figures) {
    if (f.basis == RunBasis::none) said = f.basis_note.find("not measured: this process measured nothing") == 0;
  }
  EXPECT_TRUE(said);
  const std::string text = render_text(got.figures, all, got.read.issues, false, got.jobs);
  EXPECT_NE(text.find("left out of the totals: not measured: this process measured nothing"), std::string::npos) << text;
}

}  // namespace
}  // namespace carbontracker::report
