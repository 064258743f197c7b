// Rank 0's view of its distributed job: every rank writes its own event log into the shared
// log_dir; rank 0 reads the other ranks' logs to print the job's prediction and final report
// and to apply budgets to the job. Each device is counted by one process of the job
// (distributed/measure_scope.hpp), so the job's energy is the plain sum over ranks.
//
// Contract
//  - JobLogs::poll() is non-blocking: it reads the lines written since the last poll (complete
//    lines only, each log from where it stopped; another job's or attempt's log is never read
//    again). Unreadable or damaged lines are skipped (`carbontracker report` names them).
//  - A rank counts with its run_end's total when it has one, else with the completed epochs it
//    logged (each epoch line is flushed at epoch_end): a rank in its wrap-up, or waiting at a
//    barrier for rank 0, is not waited for once it logged as many epochs as rank 0.
//  - The expected ranks are 0..world_size-1 when the world size is known, else the logs found;
//    a rank with several logs of the job id (an id used again) counts with its newest only.
//    Ranks without a log are named in missing_ranks, ranks with fewer epochs in
//    unfinished_ranks (counted as logged): never guessed or extrapolated.
//  - gather_job_totals() polls every 100 ms until every expected rank has a run_end or at least
//    `epochs` completed epochs, at most wait_s (real time), and at most 3 s while no other rank
//    has a log at all (ranks that run no tracker). Blocking: rank 0's training thread, when its
//    run ends.
//  - Not thread-safe: the tracker's training thread only.
#pragma once

#include <filesystem>
#include <map>
#include <vector>

#include "outputs/event_codec.hpp"
#include "outputs/run_events.hpp"
#include "prediction/predictor.hpp"

namespace carbontracker::tracker {

class JobLogs {
 public:
  JobLogs(std::filesystem::path log_dir, outputs::JobRecord me);

  void poll();
  // Every expected rank has a run_end or at least `epochs` completed epochs.
  [[nodiscard]] bool caught_up(int epochs) const;
  // Epochs 1..n that every expected rank completed: per epoch the longest duration, the summed
  // facility energy and CO2eq (the prediction's input). Empty while a rank has no log.
  [[nodiscard]] std::vector<prediction::EpochObservation> common_epochs() const;
  // The job so far: each rank's completed epochs (or its run_end's total), summed; duration the
  // longest rank's.
  [[nodiscard]] outputs::JobTotals totals(int epochs) const;
  // Expected ranks with a log (this one's included).
  [[nodiscard]] std::size_t ranks_logging() const;

 private:
  struct RankLog {
    bool decided = false, ours = false;
    std::streamoff offset = 0;
    std::optional<int> rank;
    std::string host;
    double start_unix_s = 0;
    // Completed, in order. Not a vector of Totals: that instantiation would be exported from
    // libcarbontracker.so with Totals (a public type; tests/capi checks the exports).
    std::vector<prediction::EpochObservation> epochs;
    Totals epochs_total;
    std::optional<Totals> end_total;
    std::optional<int> end_epochs;
    bool not_measured = false;
    [[nodiscard]] bool ended() const { return end_total.has_value() || not_measured; }
  };
  void read_new_lines(const std::filesystem::path& file, RankLog& log) const;
  // One log per expected rank (nullptr: none yet), the newest where a rank has several (a job id
  // used again: torchrun's MASTER_ADDR:MASTER_PORT, srun steps of one SLURM job).
  [[nodiscard]] std::vector<const RankLog*> expected() const;

  std::filesystem::path dir_;
  outputs::JobRecord me_;
  std::map<std::filesystem::path, RankLog> logs_;
};

outputs::JobTotals gather_job_totals(JobLogs& logs, int epochs, double wait_s);

}  // namespace carbontracker::tracker
