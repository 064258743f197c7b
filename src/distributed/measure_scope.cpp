#include "distributed/measure_scope.hpp"

#include <algorithm>

namespace carbontracker::distributed {

std::vector<std::size_t> gpus_of_rank(const JobIdentity& id, std::size_t visible_gpus, bool gpus_bound_per_task) {
  std::vector<std::size_t> all(visible_gpus);
  for (std::size_t i = 0; i < visible_gpus; ++i) all[i] = i;
  // Without the local rank and the number of local ranks a share could leave a GPU to nobody:
  // every GPU is claimed first come (each counted once; the split between ranks may be off).
  if (!id.distributed() || !id.local_rank || !id.local_world_size || gpus_bound_per_task || visible_gpus <= 1) {
    return all;
  }
  const auto local = static_cast<std::size_t>(*id.local_rank);
  const auto ranks = static_cast<std::size_t>(std::max(*id.local_world_size, 1));
  std::vector<std::size_t> mine;
  if (visible_gpus >= ranks) {
    for (std::size_t i = local % ranks; i < visible_gpus; i += ranks) mine.push_back(i);
  } else {
    mine.push_back(local % visible_gpus);
  }
  return mine;
}

namespace {

bool host_wide(Component c) { return c != Component::gpu; }

std::string gpu_key(const ChannelInfo& c) { return "gpu-" + (c.uuid.empty() ? c.id : c.uuid); }

}  // namespace

ScopeDecision decide_scope(const JobIdentity& id, const std::vector<ChannelInfo>& channels, Claims* claims,
                           bool gpus_bound_per_task) {
  ScopeDecision d;
  d.counted.assign(channels.size(), true);
  d.reasons.assign(channels.size(), {});
  if (!id.distributed()) return d;

  const std::string me = id.describe();
  if (!claims) {
    d.notes.push_back(id.job_id.empty()
                          ? "no job id: ranks cannot agree on who measures what, so a GPU or a host shared by ranks may be "
                            "counted twice (set CARBONTRACKER_JOB_ID to the same value in every rank)"
                          : "the job's run directory is not usable: ranks cannot claim devices, so a GPU or a host shared "
                            "by ranks may be counted twice");
  }
  auto claim = [&](const std::string& name, std::string& why_not) -> bool {
    if (!claims) return true;
    auto r = claims->claim(name, me);
    if (!r.is_ok()) {
      d.notes.push_back(r.status().to_string() + ": counted without a claim (it may be counted twice)");
      return true;
    }
    if (*r) return true;
    const std::string holder = claims->holder(name);
    why_not = "measured by " + (holder.empty() ? std::string("another process of job ") + id.job_id + " on this host" : holder);
    return false;
  };

  // The host: one process per physical host.
  const bool has_host_channels =
      std::any_of(channels.begin(), channels.end(), [](const ChannelInfo& c) { return host_wide(c.component); });
  std::string host_reason;
  if (!has_host_channels) {
    d.host_measurer = false;  // nothing of the host's to count (components=gpu, or none found)
  } else if (id.local_rank && *id.local_rank != 0) {
    d.host_measurer = false;
    host_reason = "measured by local rank 0 of " + (id.node.empty() ? id.host : id.node) + " (this is local rank " +
                  std::to_string(*id.local_rank) + ")";
  } else {
    d.host_measurer = claim("host", host_reason);
  }

  // GPUs: the rank's share, each claimed by UUID.
  std::vector<std::size_t> gpu_channels;
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (channels[i].component == Component::gpu) gpu_channels.push_back(i);
  }
  const std::vector<std::size_t> share = gpus_of_rank(id, gpu_channels.size(), gpus_bound_per_task);
  std::vector<bool> in_share(gpu_channels.size(), false);
  for (std::size_t k : share) in_share[k] = true;

  std::vector<std::string> measured;
  for (std::size_t k = 0; k < gpu_channels.size(); ++k) {
    const std::size_t i = gpu_channels[k];
    if (!in_share[k]) {
      d.counted[i] = false;
      d.reasons[i] = "used by another rank: CUDA device " + std::to_string(k) + " is not this rank's (local rank " +
                     std::to_string(id.local_rank.value_or(-1)) + " of " +
                     std::to_string(id.local_world_size.value_or(-1)) + ")";
      continue;
    }
    std::string why_not;
    d.counted[i] = claim(gpu_key(channels[i]), why_not);
    d.reasons[i] = why_not;
    if (d.counted[i]) measured.push_back(channels[i].name + (channels[i].uuid.empty() ? "" : " " + channels[i].uuid));
  }
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (host_wide(channels[i].component) && !d.host_measurer) {
      d.counted[i] = false;
      d.reasons[i] = host_reason;
    }
  }

  std::string what;
  if (d.host_measurer && has_host_channels) what = "this host's CPU and DRAM";
  for (const std::string& g : measured) what += (what.empty() ? "GPU " : ", GPU ") + g;
  d.notes.insert(d.notes.begin(), me + " measures " + (what.empty() ? std::string("nothing (every device it sees is measured by another process of the job)") : what));
  return d;
}

}  // namespace carbontracker::distributed
