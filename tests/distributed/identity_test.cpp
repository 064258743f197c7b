// distributed/identity: the launchers' environments, their precedence, the host identity.
#include "distributed/identity.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace carbontracker::distributed {
namespace {

using testing::fixed_env;

JobIdentity identity_of(std::map<std::string, std::string> env, const std::filesystem::path& etc = "/nonexistent") {
  IdentityInputs in;
  in.getenv = fixed_env(std::move(env));
  in.etc_root = etc;
  in.hostname = "gpu-box";
  return detect_identity(in);
}

TEST(Identity, NoLauncherIsNotAJob) {
  const JobIdentity id = identity_of({{"CUDA_VISIBLE_DEVICES", "0"}});
  EXPECT_FALSE(id.distributed());
  EXPECT_EQ(id.job_id, "");
  EXPECT_EQ(id.host, "gpu-box");
  EXPECT_FALSE(id.rank.has_value());
}

TEST(Identity, TorchrunGivesRanksAndItsRunId) {
  const JobIdentity id = identity_of({{"TORCHELASTIC_RUN_ID", "exp-7"}, {"RANK", "5"}, {"LOCAL_RANK", "1"},
                                     {"WORLD_SIZE", "8"}, {"LOCAL_WORLD_SIZE", "4"}, {"GROUP_RANK", "1"}});
  EXPECT_EQ(id.launcher, Launcher::torchrun);
  EXPECT_EQ(id.job_id, "exp-7");
  EXPECT_EQ(id.rank, 5);
  EXPECT_EQ(id.local_rank, 1);
  EXPECT_EQ(id.world_size, 8);
  EXPECT_EQ(id.local_world_size, 4);
  EXPECT_EQ(id.node_rank, 1);
  EXPECT_EQ(id.describe(), "rank 5 (local rank 1) on gpu-box in job exp-7 (torchrun)");
}

TEST(Identity, TorchrunWithoutARunIdUsesTheRendezvousAddress) {
  const JobIdentity id = identity_of({{"TORCHELASTIC_RUN_ID", "none"}, {"RANK", "0"}, {"LOCAL_RANK", "0"},
                                     {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29500"}});
  EXPECT_EQ(id.job_id, "10.0.0.1:29500");
}

TEST(Identity, TorchrunInsideSrunTakesTorchrunRanksAndTheSlurmJobId) {
  // Every worker of torchrun under `srun --ntasks-per-node=1` has SLURM_LOCALID=0.
  const JobIdentity id = identity_of({{"SLURM_JOB_ID", "4242"}, {"SLURM_PROCID", "1"}, {"SLURM_LOCALID", "0"},
                                     {"SLURM_NTASKS", "2"}, {"TORCHELASTIC_RUN_ID", "r"}, {"RANK", "7"},
                                     {"LOCAL_RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_WORLD_SIZE", "4"}});
  EXPECT_EQ(id.launcher, Launcher::torchrun);
  EXPECT_EQ(id.local_rank, 3);
  EXPECT_EQ(id.rank, 7);
  EXPECT_EQ(id.job_id, "4242");
}

TEST(Identity, SlurmTasks) {
  const JobIdentity id = identity_of({{"SLURM_JOB_ID", "99"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "3"}, {"SLURM_LOCALID", "1"},
                                     {"SLURM_NTASKS", "4"}, {"SLURM_NODEID", "1"}, {"SLURM_TASKS_PER_NODE", "2(x2)"},
                                     {"SLURMD_NODENAME", "node2"}});
  EXPECT_EQ(id.launcher, Launcher::slurm);
  EXPECT_EQ(id.job_id, "99");
  EXPECT_EQ(id.rank, 3);
  EXPECT_EQ(id.local_rank, 1);
  EXPECT_EQ(id.world_size, 4);
  EXPECT_EQ(id.local_world_size, 2);
  EXPECT_EQ(id.node_rank, 1);
  EXPECT_EQ(id.node, "node2");
  // Uneven tasks per node: the local size is unknown, not guessed.
  EXPECT_FALSE(identity_of({{"SLURM_JOB_ID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"SLURM_TASKS_PER_NODE", "2,1"}})
                   .local_world_size.has_value());
}

TEST(Identity, TheBatchScriptIsOneProcessNotARank) {
  // sbatch's script: SLURM_PROCID=0 of SLURM_NTASKS=4, but the tasks are the srun steps it starts.
  EXPECT_FALSE(identity_of({{"SLURM_JOB_ID", "5"}, {"SLURM_PROCID", "0"}, {"SLURM_LOCALID", "0"}, {"SLURM_NTASKS", "4"}})
                   .distributed());
  EXPECT_FALSE(identity_of({{"SLURM_JOB_ID", "5"}, {"SLURM_STEP_ID", "4294967294"}, {"SLURM_PROCID", "0"}}).distributed());
}

TEST(Identity, MpirunInsideAnAllocationTakesTheMpiRanks) {
  // mpirun in a batch script: every rank inherits the batch step's SLURM_PROCID 0 / LOCALID 0.
  const JobIdentity id = identity_of({{"SLURM_JOB_ID", "6"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"},
                                     {"SLURM_LOCALID", "0"}, {"SLURM_NTASKS", "2"}, {"OMPI_COMM_WORLD_RANK", "5"},
                                     {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"OMPI_COMM_WORLD_SIZE", "8"}});
  EXPECT_EQ(id.launcher, Launcher::open_mpi);
  EXPECT_EQ(id.rank, 5);
  EXPECT_EQ(id.local_rank, 1);
  EXPECT_EQ(id.world_size, 8);
  EXPECT_EQ(id.job_id, "6");
  // srun --mpi=pmix started the ranks itself: PMIX_RANK is SLURM_PROCID, and SLURM knows the node.
  const JobIdentity pmix = identity_of({{"SLURM_JOB_ID", "6"}, {"SLURM_STEP_ID", "1"}, {"SLURM_PROCID", "3"},
                                       {"SLURM_LOCALID", "1"}, {"SLURM_NTASKS", "4"}, {"SLURM_TASKS_PER_NODE", "2(x2)"},
                                       {"PMIX_RANK", "3"}, {"PMIX_NAMESPACE", "slurm.pmix.6.1"}});
  EXPECT_EQ(pmix.launcher, Launcher::pmix);
  EXPECT_EQ(pmix.local_rank, 1);
  EXPECT_EQ(pmix.local_world_size, 2);
  EXPECT_EQ(pmix.world_size, 4);
}

TEST(Identity, LightningsOwnLauncherHasNoGlobalRank) {
  const JobIdentity id = identity_of({{"LOCAL_RANK", "1"}, {"NODE_RANK", "0"}, {"WORLD_SIZE", "4"}});
  EXPECT_EQ(id.launcher, Launcher::torchrun);
  EXPECT_EQ(id.local_rank, 1);
  EXPECT_FALSE(id.rank.has_value());
}

TEST(Identity, MpiFlavours) {
  const JobIdentity ompi = identity_of({{"OMPI_COMM_WORLD_RANK", "2"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "0"},
                                       {"OMPI_COMM_WORLD_SIZE", "4"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"},
                                       {"PMIX_NAMESPACE", "prterun-x-1@1"}});
  EXPECT_EQ(ompi.launcher, Launcher::open_mpi);
  EXPECT_EQ(ompi.rank, 2);
  EXPECT_EQ(ompi.local_world_size, 2);
  EXPECT_EQ(ompi.job_id, "prterun-x-1@1");

  const JobIdentity mpich = identity_of({{"PMI_RANK", "1"}, {"PMI_SIZE", "2"}, {"MPI_LOCALRANKID", "1"}});
  EXPECT_EQ(mpich.launcher, Launcher::mpich);
  EXPECT_EQ(mpich.local_rank, 1);
  EXPECT_EQ(mpich.job_id, "");
  ASSERT_FALSE(mpich.notes.empty());
  EXPECT_NE(mpich.notes.back().find("CARBONTRACKER_JOB_ID"), std::string::npos);

  const JobIdentity pmix = identity_of({{"PMIX_RANK", "0"}, {"PMIX_NAMESPACE", "ns"}});
  EXPECT_EQ(pmix.launcher, Launcher::pmix);
  EXPECT_EQ(pmix.job_id, "ns");
  EXPECT_FALSE(pmix.local_rank.has_value());
}

TEST(Identity, ARankThatIsNotANumberIsUnknownAndNamed) {
  const JobIdentity id =
      identity_of({{"SLURM_JOB_ID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "zero"}, {"SLURM_LOCALID", "-1"}, {"SLURM_NTASKS", "2"}});
  EXPECT_FALSE(id.rank.has_value());
  EXPECT_FALSE(id.local_rank.has_value());
  ASSERT_EQ(id.notes.size(), 2u);
  EXPECT_NE(id.notes[0].find("SLURM_PROCID=\"zero\""), std::string::npos);
}

TEST(Identity, PhysicalHostFromMachineIdUnlessANodeIsSimulated) {
  testing::TempDir etc;
  testing::write_file(etc / "machine-id", "0123abcd\n");
  const JobIdentity real = identity_of({{"SLURM_JOB_ID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}}, etc.path());
  EXPECT_EQ(real.machine_id, "0123abcd");
  EXPECT_EQ(real.host_key(), "gpu-box/0123abcd");

  const JobIdentity simulated =
      identity_of({{"SLURM_JOB_ID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"CARBONTRACKER_NODE", "fake-node-2"}}, etc.path());
  EXPECT_EQ(simulated.host, "fake-node-2");
  EXPECT_EQ(simulated.host_key(), "fake-node-2");
}

TEST(Identity, ExplicitJobIdWinsAndMakesAJobOfASingleProcess) {
  EXPECT_EQ(identity_of({{"SLURM_JOB_ID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"CARBONTRACKER_JOB_ID", "mine"}}).job_id, "mine");
  const JobIdentity alone = identity_of({{"CARBONTRACKER_JOB_ID", "sweep-3"}});
  EXPECT_EQ(alone.launcher, Launcher::explicit_config);
  EXPECT_TRUE(alone.distributed());
}

}  // namespace
}  // namespace carbontracker::distributed
