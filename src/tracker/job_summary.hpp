// Rank 0's report of its distributed job: every rank writes its own event log into the shared
// log_dir; when rank 0's run ends it reads the other ranks' logs and sums them. Each device is
// counted by one process of the job (distributed/measure_scope.hpp), so the job's energy is the
// plain sum.
//
// Contract
//  - A rank counts with its run_end's total when it has one, else with the completed epochs it
//    logged (each epoch line is flushed at epoch_end): a rank that is still in its wrap-up, or
//    waits at a barrier for rank 0, is not waited for once it logged as many epochs as rank 0.
//  - gather_job_totals() waits at most wait_s (real time, polling every 100 ms) until every
//    expected rank (0..world_size-1 when the world size is known, else the logs found) has a
//    run_end or at least `epochs` completed epochs. Ranks without a log are named in
//    missing_ranks; ranks with fewer epochs in behind_ranks (counted as logged): never guessed or
//    extrapolated. Only logs of the same job id and attempt (restart) count.
//  - Reads each log incrementally (complete lines only, from where the last poll stopped).
//    Unreadable or damaged lines are skipped (`carbontracker report` names them).
//  - Blocking: called on rank 0's training thread when its run ends (the last epoch_end, or stop()).
#pragma once

#include <filesystem>

#include "outputs/event_codec.hpp"
#include "outputs/run_events.hpp"

namespace carbontracker::tracker {

outputs::JobTotals gather_job_totals(const std::filesystem::path& log_dir, const outputs::JobRecord& me, int epochs,
                                     double wait_s);

}  // namespace carbontracker::tracker
