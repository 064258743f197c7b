#include "distributed/identity.hpp"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/text.hpp"

namespace carbontracker::distributed {

std::string_view to_string(Launcher launcher) noexcept {
  switch (launcher) {
    case Launcher::none: return "none";
    case Launcher::torchrun: return "torchrun";
    case Launcher::slurm: return "slurm";
    case Launcher::open_mpi: return "openmpi";
    case Launcher::mpich: return "mpich";
    case Launcher::pmix: return "pmix";
    case Launcher::explicit_config: return "explicit";
  }
  return "none";
}

std::string JobIdentity::host_key() const {
  if (machine_id.empty()) return host;
  return host + "/" + machine_id;
}

std::string JobIdentity::describe() const {
  std::string s = rank ? "rank " + std::to_string(*rank) : std::string("a process of unknown rank");
  if (local_rank) s += " (local rank " + std::to_string(*local_rank) + ")";
  s += " on " + host;
  if (!job_id.empty()) s += " in job " + job_id;
  s += " (" + std::string(to_string(launcher)) + ")";
  return s;
}

namespace {

class Env {
 public:
  Env(const IdentityInputs& in, JobIdentity& id) : in_(in), id_(id) {}

  [[nodiscard]] std::optional<std::string> text(const std::string& name) const {
    if (!in_.getenv) return std::nullopt;
    auto v = in_.getenv(name);
    if (!v || text::trim(*v).empty()) return std::nullopt;
    return std::string(text::trim(*v));
  }
  [[nodiscard]] bool has(const std::string& name) const { return text(name).has_value(); }

  // A rank or size: a non-negative integer; anything else is named in notes, not guessed.
  std::optional<int> number(const std::string& name) const {
    auto v = text(name);
    if (!v) return std::nullopt;
    auto n = text::to_number<int>(*v);
    if (!n || *n < 0) {
      id_.notes.push_back(name + "=\"" + *v + "\" is not a rank or size (a non-negative integer): ignored");
      return std::nullopt;
    }
    return n;
  }
  // The first of several variables that is set.
  std::optional<int> first_number(std::initializer_list<const char*> names) const {
    for (const char* n : names) {
      if (auto v = number(n)) return v;
    }
    return std::nullopt;
  }

 private:
  const IdentityInputs& in_;
  JobIdentity& id_;
};

std::string read_machine_id(const std::filesystem::path& etc_root) {
  std::ifstream in(etc_root / "machine-id");
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  return std::string(text::trim(line));
}

void from_torchrun(const Env& e, JobIdentity& id) {
  id.launcher = Launcher::torchrun;
  id.rank = e.number("RANK");
  id.local_rank = e.number("LOCAL_RANK");
  id.world_size = e.number("WORLD_SIZE");
  id.local_world_size = e.number("LOCAL_WORLD_SIZE");
  id.node_rank = e.number("GROUP_RANK");
  if (id.node_rank) id.node = "node " + std::to_string(*id.node_rank);
  if (auto r = e.number("TORCHELASTIC_RESTART_COUNT")) id.restart = *r;
  if (id.restart > 0) {
    id.notes.push_back("torchrun restarted the workers " + std::to_string(id.restart) +
                       " time(s): RANK may differ from the first attempt's");
  }
  auto run_id = e.text("TORCHELASTIC_RUN_ID");
  if (run_id && *run_id != "none") {
    id.job_id = *run_id;
  } else if (auto addr = e.text("MASTER_ADDR"), port = e.text("MASTER_PORT"); addr && port) {
    id.job_id = *addr + ":" + *port;
  }
}

void from_slurm(const Env& e, JobIdentity& id) {
  id.launcher = Launcher::slurm;
  id.rank = e.number("SLURM_PROCID");
  id.local_rank = e.number("SLURM_LOCALID");
  id.world_size = e.number("SLURM_NTASKS");
  id.node_rank = e.number("SLURM_NODEID");
  if (auto per_node = e.text("SLURM_TASKS_PER_NODE")) {
    // "4" or "4(x2)" (uniform): the local world size; "2,1" (uneven): unknown.
    auto n = text::to_number<int>(per_node->substr(0, per_node->find('(')));
    if (n && per_node->find(',') == std::string::npos) id.local_world_size = *n;
  }
  if (auto node = e.text("SLURMD_NODENAME")) id.node = *node;
  if (auto r = e.number("SLURM_RESTART_COUNT")) id.restart = *r;
}

void from_open_mpi(const Env& e, JobIdentity& id) {
  id.launcher = Launcher::open_mpi;
  id.rank = e.number("OMPI_COMM_WORLD_RANK");
  id.local_rank = e.number("OMPI_COMM_WORLD_LOCAL_RANK");
  id.world_size = e.number("OMPI_COMM_WORLD_SIZE");
  id.local_world_size = e.number("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (auto j = e.text("OMPI_MCA_orte_ess_jobid")) id.job_id = *j;
  else if (auto ns = e.text("PMIX_NAMESPACE")) id.job_id = *ns;
}

void from_mpich(const Env& e, JobIdentity& id) {
  id.launcher = Launcher::mpich;
  id.rank = e.number("PMI_RANK");
  id.world_size = e.number("PMI_SIZE");
  id.local_rank = e.first_number({"MPI_LOCALRANKID", "PALS_LOCAL_RANKID"});
  id.local_world_size = e.number("MPI_LOCALNRANKS");
  if (auto j = e.text("PMI_JOBID")) id.job_id = *j;
}

void from_pmix(const Env& e, JobIdentity& id) {
  id.launcher = Launcher::pmix;
  id.rank = e.number("PMIX_RANK");
  if (auto ns = e.text("PMIX_NAMESPACE")) id.job_id = *ns;
}

}  // namespace

IdentityInputs identity_inputs_from_process() {
  IdentityInputs in;
  in.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) == 0) in.hostname = name;
  return in;
}

JobIdentity detect_identity(const IdentityInputs& in) {
  JobIdentity id;
  const Env e(in, id);
  // torchrun, and launchers that set its variables (DeepSpeed, accelerate; Lightning's own sets
  // LOCAL_RANK, NODE_RANK and WORLD_SIZE but no RANK).
  const bool torchrun = e.has("TORCHELASTIC_RUN_ID") || (e.has("RANK") && e.has("LOCAL_RANK") && e.has("WORLD_SIZE")) ||
                        (e.has("LOCAL_RANK") && e.has("NODE_RANK") && e.has("WORLD_SIZE"));
  // A SLURM job step (srun). The batch script itself (no step id) is one process, not a rank.
  const auto step = e.text("SLURM_STEP_ID");
  const bool slurm_step = e.has("SLURM_JOB_ID") && e.has("SLURM_PROCID") && step && *step != "batch" &&
                          *step != "extern" && *step != "4294967294" && *step != "4294967291";
  if (torchrun) {
    from_torchrun(e, id);
  } else if (e.has("OMPI_COMM_WORLD_RANK") || e.has("PMI_RANK") || e.has("PMIX_RANK")) {
    // MPI before SLURM: mpirun inside an allocation leaves every process with the SLURM_PROCID
    // and SLURM_LOCALID of the daemon that started it (same trap as torchrun inside srun).
    if (e.has("OMPI_COMM_WORLD_RANK")) from_open_mpi(e, id);
    else if (e.has("PMI_RANK")) from_mpich(e, id);
    else from_pmix(e, id);
    // srun --mpi=pmi2/pmix started the ranks itself: then SLURM's node-local view is this rank's.
    if (slurm_step && id.rank && e.number("SLURM_PROCID") == id.rank) {
      JobIdentity slurm;
      from_slurm(e, slurm);
      if (!id.local_rank) id.local_rank = slurm.local_rank;
      if (!id.local_world_size) id.local_world_size = slurm.local_world_size;
      if (!id.world_size) id.world_size = slurm.world_size;
      id.node = slurm.node;
    }
  } else if (slurm_step) {
    from_slurm(e, id);
  }
  // The SLURM job id is the one users know, also for torchrun or MPI inside an allocation.
  if (auto slurm_job = e.text("SLURM_JOB_ID"); slurm_job && id.distributed()) id.job_id = *slurm_job;
  if (auto explicit_job = e.text("CARBONTRACKER_JOB_ID")) {
    id.job_id = *explicit_job;
    if (!id.distributed()) id.launcher = Launcher::explicit_config;
  }
  if (id.distributed() && id.job_id.empty()) {
    id.notes.push_back("the " + std::string(to_string(id.launcher)) +
                       " environment names no job id: set CARBONTRACKER_JOB_ID to the same value in every rank");
  }
  id.machine_id = read_machine_id(in.etc_root);
  id.host = in.hostname;
  if (auto node = e.text("CARBONTRACKER_NODE")) {
    id.host = *node;
    id.machine_id.clear();  // a simulated host: its name alone is its identity
  }
  return id;
}

}  // namespace carbontracker::distributed
