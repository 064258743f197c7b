// The tracker in a distributed job (docs/distributed.md): which devices this process keeps, and
// the job's prediction, budget and stop order. Split from tracker.cpp as run_mode.cpp is.
#include <fstream>

#include <fmt/format.h>

#include "distributed/measure_scope.hpp"
#include "io/safe_file.hpp"
#include "prediction/predictor.hpp"
#include "sensors/channel_subset.hpp"
#include "tracker/budget.hpp"
#include "tracker/tracker_impl.hpp"

namespace carbontracker {

void Tracker::Impl::keep_own_devices(sensors::Inventory& inventory, const SensorContext& ctx) {
  distributed::IdentityInputs in = distributed::identity_inputs_from_process();
  in.getenv = ctx.getenv;
  identity = distributed::detect_identity(in);
  // Set explicitly (C++/C API, a launcher we do not know): wins over the environment.
  if (config.job_id) identity.job_id = *config.job_id;
  if (config.rank) identity.rank = config.rank;
  if (config.local_rank) identity.local_rank = config.local_rank;
  if (config.world_size) identity.world_size = config.world_size;
  if (!identity.distributed() && (config.job_id || config.rank || config.world_size)) {
    identity.launcher = distributed::Launcher::explicit_config;
  }
  if (!identity.distributed()) return;

  std::vector<ChannelInfo> all;
  for (const auto& sensor : inventory.sensors) {
    all.insert(all.end(), sensor->channels().begin(), sensor->channels().end());
  }
  if (!identity.job_id.empty()) {
    claims = std::make_unique<distributed::Claims>(distributed::default_run_dir(ctx.getenv), identity.job_id,
                                                   identity.host_key());
  }
  const bool per_task_gpus = identity.launcher == distributed::Launcher::slurm && ctx.getenv("SLURM_GPUS_PER_TASK");
  const distributed::ScopeDecision scope = distributed::decide_scope(identity, all, claims.get(), per_task_gpus);

  // The sensors keep their own channels; the reports say who measures the others.
  std::size_t next = 0;
  std::vector<std::unique_ptr<Sensor>> kept;
  for (auto& sensor : inventory.sensors) {
    const std::size_t n = sensor->channels().size();
    std::vector<bool> keep(scope.counted.begin() + static_cast<std::ptrdiff_t>(next),
                           scope.counted.begin() + static_cast<std::ptrdiff_t>(next + n));
    next += n;
    if (auto s = sensors::keep_channels(std::move(sensor), keep)) kept.push_back(std::move(s));
  }
  inventory.sensors = std::move(kept);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (scope.counted[i]) continue;
    for (SourceReport& r : inventory.reports) {
      if (r.counted && r.info.id == all[i].id) {
        r.counted = false;
        r.reason = scope.reasons[i];
        r.fix.clear();
      }
    }
  }

  outputs::JobRecord job;
  job.id = identity.job_id;
  job.launcher = std::string(distributed::to_string(identity.launcher));
  job.host = identity.host;
  job.node = identity.node;
  job.rank = identity.rank;
  job.local_rank = identity.local_rank;
  job.world_size = identity.world_size;
  job.local_world_size = identity.local_world_size;
  job.restart = identity.restart;
  job.host_measurer = scope.host_measurer;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (scope.counted[i] && all[i].component == Component::gpu) job.gpus.push_back(all[i].uuid.empty() ? all[i].id : all[i].uuid);
  }
  job.notes = identity.notes;
  job.notes.insert(job.notes.end(), scope.notes.begin(), scope.notes.end());
  job_record = std::move(job);
}

// Rank 0: the job's forecast from the epochs every rank completed (printed once), and the
// budget on the job's figures; its stop order reaches the other ranks through job_stop_file.
// The other ranks: only rank 0's stop order. Non-blocking (reads what the logs hold now).
void Tracker::Impl::job_step(bool epoch_ended) {
  if (!job_logs) {
    check_job_stop();
    return;
  }
  const auto& b = config.budget;
  const bool budgets = b.max_energy_kwh || b.max_co2eq_g || b.max_duration_s;
  const bool predicting = epoch_ended && derived.epochs_before_pred > 0 && !job_forecast;
  // The logs are read for what they are needed for: the prediction until it is made, the first
  // epoch's check, the budgets (log_dir may be a network file system).
  if (!budgets && !predicting && !(epoch_ended && epoch_counter == 1)) return;
  sinks.flush();  // this rank's own epoch line too
  job_logs->poll();
  if (epoch_ended && epoch_counter == 1 && job_logs->ranks_logging() <= 1 && job_record->world_size.value_or(1) > 1) {
    // The other ranks wrote their run_start at construction: none here means no tracker there.
    warn(fmt::format("only this rank of job {} writes a log in {}: the other {} rank(s) run no tracker (or use another "
                     "log_dir), so the devices only they use are not measured; create the tracker in every rank "
                     "(docs/distributed.md)",
                     job_record->id, config.log_dir->string(), *job_record->world_size - 1));
  }
  const int k = derived.epochs_before_pred;
  if (epoch_ended && k > 0 && forecast_possible(epoch_counter)) {
    const auto common = job_logs->common_epochs();
    if (static_cast<int>(common.size()) >= k) {
      prediction::PredictionInputs in;
      in.observed = common;
      in.total_epochs = config.epochs;
      IntensityInfo future;
      in.future_intensity_g_per_kwh = future_intensity(static_cast<int>(common.size()), &future);
      in.confidence = config.prediction_confidence;
      const bool first = !job_forecast;
      job_forecast = prediction::predict_robust(in);
      if (first) emit(outputs::JobPredicted{now_wall(), job_record->id, *job_forecast, job_logs->ranks_logging(), config.pue});
    }
  }
  if (!budgets) return;
  const Totals so_far = job_logs->totals(0).total;
  if (auto ev = tracker::evaluate_budget(b, so_far, job_forecast ? &*job_forecast : nullptr, budget_state)) {
    ev->message = "job " + job_record->id + ": " + ev->message;
    act_on(std::move(*ev));
  }
}

void Tracker::Impl::write_job_stop(const BudgetEvent& ev) {
  if (!job_logs || !job_stop_file) return;
  // Whole or not at all: the other ranks read it at any moment.
  const std::string text = outputs::encode(outputs::BudgetDecisionEvent{ev}) + "\n";
  if (auto st = io::write_atomically(*job_stop_file, text); !st) warn("the job's stop order could not be written: " + st.to_string());
}

void Tracker::Impl::check_job_stop() {
  if (!job_stop_file || stopped || budget_state.fired.count("job/stop")) return;
  std::error_code ec;
  const auto written = std::filesystem::last_write_time(*job_stop_file, ec);
  if (ec || (stale_stop_time && written == *stale_stop_time)) return;  // none, or an earlier job's
  std::ifstream in(*job_stop_file);
  std::string line;
  std::getline(in, line);
  BudgetEvent ev;
  auto d = outputs::decode(line, false);
  if (const auto* ok = std::get_if<outputs::Decoded>(&d); ok && ok->event) {
    if (const auto* b = std::get_if<outputs::BudgetDecisionEvent>(&*ok->event)) ev = b->event;
  }
  budget_state.fired.insert("job/stop");
  ev.action = BudgetAction::stop;
  ev.outcome = BudgetOutcome::stopped;
  ev.message = "rank 0 stopped the job (" + (ev.message.empty() ? std::string("its budget") : ev.message) + ")";
  const std::string text = "Budget: " + ev.message + ".";
  emit(outputs::BudgetDecided{now_wall(), {ev}});
  {
    std::lock_guard lock(mutex);
    snap.budget_events.push_back(ev);
    snap.stopped_by_budget = true;
  }
  if (env.defer_decisions) {
    decision = Decision{Decision::Kind::budget_stop, text, ev};
    return;
  }
  finish();
  throw BudgetExceeded("carbontracker: " + ev.message, ev);
}

}  // namespace carbontracker
