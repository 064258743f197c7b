#include "report/jobs.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "core/units.hpp"

namespace carbontracker::report {
namespace {

const double kJobNan = std::nan("");

// Device and facility energy of one epoch of one rank in J; NaN when damaged or not logged.
struct EpochJoules {
  double facility_j = kJobNan;
  double device_j = kJobNan;
};

EpochJoules job_epoch_joules(const RunData& r, const EpochData& e) {
  EpochJoules out;
  if (e.damaged) return out;
  double device = 0;
  bool any = false;
  for (const auto& [comp, j] : e.energy_j) {
    if (comp == "total") continue;
    device += j;
    any = true;
  }
  if (!any) {
    if (auto it = e.energy_j.find("total"); it != e.energy_j.end()) {
      device = it->second;
      any = true;
    }
  }
  if (e.facility_energy_j) out.facility_j = *e.facility_energy_j;
  else if (any) out.facility_j = device * r.pue.value_or(1.0);
  if (any) out.device_j = device;
  else if (e.facility_energy_j && r.pue && *r.pue > 0) out.device_j = *e.facility_energy_j / *r.pue;
  return out;
}

std::string join_strings(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

template <typename T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

std::string ranks_text(const std::vector<int>& ranks) {
  std::string out = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size(); ++i) out += (i ? ", " : "") + std::to_string(ranks[i]);
  return out;
}

std::string rank_name(const JobRank& r) {
  std::string out = r.rank ? "rank " + std::to_string(*r.rank) : std::string("a log without a rank");
  if (!r.host.empty()) out += " on " + r.host;
  return out;
}

std::vector<JobFigures> jobs_for(const std::vector<RunData>& runs, const std::vector<RunFigures>& figures) {
  std::map<std::string, std::vector<std::size_t>> by_id;
  for (std::size_t i = 0; i < runs.size() && i < figures.size(); ++i) {
    if (runs[i].job) by_id[runs[i].job->id].push_back(i);
  }
  std::vector<JobFigures> jobs;
  for (const auto& [id, members] : by_id) {
    JobFigures job;
    job.job_id = id;
    std::vector<RunFigures> figs;
    // (restart, has no rank, rank, file) order, keeping each member's run index beside it.
    std::vector<std::size_t> order = members;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const JobIdentity& x = *runs[a].job;
      const JobIdentity& y = *runs[b].job;
      return std::make_tuple(x.restart, !x.rank, x.rank.value_or(0), runs[a].file) <
             std::make_tuple(y.restart, !y.rank, y.rank.value_or(0), runs[b].file);
    });
    std::map<int, JobAttempt> attempts;
    std::map<int, std::map<int, JobEpoch>> epochs;        // restart -> index -> epoch
    std::map<int, std::map<std::string, std::vector<std::string>>> gpu_owners;  // restart -> gpu -> ranks
    std::map<int, std::map<std::string, bool>> host_measured;                   // restart -> host -> measured
    std::map<int, std::map<int, int>> logs_of_rank;                             // restart -> rank -> logs
    std::map<int, int> logs_without_rank;
    std::map<int, std::set<int>> stated_world_sizes;  // restart -> world sizes the logs state
    for (const std::size_t i : order) {
      const RunData& run = runs[i];
      const RunFigures& f = figures[i];
      const JobIdentity& id_of = *run.job;
      figs.push_back(f);
      if (!id_of.launcher.empty()) job.launchers.push_back(id_of.launcher);
      if (!id_of.host.empty()) job.hosts.push_back(id_of.host);
      JobRank rank;
      rank.file = run.file;
      rank.restart = id_of.restart;
      rank.rank = id_of.rank;
      rank.local_rank = id_of.local_rank;
      rank.world_size = id_of.world_size;
      rank.host = id_of.host;
      rank.node = id_of.node;
      rank.host_measurer = id_of.host_measurer;
      rank.gpus = id_of.gpus;
      rank.basis = f.basis;
      rank.finished = run.finished;
      rank.epochs = f.epochs;
      rank.duration_s = f.duration_s;
      rank.energy_kwh = f.energy_kwh;
      rank.device_energy_kwh = f.pue && *f.pue > 0 ? f.energy_kwh / *f.pue : kJobNan;
      rank.co2eq_g = f.co2eq_g;

      JobAttempt& at = attempts[id_of.restart];
      at.restart = id_of.restart;
      ++at.logs;
      if (id_of.world_size && (!at.world_size || *id_of.world_size > *at.world_size)) at.world_size = id_of.world_size;
      if (id_of.world_size) stated_world_sizes[id_of.restart].insert(*id_of.world_size);
      if (id_of.rank) {
        at.ranks_found.push_back(*id_of.rank);
        ++logs_of_rank[id_of.restart][*id_of.rank];
      } else {
        ++logs_without_rank[id_of.restart];
      }
      if (!run.finished) at.unfinished.push_back(job.ranks.size());
      if (std::isfinite(f.duration_s)) at.duration_s = std::max(at.duration_s, f.duration_s);
      const std::string who = rank_name(rank);
      // A UUID names one GPU anywhere; a channel id without one ("nvml:0", a simulated GPU) only
      // on its host.
      for (const auto& g : id_of.gpus) {
        const bool uuid = g.rfind("GPU-", 0) == 0 || g.rfind("MIG-", 0) == 0;
        gpu_owners[id_of.restart][uuid ? g : id_of.host + "/" + g].push_back(who);
      }
      if (!id_of.host.empty()) host_measured[id_of.restart][id_of.host] |= id_of.host_measurer;

      for (const EpochData& e : run.epochs) {
        JobEpoch& je = epochs[id_of.restart][e.index];
        je.index = e.index;
        ++je.logs;
        if (id_of.rank) je.ranks.push_back(*id_of.rank);
        je.longest_duration_s = std::max(je.longest_duration_s, e.duration_s);
        const EpochJoules j = job_epoch_joules(run, e);
        je.energy_kwh += kwh_from_j(j.facility_j);
        je.device_energy_kwh += kwh_from_j(j.device_j);
        je.co2eq_g += e.co2eq_g && !e.damaged ? *e.co2eq_g : kJobNan;
      }
      job.ranks.push_back(std::move(rank));
    }
    sort_unique(job.launchers);
    sort_unique(job.hosts);
    job.total = totals_for(figs);

    const bool several = attempts.size() > 1;
    for (auto& [restart, at] : attempts) {
      const std::string prefix = several ? fmt::format("restart {}: ", restart) : "";
      sort_unique(at.ranks_found);
      if (at.world_size) {
        for (int r = 0; r < *at.world_size; ++r) {
          if (!std::binary_search(at.ranks_found.begin(), at.ranks_found.end(), r)) at.ranks_missing.push_back(r);
        }
        if (!at.ranks_missing.empty()) {
          job.notes.push_back(fmt::format("{}{} of {} wrote no log: not counted, not estimated", prefix,
                                          ranks_text(at.ranks_missing), *at.world_size));
        }
        std::vector<int> beyond;
        for (int r : at.ranks_found) {
          if (r < 0 || r >= *at.world_size) beyond.push_back(r);
        }
        if (!beyond.empty()) {
          job.notes.push_back(fmt::format("{}{} outside the world size {} the logs state", prefix, ranks_text(beyond),
                                          *at.world_size));
        }
      } else {
        job.notes.push_back(prefix +
                            "no log states the world size: ranks that wrote no log cannot be named");
      }
      if (stated_world_sizes[restart].size() > 1) {
        std::vector<std::string> sizes;
        for (int w : stated_world_sizes[restart]) sizes.push_back(std::to_string(w));
        job.notes.push_back(fmt::format("{}the logs state different world sizes ({}): the largest is used", prefix,
                                        join_strings(sizes)));
      }
      for (const std::size_t k : at.unfinished) {
        const JobRank& r = job.ranks[k];
        std::string how;
        if (r.basis == RunBasis::partial) {
          how = fmt::format("counted partial with its {} completed epoch(s)", r.epochs);
        } else if (r.basis == RunBasis::damaged || r.basis == RunBasis::none) {
          how = "left out of the totals (no usable energy figure)";
        } else {
          how = fmt::format("counted as {}", to_string(r.basis));
        }
        job.notes.push_back(fmt::format("{}{} did not finish (no run_end; killed?): {} ({})", prefix, rank_name(r), how,
                                        r.file));
      }
      for (const auto& [rank, n] : logs_of_rank[restart]) {
        if (n > 1) {
          job.notes.push_back(
              fmt::format("{}rank {} has {} logs: all are counted (a restart the logs do not number?)", prefix, rank, n));
        }
      }
      if (logs_without_rank[restart] > 0) {
        job.notes.push_back(fmt::format("{}{} log(s) state no rank: counted, not lined up by rank", prefix,
                                        logs_without_rank[restart]));
      }
      for (const auto& [gpu, owners] : gpu_owners[restart]) {
        if (owners.size() > 1) {
          job.notes.push_back(
              fmt::format("{}GPU {} is claimed by {}: counted {} times", prefix, gpu, join_strings(owners), owners.size()));
        }
      }
      for (const auto& [host, measured] : host_measured[restart]) {
        if (!measured) {
          job.notes.push_back(fmt::format("{}no log from host {} says it counted the host's CPU and DRAM", prefix, host));
        }
      }
      for (auto& [index, je] : epochs[restart]) {
        sort_unique(je.ranks);
        for (int r : at.ranks_found) {
          if (!std::binary_search(je.ranks.begin(), je.ranks.end(), r)) je.ranks_without.push_back(r);
        }
        at.epochs.push_back(std::move(je));
      }
      job.duration_s += at.duration_s;
      job.attempts.push_back(std::move(at));
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace carbontracker::report
