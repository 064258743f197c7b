#include "tracker/job_summary.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <thread>

namespace carbontracker::tracker {

JobLogs::JobLogs(std::filesystem::path log_dir, outputs::JobRecord me) : dir_(std::move(log_dir)), me_(std::move(me)) {}

void JobLogs::read_new_lines(const std::filesystem::path& file, RankLog& log) const {
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  in.seekg(log.offset);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline after it: still being written
    log.offset += static_cast<std::streamoff>(line.size()) + 1;
    if (line.empty()) continue;
    auto d = outputs::decode(line, false);
    const auto* ok = std::get_if<outputs::Decoded>(&d);
    if (!ok || !ok->event) continue;
    const outputs::Event& event = *ok->event;
    if (const auto* start = std::get_if<outputs::RunStartEvent>(&event)) {
      log.decided = true;
      log.ours = start->job && start->job->id == me_.id && start->job->restart == me_.restart;
      if (!log.ours) return;  // another job's log: never read again
      log.rank = start->job->rank;
      log.host = start->job->host;
      log.start_unix_s = start->start_unix_s;
    } else if (const auto* epoch = std::get_if<outputs::EpochEvent>(&event)) {
      if (!epoch->epoch.complete) continue;
      const Totals& t = epoch->epoch.totals;
      log.epochs.push_back({t.duration_s, t.facility_energy_j, t.co2eq_g});
      log.epochs_total += t;
    } else if (const auto* end = std::get_if<outputs::RunEndEvent>(&event)) {
      log.end_total = end->total.totals;
      if (end->epochs) log.end_epochs = static_cast<int>(*end->epochs);
    } else if (std::holds_alternative<outputs::RunNotMeasuredEvent>(event)) {
      log.not_measured = true;
    }
  }
}

void JobLogs::poll() {
  static constexpr std::string_view kSuffix = "_carbontracker_events.jsonl";
  // The directory is listed until every expected rank's log is found; then only the known logs
  // are read on (a log_dir on a network file system with many old runs is costly to list).
  const auto ranks = expected();
  const bool all_found = me_.world_size && std::none_of(ranks.begin(), ranks.end(), [](const RankLog* l) { return !l; });
  if (!all_found) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir_, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() < kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) continue;
      logs_.try_emplace(it->path());
    }
  }
  for (auto& [path, log] : logs_) {
    if ((log.decided && !log.ours) || log.ended()) continue;
    read_new_lines(path, log);
  }
}

std::vector<const JobLogs::RankLog*> JobLogs::expected() const {
  std::vector<const RankLog*> out;
  std::map<int, const RankLog*> by_rank;
  for (const auto& [path, log] : logs_) {
    if (!log.ours) continue;
    if (!log.rank) {
      out.push_back(&log);
      continue;
    }
    auto [it, fresh] = by_rank.emplace(*log.rank, &log);
    if (!fresh && log.start_unix_s > it->second->start_unix_s) it->second = &log;
  }
  if (me_.world_size) {
    for (int r = 0; r < *me_.world_size; ++r) {
      auto it = by_rank.find(r);
      out.push_back(it == by_rank.end() ? nullptr : it->second);
    }
  } else {
    for (const auto& [rank, log] : by_rank) out.push_back(log);
  }
  return out;
}

bool JobLogs::caught_up(int epochs) const {
  for (const RankLog* log : expected()) {
    if (!log) return false;
    if (!log->ended() && static_cast<int>(log->epochs.size()) < epochs) return false;
  }
  return true;
}

std::size_t JobLogs::ranks_logging() const {
  std::size_t n = 0;
  for (const RankLog* log : expected()) n += log ? 1 : 0;
  return n;
}

std::vector<prediction::EpochObservation> JobLogs::common_epochs() const {
  const auto ranks = expected();
  if (ranks.empty()) return {};
  std::size_t n = SIZE_MAX;
  for (const RankLog* log : ranks) {
    if (!log || log->not_measured) return {};
    n = std::min(n, log->epochs.size());
  }
  std::vector<prediction::EpochObservation> out(n);
  for (const RankLog* log : ranks) {
    for (std::size_t i = 0; i < n; ++i) {
      out[i].duration_s = std::max(out[i].duration_s, log->epochs[i].duration_s);
      out[i].energy_j += log->epochs[i].energy_j;  // facility energy
      out[i].co2eq_g += log->epochs[i].co2eq_g;
    }
  }
  return out;
}

outputs::JobTotals JobLogs::totals(int epochs) const {
  outputs::JobTotals t;
  t.job_id = me_.id;
  t.launcher = me_.launcher;
  t.world_size = me_.world_size;
  std::set<std::string> hosts;
  for (const RankLog* log : expected()) {
    if (!log) continue;
    hosts.insert(log->host);
    if (log->not_measured) {
      if (log->rank) t.unmeasured_ranks.push_back(*log->rank);
      continue;
    }
    if (log->rank) t.ranks.push_back(*log->rank);
    if (!log->ended() && static_cast<int>(log->epochs.size()) < epochs && log->rank) {
      t.unfinished_ranks.push_back(*log->rank);
    }
    const Totals& total = log->end_total ? *log->end_total : log->epochs_total;
    t.total += total;
    t.duration_s = std::max(t.duration_s, total.duration_s);
    t.epochs = std::max(t.epochs, log->end_epochs.value_or(static_cast<int>(log->epochs.size())));
  }
  t.total.duration_s = t.duration_s;
  if (me_.world_size) {
    std::set<int> present;
    for (const RankLog* log : expected()) {
      if (log && log->rank) present.insert(*log->rank);
    }
    for (int r = 0; r < *me_.world_size; ++r) {
      if (!present.count(r)) t.missing_ranks.push_back(r);
    }
  }
  std::sort(t.ranks.begin(), t.ranks.end());
  std::sort(t.unfinished_ranks.begin(), t.unfinished_ranks.end());
  std::sort(t.unmeasured_ranks.begin(), t.unmeasured_ranks.end());
  t.hosts = hosts.size();
  return t;
}

outputs::JobTotals gather_job_totals(JobLogs& logs, int epochs, double wait_s) {
  using Steady = std::chrono::steady_clock;
  const auto start = Steady::now();
  const auto deadline = start + std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(wait_s));
  // Ranks that run no tracker never write: with no other rank's log after a short grace, the
  // wait ends (the report names the missing ranks).
  const auto grace = start + std::chrono::seconds(3);
  for (;;) {
    logs.poll();
    if (logs.caught_up(epochs) || Steady::now() >= deadline) break;
    if (logs.ranks_logging() <= 1 && Steady::now() >= grace) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  outputs::JobTotals t = logs.totals(epochs);
  t.waited_s = std::chrono::duration<double>(Steady::now() - start).count();
  return t;
}

}  // namespace carbontracker::tracker
