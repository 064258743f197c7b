// What this process measures in a distributed job: each GPU once, each physical host's CPU and
// DRAM once (docs/distributed.md, "Who measures what").
//
// Contract
//  - Not in a job (identity.distributed() false): every channel counts, as before.
//  - GPUs (component gpu, in the sensors' order, which is CUDA_VISIBLE_DEVICES order): the rank's
//    share first (gpus_of_rank(), pure), then a claim per GPU id (Claims: the channel id holds the
//    UUID), so two ranks never count the same GPU even when their shares overlap.
//  - Host-wide channels (cpu, dram, psys, their estimates): counted by one process per physical
//    host. A process whose local rank is known and not 0 leaves them to local rank 0 of its node;
//    the others (local rank 0, or unknown) compete for the host's claim, since two launcher
//    "nodes" can share a machine.
//  - No job id, or claims that cannot be made (no writable run directory): the share alone
//    decides, and a note says that a GPU or host may be counted twice.
//  - reasons[i] says, for a channel not counted, who measures it instead; notes say what this
//    process measures, for the logs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "carbontracker/sensor.hpp"
#include "distributed/claims.hpp"
#include "distributed/identity.hpp"

namespace carbontracker::distributed {

// Indices (into the visible GPUs, CUDA order) of the GPUs this rank uses: the local rank's
// (LOCAL_RANK-th) GPU when there are as many GPUs as local ranks; every local_world_size-th from
// the local rank when there are more; local_rank mod gpus when ranks share GPUs; all of them
// (claimed first come) when the local rank or the number of local ranks is unknown, or SLURM
// bound GPUs per task (SLURM_GPUS_PER_TASK: the visible GPUs are this task's own).
std::vector<std::size_t> gpus_of_rank(const JobIdentity& id, std::size_t visible_gpus, bool gpus_bound_per_task);

struct ScopeDecision {
  std::vector<bool> counted;         // per channel
  std::vector<std::string> reasons;  // per channel: why not counted (empty when counted)
  std::vector<std::string> notes;    // for the logs: what this process measures, and caveats
  bool host_measurer = true;         // counts the host-wide channels
};

// claims may be null (no job id, or no run directory): shares alone.
ScopeDecision decide_scope(const JobIdentity& id, const std::vector<ChannelInfo>& channels, Claims* claims,
                           bool gpus_bound_per_task);

}  // namespace carbontracker::distributed
