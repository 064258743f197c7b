#include "tracker/job_summary.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

namespace carbontracker::tracker {

namespace {

struct RankLog {
  bool ours = false;      // run_start of this job and attempt (decided at the first line)
  bool decided = false;
  std::streamoff offset = 0;  // complete lines read so far
  std::optional<int> rank;
  std::string host;
  int epochs = 0;         // completed epochs logged
  Totals epochs_total;    // their sum
  std::optional<Totals> end_total;
  std::optional<int> end_epochs;
  bool not_measured = false;

  [[nodiscard]] bool ended() const { return end_total.has_value() || not_measured; }
  [[nodiscard]] int completed() const { return end_epochs.value_or(epochs); }
};

void take(const outputs::Event& event, const outputs::JobRecord& me, RankLog& log) {
  if (const auto* start = std::get_if<outputs::RunStartEvent>(&event)) {
    log.decided = true;
    log.ours = start->job && start->job->id == me.id && start->job->restart == me.restart;
    if (log.ours) {
      log.rank = start->job->rank;
      log.host = start->job->host;
    }
  } else if (const auto* epoch = std::get_if<outputs::EpochEvent>(&event)) {
    if (!epoch->epoch.complete) return;
    ++log.epochs;
    log.epochs_total += epoch->epoch.totals;
  } else if (const auto* end = std::get_if<outputs::RunEndEvent>(&event)) {
    log.end_total = end->total.totals;
    if (end->epochs) log.end_epochs = static_cast<int>(*end->epochs);
  } else if (std::holds_alternative<outputs::RunNotMeasuredEvent>(event)) {
    log.not_measured = true;
  }
}

// The lines written since the last call (complete lines only: a line being written waits).
void read_new_lines(const std::filesystem::path& file, const outputs::JobRecord& me, RankLog& log) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  in.seekg(log.offset);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline after it: not complete yet
    log.offset += static_cast<std::streamoff>(line.size()) + 1;
    if (line.empty()) continue;
    auto d = outputs::decode(line, false);
    const auto* ok = std::get_if<outputs::Decoded>(&d);
    if (ok && ok->event) take(*ok->event, me, log);
    if (log.decided && !log.ours) return;  // another job's log: never read again
  }
}

void scan(const std::filesystem::path& dir, const outputs::JobRecord& me, std::map<std::filesystem::path, RankLog>& logs) {
  static constexpr std::string_view kSuffix = "_carbontracker_events.jsonl";
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() < kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) continue;
    RankLog& log = logs[it->path()];
    if ((log.decided && !log.ours) || log.ended()) continue;
    read_new_lines(it->path(), me, log);
  }
}

bool caught_up(const RankLog& log, int epochs) { return log.ended() || log.epochs >= epochs; }

bool complete(const std::map<std::filesystem::path, RankLog>& logs, const std::optional<int>& world_size, int epochs) {
  std::set<int> done;
  for (const auto& [path, log] : logs) {
    if (!log.ours) continue;
    if (!caught_up(log, epochs)) return false;
    if (log.rank) done.insert(*log.rank);
  }
  if (!world_size) return true;
  for (int r = 0; r < *world_size; ++r) {
    if (!done.count(r)) return false;
  }
  return true;
}

}  // namespace

outputs::JobTotals gather_job_totals(const std::filesystem::path& log_dir, const outputs::JobRecord& me, int epochs,
                                     double wait_s) {
  using Steady = std::chrono::steady_clock;
  const auto start = Steady::now();
  const auto deadline = start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(wait_s));
  std::map<std::filesystem::path, RankLog> logs;
  for (;;) {
    scan(log_dir, me, logs);
    if (complete(logs, me.world_size, epochs) || Steady::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  outputs::JobTotals t;
  t.job_id = me.id;
  t.launcher = me.launcher;
  t.world_size = me.world_size;
  t.waited_s = std::chrono::duration<double>(Steady::now() - start).count();
  std::set<int> seen;
  std::set<std::string> hosts;
  for (const auto& [path, log] : logs) {
    if (!log.ours) continue;
    if (log.rank) seen.insert(*log.rank);
    hosts.insert(log.host);
    if (log.not_measured) {
      if (log.rank) t.unmeasured_ranks.push_back(*log.rank);
      continue;
    }
    if (log.rank) t.ranks.push_back(*log.rank);
    if (!caught_up(log, epochs) && log.rank) t.unfinished_ranks.push_back(*log.rank);
    const Totals& total = log.end_total ? *log.end_total : log.epochs_total;
    t.total += total;
    t.duration_s = std::max(t.duration_s, total.duration_s);
    t.epochs = std::max(t.epochs, log.completed());
  }
  t.total.duration_s = t.duration_s;
  if (me.world_size) {
    for (int r = 0; r < *me.world_size; ++r) {
      if (!seen.count(r)) t.missing_ranks.push_back(r);
    }
  }
  std::sort(t.ranks.begin(), t.ranks.end());
  std::sort(t.unfinished_ranks.begin(), t.unfinished_ranks.end());
  std::sort(t.unmeasured_ranks.begin(), t.unmeasured_ranks.end());
  t.hosts = hosts.size();
  return t;
}

}  // namespace carbontracker::tracker
