// Job totals of `carbontracker report`: the runs that were processes of one distributed job (the
// same RunData::job id: torchrun, SLURM, MPI) grouped, summed and lined up by epoch index.
//
// Contract
// - A job's energy (facility and device) and CO2eq are the plain sums of its runs' figures
//   (RunFigures, aggregate.hpp): the tracker has each device counted by exactly one process of the
//   job, so the sum is the job's. Its totals (TotalFigures) count bases and damaged runs as for
//   any set of runs.
// - Nothing is guessed or extrapolated. Ranks that wrote no log are named from the world size the
//   logs state ("ranks 2, 3 of 4 wrote no log"); without a stated world size they cannot be named
//   and a note says so. A rank that did not finish (no run_end: killed) counts with the epochs it
//   completed (basis "partial") and is named.
// - Wall clocks are never compared across processes (hosts' clocks may be skewed): epochs are
//   lined up by index, an epoch's duration is the longest rank's, an attempt's duration the
//   longest rank's run duration.
// - A restarted torchrun job (JobIdentity::restart > 0) is one job of several attempts: ranks are
//   not stable across restarts, so ranks and epochs are lined up within an attempt; energy and
//   CO2eq are summed over all attempts and the job's duration is the sum of its attempts'.
// - Pure function of its inputs; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "report/aggregate.hpp"
#include "report/run_data.hpp"

namespace carbontracker::report {

// One process (one log) of a job: who it was, what it counted, what it counts for.
struct JobRank {
  std::string file;
  int restart = 0;
  std::optional<int> rank, local_rank, world_size;
  std::string host, node;
  bool host_measurer = false;     // counted its host's CPU and DRAM
  std::vector<std::string> gpus;  // the GPUs it counted
  RunBasis basis = RunBasis::none;
  bool finished = false;          // wrote run_end
  int epochs = 0;
  double duration_s = 0;          // NaN when unknown (damaged / none)
  double energy_kwh = 0;          // facility energy; NaN when unknown
  double device_energy_kwh = 0;   // energy_kwh / its PUE; NaN when unknown
  double co2eq_g = 0;             // NaN when unknown
};

// One epoch index of an attempt, over the ranks that reported it.
struct JobEpoch {
  int index = 0;                 // 1-based, as each rank numbered it
  std::vector<int> ranks;        // ranks that reported it, ascending (logs without a rank: not listed)
  std::vector<int> ranks_without;  // ranks of the attempt that have a log but did not report it
  int logs = 0;                  // logs that reported it
  double longest_duration_s = 0; // the longest rank's duration of this epoch
  double energy_kwh = 0;         // facility energy, summed; NaN when a rank's value is damaged or absent
  double device_energy_kwh = 0;  // summed; NaN when a rank's is unknown
  double co2eq_g = 0;            // summed; NaN when a rank logged none
};

// The runs of one attempt of a job (all of them when it never restarted).
struct JobAttempt {
  int restart = 0;
  std::optional<int> world_size;       // the ranks expected, as the logs state it (the largest stated)
  std::vector<int> ranks_found;        // ascending, unique
  std::vector<int> ranks_missing;      // 0 .. world_size-1 without a log; empty when world_size is unknown
  std::vector<std::size_t> unfinished; // indices into JobFigures::ranks of its runs without run_end
  int logs = 0;
  double duration_s = 0;               // the longest rank's run duration
  std::vector<JobEpoch> epochs;        // by index
};

struct JobFigures {
  std::string job_id;                  // "" when the launcher named none
  std::vector<std::string> launchers;  // as logged, sorted, unique (one, unless the logs disagree)
  std::vector<std::string> hosts;      // sorted, unique
  std::vector<JobRank> ranks;          // by (restart, rank, file); runs without a rank last in an attempt
  std::vector<JobAttempt> attempts;    // by restart
  TotalFigures total;                  // over the job's runs: energy_kwh, device_energy_kwh, co2eq_g
  double duration_s = 0;               // sum over attempts of the longest rank's duration
  // Sentences: ranks that wrote no log, ranks that did not finish, hosts whose CPU and DRAM no log
  // says it counted, a GPU claimed by two logs, ranks with two logs, logs without a rank.
  std::vector<std::string> notes;
};

// One entry per job id among the runs, ordered by id; runs without a job are in none.
// runs[i] and figures[i] describe the same run (figures[i] == figures_for(runs[i])).
std::vector<JobFigures> jobs_for(const std::vector<RunData>& runs, const std::vector<RunFigures>& figures);

// "rank 2" / "ranks 2, 3".
std::string ranks_text(const std::vector<int>& ranks);

// "rank 1 on node1" / "a log without a rank on node1".
std::string rank_name(const JobRank& r);

}  // namespace carbontracker::report
