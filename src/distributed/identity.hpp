// Who this process is in a distributed job: the launcher that started it (torchrun, SLURM,
// Open MPI, MPICH/PMI, PMIx), the job, the physical host and the process's ranks.
//
// Contract
//  - detect_identity() reads only what IdentityInputs gives it (environment, /etc root, host
//    name): tests fake the machine there. Pure; never throws for bad input (a rank that is not a
//    number is left unknown and named in notes).
//  - Precedence, for nested launchers (docs/distributed.md): torchrun (TORCHELASTIC_RUN_ID, or
//    RANK + LOCAL_RANK + WORLD_SIZE, or Lightning's LOCAL_RANK + NODE_RANK + WORLD_SIZE), then
//    MPI: Open MPI (OMPI_COMM_WORLD_RANK), MPICH / Intel MPI / Slurm pmi2 (PMI_RANK), PMIx
//    (PMIX_RANK), then a SLURM job step (SLURM_JOB_ID + SLURM_PROCID + SLURM_STEP_ID). torchrun
//    or mpirun inside an allocation leave every process with the SLURM_LOCALID of the one task
//    that started them, so SLURM comes last; SLURM's node-local view is used for MPI ranks only
//    when srun started them (SLURM_PROCID equals the MPI rank). The batch script itself (no
//    step id) is one process, not a rank.
//  - job_id: CARBONTRACKER_JOB_ID, else SLURM_JOB_ID (also when torchrun runs inside SLURM: it is
//    the id users know), else the launcher's own (TORCHELASTIC_RUN_ID unless "none", then
//    MASTER_ADDR:MASTER_PORT; PMIX_NAMESPACE; PMI_JOBID; OMPI_MCA_orte_ess_jobid). Empty when the
//    process is not in a job.
//  - host: CARBONTRACKER_NODE (tests simulating several hosts on one machine), else the host
//    name. host_key() adds /etc/machine-id: two SLURM or torchrun "nodes" on one machine share a
//    physical host, and measuring a host is elected per physical host.
//  - torchrun's RANK is not stable across restarts (TORCHELASTIC_RESTART_COUNT, kept in restart).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carbontracker::distributed {

enum class Launcher { none, torchrun, slurm, open_mpi, mpich, pmix, explicit_config };
// "none", "torchrun", "slurm", "openmpi", "mpich", "pmix", "explicit".
std::string_view to_string(Launcher launcher) noexcept;

struct JobIdentity {
  Launcher launcher = Launcher::none;
  std::string job_id;      // empty: not in a job
  std::string host;        // CARBONTRACKER_NODE, else the host name
  std::string machine_id;  // /etc/machine-id, trimmed; empty when unreadable
  std::string node;        // the launcher's node (SLURMD_NODENAME, torchrun GROUP_RANK); may be empty
  std::optional<int> rank, local_rank, world_size, local_world_size, node_rank;
  int restart = 0;                 // TORCHELASTIC_RESTART_COUNT / SLURM_RESTART_COUNT
  std::vector<std::string> notes;  // what could not be read, ambiguities

  [[nodiscard]] bool distributed() const noexcept { return launcher != Launcher::none; }
  // The physical host: "<host>" or "<host>/<machine id>" (CARBONTRACKER_NODE alone when set).
  [[nodiscard]] std::string host_key() const;
  // "rank 3 (local rank 1) on node2 in job 1234 (slurm)", for messages.
  [[nodiscard]] std::string describe() const;
};

struct IdentityInputs {
  std::function<std::optional<std::string>(const std::string&)> getenv;
  std::filesystem::path etc_root = "/etc";
  std::string hostname;
};

// The process's own inputs: its environment, /etc, gethostname().
IdentityInputs identity_inputs_from_process();

JobIdentity detect_identity(const IdentityInputs& in);

}  // namespace carbontracker::distributed
