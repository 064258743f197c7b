// distributed/measure_scope and claims: each GPU once, each physical host once, and every
// channel not counted says who counts it.
#include "distributed/measure_scope.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace carbontracker::distributed {
namespace {

JobIdentity rank_of(int rank, std::optional<int> local_rank, std::optional<int> local_world = 2) {
  JobIdentity id;
  id.launcher = Launcher::torchrun;
  id.job_id = "job-1";
  id.host = "box";
  id.rank = rank;
  id.local_rank = local_rank;
  id.local_world_size = local_world;
  return id;
}

ChannelInfo channel(Component c, const std::string& id, const std::string& uuid = "") {
  ChannelInfo info;
  info.id = id;
  info.component = c;
  info.name = id;
  info.uuid = uuid;
  return info;
}

std::vector<ChannelInfo> box_channels() {
  return {channel(Component::cpu, "powercap:intel-rapl:0"), channel(Component::dram, "powercap:intel-rapl:0:0"),
          channel(Component::gpu, "nvml:GPU-a", "GPU-a"), channel(Component::gpu, "nvml:GPU-b", "GPU-b")};
}

TEST(GpusOfRank, SharesFollowTheLocalRank) {
  using V = std::vector<std::size_t>;
  EXPECT_EQ(gpus_of_rank(rank_of(0, 1, 2), 2, false), V({1}));      // one GPU per rank
  EXPECT_EQ(gpus_of_rank(rank_of(0, 1, 2), 4, false), V({1, 3}));   // more GPUs than ranks
  EXPECT_EQ(gpus_of_rank(rank_of(0, 3, 4), 2, false), V({1}));      // ranks share GPUs
  EXPECT_EQ(gpus_of_rank(rank_of(0, 1, 2), 1, false), V({0}));      // one visible GPU: its own
  EXPECT_EQ(gpus_of_rank(rank_of(0, std::nullopt), 2, false), V({0, 1}));  // unknown local rank: claims decide
  EXPECT_EQ(gpus_of_rank(rank_of(0, 1, 2), 2, true), V({0, 1}));    // SLURM bound GPUs per task
  EXPECT_EQ(gpus_of_rank(rank_of(0, 1, std::nullopt), 2, false), V({0, 1}));  // local ranks unknown: claims decide
  EXPECT_EQ(gpus_of_rank(JobIdentity{}, 3, false), V({0, 1, 2}));   // not in a job
}

TEST(MeasureScope, NotInAJobCountsEverything) {
  const ScopeDecision d = decide_scope(JobIdentity{}, box_channels(), nullptr, false);
  EXPECT_EQ(d.counted, std::vector<bool>(4, true));
  EXPECT_TRUE(d.notes.empty());
}

TEST(MeasureScope, TwoRanksOnOneHostCountEachDeviceOnce) {
  testing::TempDir run;
  Claims first_claims(run.path(), "job-1", "box");
  Claims second_claims(run.path(), "job-1", "box");
  const ScopeDecision r0 = decide_scope(rank_of(0, 0), box_channels(), &first_claims, false);
  const ScopeDecision r1 = decide_scope(rank_of(1, 1), box_channels(), &second_claims, false);
  EXPECT_EQ(r0.counted, std::vector<bool>({true, true, true, false}));
  EXPECT_EQ(r1.counted, std::vector<bool>({false, false, false, true}));
  EXPECT_TRUE(r0.host_measurer);
  EXPECT_FALSE(r1.host_measurer);
  EXPECT_NE(r1.reasons[0].find("measured by local rank 0"), std::string::npos) << r1.reasons[0];
  EXPECT_NE(r0.reasons[3].find("not this rank's"), std::string::npos) << r0.reasons[3];
  EXPECT_EQ(r0.notes.front(), "rank 0 (local rank 0) on box in job job-1 (torchrun) measures this host's CPU and DRAM, GPU nvml:GPU-a GPU-a");
  EXPECT_EQ(r1.notes.front(), "rank 1 (local rank 1) on box in job job-1 (torchrun) measures GPU nvml:GPU-b GPU-b");
}

TEST(MeasureScope, TwoLauncherNodesOnOneMachineElectOneHostMeasurer) {
  // torchrun "nodes" 0 and 1 on one physical host: both have a local rank 0.
  testing::TempDir run;
  Claims a(run.path(), "job-1", "box/mid");
  Claims b(run.path(), "job-1", "box/mid");
  const ScopeDecision first = decide_scope(rank_of(0, 0), box_channels(), &a, false);
  const ScopeDecision second = decide_scope(rank_of(2, 0), box_channels(), &b, false);
  EXPECT_TRUE(first.host_measurer);
  EXPECT_FALSE(second.host_measurer);
  EXPECT_FALSE(second.counted[2]);  // GPU-a: the same device, claimed by its UUID
  EXPECT_EQ(second.reasons[0], "measured by rank 0 (local rank 0) on box in job job-1 (torchrun)");
  EXPECT_EQ(second.reasons[2], "measured by rank 0 (local rank 0) on box in job job-1 (torchrun)");
}

TEST(MeasureScope, AClaimIsReleasedWithItsHolder) {
  testing::TempDir run;
  {
    Claims gone(run.path(), "job-1", "box");
    EXPECT_TRUE(decide_scope(rank_of(0, 0), box_channels(), &gone, false).host_measurer);
  }
  Claims restarted(run.path(), "job-1", "box");
  EXPECT_TRUE(decide_scope(rank_of(0, 0), box_channels(), &restarted, false).host_measurer);
}

TEST(MeasureScope, OtherJobsAndSimulatedHostsDoNotCompete) {
  testing::TempDir run;
  Claims job1(run.path(), "job-1", "box");
  Claims job2(run.path(), "job/2", "box");  // unsafe characters are replaced, not a path
  Claims node2(run.path(), "job-1", "node-2");
  EXPECT_TRUE(decide_scope(rank_of(0, 0), box_channels(), &job1, false).host_measurer);
  EXPECT_TRUE(decide_scope(rank_of(0, 0), box_channels(), &job2, false).host_measurer);
  EXPECT_TRUE(decide_scope(rank_of(0, 0), box_channels(), &node2, false).host_measurer);
  EXPECT_TRUE(std::filesystem::exists(run / "job_2" / "box" / "host.lock"));
}

TEST(MeasureScope, WithoutClaimsTheShareAloneDecidesAndSaysSo) {
  JobIdentity id = rank_of(0, 0);
  id.job_id.clear();
  const ScopeDecision d = decide_scope(id, box_channels(), nullptr, false);
  EXPECT_EQ(d.counted, std::vector<bool>({true, true, true, false}));
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_NE(d.notes[1].find("counted twice"), std::string::npos);
}

TEST(MeasureScope, AnUnusableRunDirectoryCountsAndWarns) {
  testing::TempDir run;
  testing::write_file(run / "file", "not a directory");
  Claims claims(run / "file", "job-1", "box");
  const ScopeDecision d = decide_scope(rank_of(0, 0), box_channels(), &claims, false);
  EXPECT_TRUE(d.counted[0]);
  EXPECT_TRUE(d.host_measurer);
  bool warned = false;
  for (const auto& n : d.notes) warned = warned || n.find("CARBONTRACKER_RUN_DIR") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(MeasureScope, ARankThatMeasuresNothingSaysSo) {
  testing::TempDir run;
  Claims claims(run.path(), "job-1", "box");
  const std::vector<ChannelInfo> cpu_only = {channel(Component::cpu, "powercap:intel-rapl:0")};
  const ScopeDecision d = decide_scope(rank_of(1, 1), cpu_only, &claims, false);
  EXPECT_EQ(d.counted, std::vector<bool>({false}));
  EXPECT_NE(d.notes.front().find("measures nothing"), std::string::npos) << d.notes.front();
}

}  // namespace
}  // namespace carbontracker::distributed

namespace carbontracker::distributed {
namespace {

TEST(Claims, ARunDirectoryOthersMayWriteIsRefusedNotUsed) {
  testing::TempDir run;
  std::filesystem::create_directory(run / "shared");
  std::filesystem::permissions(run / "shared", std::filesystem::perms::all);  // 0777, as /tmp without the sticky bit
  Claims claims(run / "shared", "job-1", "box");
  const auto r = claims.claim("host", "me");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("others may write"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().fix().find("CARBONTRACKER_RUN_DIR"), std::string::npos);
}

TEST(Claims, TheRunDirectoryIsMadePrivate) {
  testing::TempDir run;
  Claims claims(run / "new", "job-1", "box");
  ASSERT_TRUE(claims.claim("host", "me").is_ok());
  const auto perms = std::filesystem::status(run / "new").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

TEST(Claims, AnXdgRuntimeDirThatDoesNotExistFallsBackToTmp) {
  const auto dir = default_run_dir(testing::fixed_env({{"XDG_RUNTIME_DIR", "/nonexistent/run/user/1000"}}));
  EXPECT_EQ(dir.parent_path(), "/tmp");
}

}  // namespace
}  // namespace carbontracker::distributed
