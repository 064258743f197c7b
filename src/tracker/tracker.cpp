#include "carbontracker/tracker.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>

#include <fmt/format.h>

#include "core/text.hpp"
#include "core/units.hpp"
#include "intensity/provider_choice.hpp"
#include "io/safe_file.hpp"
#include "core/duration.hpp"
#include "emissions/emissions.hpp"
#include "prediction/predictor.hpp"
#include "sensors/registry.hpp"
#include "tracker/intensity_setup.hpp"
#include "tracker/job_summary.hpp"
#include "tracker/measurable.hpp"
#include "tracker/messages.hpp"
#include "tracker/run_mode.hpp"
#include "tracker/safe_text.hpp"
#include "tracker/tracker_impl.hpp"

namespace carbontracker {

Tracker::Impl::Impl(Config cfg, TrackerEnvironment e)
    : config(std::move(cfg)), derived(tracker::check_config(config)), env(std::move(e)) {
  clock = env.clock ? env.clock : &real_clock();
  console = env.console ? env.console : &std::cout;
  input = env.input ? env.input : &std::cin;
  planned_known = env.planned_epochs_known;
  snap.command = tracker::utf8_safe(env.command);  // JSON needs valid UTF-8; argv is bytes
  if (planned_known) snap.planned_epochs = config.epochs;
}

Tracker::Tracker(Config config, TrackerEnvironment env) : impl_(std::make_unique<Impl>(std::move(config), std::move(env))) {
  impl_->begin();
}

Tracker::~Tracker() {
  // A fork()ed child: the threads to join are not there and the report is the parent's.
  // Leaked on purpose; the child's memory goes with it.
  if (impl_ && impl_->fork_guard.forked_child_quiet()) {
    (void)impl_.release();
    return;
  }
  try {
    stop();
  } catch (...) {  // a destructor must not throw; stop() already logged what it could
  }
}

void Tracker::Impl::begin() {
  SensorContext ctx;
  if (env.sensors) {
    ctx = *env.sensors;
    ctx.options = derived.sensor_options;
  } else {
    ctx = SensorContext::from_environment(derived.sensor_options);
  }
  if (!ctx.clock) ctx.clock = clock;
  if (!ctx.getenv) ctx.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };

  // Nothing measurable for what was asked is refused before any file or thread exists.
  auto inventory = sensors::probe_all(ctx);
  if (auto none = tracker::nothing_measurable(inventory.reports, derived.sensor_options.components, config.components)) {
    throw NoComponentsAvailable("components", none->problem, none->fix);
  }
  // In a distributed job, each device once: this process keeps what it measures for the job.
  keep_own_devices(inventory, ctx);

  // Log files are opened first: an unwritable log_dir is a configuration error, reported before
  // any thread starts.
  run_wall_start = clock->wall();
  std::optional<outputs::LogNaming> naming;
  if (config.log_dir) {
    std::random_device rd;
    naming = outputs::LogNaming{*config.log_dir, config.log_file_prefix, static_cast<int>(::getpid()),
                                static_cast<int>(rd() % 999999u) + 1, run_wall_start};
  }
  add_sinks(naming);
  if (job_record && config.log_dir && console_role() != tracker::ConsoleRole::process) {
    job_stop_file = *config.log_dir / (".carbontracker_job_" + distributed::file_name_part(job_record->id) + "_" +
                                       std::to_string(job_record->restart) + ".stop");
    std::error_code ec;
    if (console_role() == tracker::ConsoleRole::job_rank0) {
      job_logs = std::make_unique<tracker::JobLogs>(*config.log_dir, *job_record);
      std::filesystem::remove(*job_stop_file, ec);  // an earlier job's order under a reused id
    } else if (const auto t = std::filesystem::last_write_time(*job_stop_file, ec); !ec) {
      stale_stop_time = t;
    }
  }
  start_metrics_server();
  // A full disk or a file-size limit must not kill the training: with SIGXFSZ at its default
  // (terminate), a write past RLIMIT_FSIZE would. Ignored, the write fails with EFBIG instead.
  // Process-wide on purpose: the logs are written from the sampler thread too, so blocking the
  // signal per write (as io::write_atomically does) would not cover them. A handler the host
  // program installed is left alone.
  struct sigaction current {};
  if (::sigaction(SIGXFSZ, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) ::signal(SIGXFSZ, SIG_IGN);

  intensity = std::make_unique<intensity::IntensityService>(
      tracker::make_intensity_config(config, ctx.getenv, &set_provider_keys), *clock);

  reports = std::move(inventory.reports);
  SamplerOptions opts;
  opts.interval_s = config.update_interval;
  opts.sample_every_s = config.sample_every.value_or(0.0);
  emissions_meter = std::make_unique<emissions::EmissionsMeter>(intensity->current());
  opts.energy_listener = emissions_meter.get();  // each J weighted by the intensity in force then
  opts.on_point = sinks.power_callback();  // the sinks that take the power timeline (the event log)
  sampler = std::make_unique<Sampler>(std::move(inventory.sensors), *clock, opts);
  channels = sampler->channels();
  {
    std::lock_guard lock(mutex);
    snap.channels = channels;
    snap.pue = config.pue;
    snap.intensity = intensity->info();
  }
  emit_run_started();
  if (job_record) {
    for (const std::string& n : job_record->notes) note(outputs::NoteLevel::output, n);
  }
  if (metrics_server) note(outputs::NoteLevel::log, "Prometheus metrics at " + metrics_server->url() + ".");
  if (auto st = sampler->start(); !st) {
    warn("energy sampling could not start: " + st.to_string());
    pending_error = st;
  }
  run_start = sampler->mark();
  if (metrics_store && metrics_server) {
    metrics_store->set_refresher([s = sampler.get()] { s->refresh(); });
    scrape_refresh.store = metrics_store;
  }
  intensity->start();  // fetches run on its own thread from here on
  note(outputs::NoteLevel::log, "Monitoring thread started.");
  sinks.flush();
}

void Tracker::Impl::surface_errors() {
  note_log_status();
  if (pending_error && !config.ignore_errors) {
    Status st = *pending_error;
    pending_error.reset();
    throw TrackerError("carbontracker: " + st.to_string() + " (set ignore_errors=true to carry on without raising)");
  }
}

// Public methods run their body through guarded(): an unexpected failure inside the tracker
// (a bug, out of memory) must not reach the training loop as a stray exception. With
// ignore_errors it becomes a warning; without, a TrackerError. Orders to stop (StopTraining)
// and errors already classified pass through.
template <class F>
auto Tracker::Impl::guarded(const char* what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const StopTraining&) {
    throw;
  } catch (const TrackerError&) {
    throw;
  } catch (const std::bad_alloc&) {
    // Out of memory is not an internal error: the caller hears of it as such (the C API's
    // CT_ERR_NO_MEMORY), or, with ignore_errors, the call is skipped.
    if (!config.ignore_errors) throw;
    try {
      warn(fmt::format("out of memory in {}; monitoring continues where it can", what));
    } catch (...) {
    }
    return decltype(body())();
  } catch (const std::exception& e) {
    const std::string msg = fmt::format("internal error in {}: {}", what, e.what());
    if (!config.ignore_errors) throw TrackerError("carbontracker: " + msg + " (set ignore_errors=true to carry on)");
    try {
      warn(msg + "; monitoring continues where it can");
    } catch (...) {
    }
    return decltype(body())();  // (){} is not valid for void in clang
  }
}

void Tracker::epoch_start() {
  if (impl_->fork_guard.forked_child()) return;
  impl_->guarded("epoch_start", [&] { epoch_start_unguarded(); });
}

EpochRecord Tracker::epoch_end() {
  if (impl_->fork_guard.forked_child()) return {};
  return impl_->guarded("epoch_end", [&] { return epoch_end_unguarded(); });
}

void Tracker::epoch_start_unguarded() {
  auto& s = *impl_;
  s.surface_errors();
  if (s.stopped) return;
  if (s.epoch_mark) s.warn(fmt::format("epoch_start() called again during epoch {}: the epoch restarts now", s.epoch_counter));
  else ++s.epoch_counter;
  s.epoch_mark = s.sampler->mark();
  s.epoch_wall_start = s.now_wall();
}

EpochRecord Tracker::epoch_end_unguarded() {
  auto& s = *impl_;
  s.surface_errors();
  if (s.stopped) return {};
  if (!s.epoch_mark) {
    s.warn("epoch_end() without epoch_start(): ignored");
    return {};
  }
  return s.end_epoch();
}

void Tracker::discard_epoch() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  s.surface_errors();
  if (s.stopped || !s.epoch_mark) return;
  s.epoch_mark.reset();
  s.note(outputs::NoteLevel::log,
         fmt::format("Epoch {} discarded: not an epoch (its energy counts in the whole run only).", s.epoch_counter));
  --s.epoch_counter;
}

Totals Tracker::Impl::whole_run_until(const Sampler::Mark& now) const {
  return emissions::window_totals(channels, {&run_start, &now}, sampler->in_use(), config.pue);
}

EpochRecord Tracker::Impl::end_epoch() {
  const Sampler::Mark end = sampler->mark();
  const auto wall_end = now_wall();
  const auto in_use = sampler->in_use();
  EpochRecord rec = emissions::make_epoch(epoch_counter, true, channels, {&*epoch_mark, &end}, in_use, config.pue,
                                          intensity->current().load(), to_seconds(epoch_mark->t - run_start.t),
                                          epoch_wall_start, wall_end);
  epoch_mark.reset();
  last_end_mark = end;
  last_end_wall = wall_end;
  observed.append({rec.totals.duration_s, rec.totals.facility_energy_j, rec.totals.co2eq_g});
  {
    std::lock_guard lock(mutex);
    history.add_epoch(rec);  // O(1): the first and last epochs in detail, the middle summed
    snap.epochs_total += rec.totals;
    snap.whole_run = whole_run_until(end);
  }
  emit(outputs::EpochEnded{wall_end, &rec});
  drain_sampler_warnings();
  refresh_intensity_info();
  if (!work_ended) {
    refit(epoch_counter);
    if (console_role() == tracker::ConsoleRole::process) {
      handle_budget(snap.whole_run);  // may finish and throw (stop) or ask
    } else {
      job_step(true);  // the job's prediction and budget (rank 0), or rank 0's stop order
    }
  }
  sinks.flush();  // logs are flushed at each epoch end
  const bool until_stop = env.open_ended || (env.monitor_until_stop && config.monitor_epochs == -1);
  if (!stopped && !until_stop && epoch_counter == derived.monitor_epochs) finish();
  return rec;
}

void Tracker::Impl::refit(int after_epochs) {
  const int k = derived.epochs_before_pred;
  if (k == 0 || after_epochs < k || !forecast_possible(after_epochs)) return;
  const bool first = !snap.prediction;  // printed once; later refits only go to the logs
  // O(kMaxWindowEpochs) whatever the epoch count: running sums + the recent window (observed).
  prediction::ForecastSettings in;
  in.total_epochs = config.epochs;
  IntensityInfo future;
  in.future_intensity_g_per_kwh = future_intensity(after_epochs, &future);
  in.confidence = config.prediction_confidence;
  const Forecast robust = prediction::predict_robust(observed, in);
  const Forecast paper = prediction::predict_paper(observed, in);
  {
    std::lock_guard lock(mutex);
    history.forecasts.push(robust);
    if (first) {
      snap.prediction = robust;
      snap.paper_prediction = paper;
    }
  }
  emit(outputs::PredictionMade{now_wall(),
                               {first, outputs::ForecastRecord::of(robust), outputs::ForecastRecord::of(paper), config.pue},
                               first ? prediction_note : std::string()});
  if (!first) return;
  if (config.stop_and_confirm) {
    Decision d{Decision::Kind::confirm_prediction, "Continue training (y/n)?", std::nullopt};
    if (env.defer_decisions) {
      decision = d;
    } else if (!ask_user(d.prompt)) {
      finish();
      throw StopTraining("carbontracker: the user chose to stop training after the prediction");
    }
  }
}

double Tracker::Impl::future_intensity(int after_epochs, IntensityInfo* used) {
  // The window still to run, estimated from the mean epoch so far; the forecast over it (if a
  // provider has one), else the value in force now.
  // epochs_total's duration is the sum over the epochs in order, as a loop over them would give.
  const std::size_t n = history.epochs.count();
  const double mean_s = n == 0 ? 0 : snap.epochs_total.duration_s / static_cast<double>(n);
  const double remaining_s = std::max(0, config.epochs - after_epochs) * mean_s;
  const auto now = now_wall();
  // Capped: a long forecast horizon must not overflow the time point (core/duration.hpp).
  *used = intensity->mean_over(
      now, now + saturating_seconds<std::chrono::system_clock::duration>(std::min(remaining_s, kMaxDurationS)));
  return used->g_per_kwh;
}

void Tracker::Impl::refresh_intensity_info() {
  for (auto& e : intensity->take_events()) warn(e);
  IntensityInfo now = intensity->info();
  if (now.g_per_kwh != told_intensity.g_per_kwh || now.source != told_intensity.source || now.kind != told_intensity.kind) {
    told_intensity = now;  // the value in force now, not the run's average below
    emit(outputs::IntensityChanged{now_wall(), now});
  }
  const auto sources = intensity->sources_used();
  std::lock_guard lock(mutex);
  if (sources.size() > 1) {
    std::string all;
    for (const auto& src : sources) all += (all.empty() ? "" : "; ") + src;
    now.why += " (sources used during the run: " + all + ")";
  }
  now.g_per_kwh = emissions::effective_intensity(snap.epochs_total, now.g_per_kwh);
  snap.intensity = now;
}

void Tracker::Impl::handle_budget(const Totals& actual_so_far) {
  const auto& b = config.budget;
  if (!b.max_energy_kwh && !b.max_co2eq_g && !b.max_duration_s) return;
  const Forecast* latest = history.forecasts.latest();
  if (auto ev = tracker::evaluate_budget(b, actual_so_far, latest, budget_state)) act_on(std::move(*ev));
}

void Tracker::Impl::act_on(BudgetEvent ev) {
  const std::string text = "Budget: " + ev.message + ".";
  switch (config.budget.action) {
    case BudgetAction::warn:
      ev.outcome = BudgetOutcome::warned;
      warn(text);
      break;
    case BudgetAction::ask:
      if (env.defer_decisions) {
        ev.outcome = BudgetOutcome::asked;
        decision = Decision{Decision::Kind::budget_ask, text + " Continue training (y/n)?", ev};
      } else if (ask_user(text + " Continue training (y/n)?")) {
        ev.outcome = BudgetOutcome::continued;
      } else {
        ev.outcome = BudgetOutcome::stopped;
      }
      break;
    case BudgetAction::stop:
      ev.outcome = BudgetOutcome::stopped;
      if (env.defer_decisions) decision = Decision{Decision::Kind::budget_stop, text, ev};
      break;
  }
  emit(outputs::BudgetDecided{now_wall(), {ev}});
  {
    std::lock_guard lock(mutex);
    snap.budget_events.push_back(ev);
    if (ev.outcome == BudgetOutcome::stopped) snap.stopped_by_budget = true;
  }
  if (ev.outcome == BudgetOutcome::stopped) write_job_stop(ev);  // rank 0 of a job: every rank stops
  if (ev.outcome == BudgetOutcome::stopped && !env.defer_decisions) {
    finish();
    throw BudgetExceeded("carbontracker: " + ev.message, ev);
  }
}

bool Tracker::Impl::ask_user(const std::string& prompt) {
  note(outputs::NoteLevel::prompt, prompt);
  for (std::string answer; tracker::read_answer_line(*input, answer);) {
    const std::string line = text::to_lower(text::trim(answer));
    if (line == "y" || line == "yes") {
      note(outputs::NoteLevel::prompt, "Continuing...");
      return true;
    }
    if (line == "n" || line == "no") {
      note(outputs::NoteLevel::prompt, "Quitting...");
      return false;
    }
    note(outputs::NoteLevel::prompt, "Input not recognized. Try again (y/n):");
  }
  note(outputs::NoteLevel::prompt, "No answer (end of input): quitting, as for \"n\".");
  return false;
}

void Tracker::check_budget_now() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  if (s.stopped) return;
  const Budget& b = s.config.budget;
  // Nothing to check against: no counter reads (run mode calls this at every tick).
  if (!b.max_energy_kwh && !b.max_co2eq_g && !b.max_duration_s) return;
  if (s.console_role() != tracker::ConsoleRole::process) {
    s.job_step(false);  // a job's budget is rank 0's to apply, on the job's figures
    return;
  }
  const Sampler::Mark now = s.sampler->mark();
  Totals so_far;
  {
    std::lock_guard lock(s.mutex);
    s.snap.whole_run = s.whole_run_until(now);
    so_far = s.snap.whole_run;
  }
  s.handle_budget(so_far);
}

std::optional<Decision> Tracker::take_decision() {
  if (impl_->fork_guard.forked_child()) return std::nullopt;
  auto d = std::move(impl_->decision);
  impl_->decision.reset();
  return d;
}

void Tracker::decide(const Decision& d, bool continue_training) {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  s.note(outputs::NoteLevel::output, continue_training ? "Continuing..." : "Quitting...");
  if (!d.event) return;
  std::lock_guard lock(s.mutex);
  for (auto it = s.snap.budget_events.rbegin(); it != s.snap.budget_events.rend(); ++it) {
    if (it->limit == d.event->limit && it->basis == d.event->basis) {
      it->outcome = continue_training ? BudgetOutcome::continued : BudgetOutcome::stopped;
      break;
    }
  }
  if (!continue_training) s.snap.stopped_by_budget = true;
  if (!continue_training && d.event) s.write_job_stop(*d.event);
}

void Tracker::stop() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  if (!s.stopped) s.guarded("stop", [&] { s.finish(); });
  s.surface_errors();  // also what failed when the run finished by itself (monitor_epochs, budget)
}

bool Tracker::finished() const { return impl_->stopped || impl_->fork_guard.forked_child_quiet(); }

Snapshot Tracker::snapshot() const {
  if (impl_->fork_guard.forked_child_quiet()) {
    // The mutex may have been held at fork time: the results as of the fork if it is free.
    std::unique_lock lock(impl_->mutex, std::try_to_lock);
    return lock ? impl_->snapshot_locked() : Snapshot{};
  }
  std::lock_guard lock(impl_->mutex);
  return impl_->snapshot_locked();
}

Snapshot Tracker::Impl::snapshot_locked() const {
  Snapshot s = snap;
  history.fill(s);
  return s;
}

void Tracker::set_api_keys(std::map<std::string, std::string> keys) {
  if (impl_->fork_guard.forked_child()) return;
  for (const auto& [name, key] : keys) {
    if (!intensity::is_api_key_name(name)) {
      throw ConfigError("api_keys", fmt::format("invalid API name '{}' given", tracker::excerpt(name)),
                        "use \"electricitymaps\" (or \"watttime_user\" and \"watttime_password\")");
    }
  }
  impl_->config.api_keys = std::move(keys);
  // The running intensity service reads the new keys at its next fetch (a key set after
  // construction is used, as in the Python tool).
  if (impl_->set_provider_keys && !impl_->stopped) {
    impl_->set_provider_keys(impl_->config.api_keys);
    impl_->intensity->replan();
  }
}

void Tracker::Impl::finish() {
  if (stopped) return;
  stopped = true;
  const Sampler::Mark end = sampler->mark();
  const auto wall_end = now_wall();
  if (epoch_mark) {
    EpochRecord partial = emissions::make_epoch(epoch_counter, false, channels, {&*epoch_mark, &end},
                                                sampler->in_use(), config.pue, intensity->current().load(),
                                                to_seconds(epoch_mark->t - run_start.t), epoch_wall_start, wall_end);
    epoch_mark.reset();
    std::lock_guard lock(mutex);
    snap.interrupted = std::move(partial);
  }
  // The Python parser reads this line as "early stop" and then trusts the actual figures.
  if (planned_known && history.epochs.count() < static_cast<std::size_t>(derived.monitor_epochs)) {
    note(outputs::NoteLevel::log,
         fmt::format("Training was interrupted before all {} epochs were monitored.", derived.monitor_epochs));
  }
  {
    std::lock_guard lock(mutex);
    snap.whole_run = whole_run_until(end);
    snap.finished = true;
  }
  scrape_refresh.clear();  // the final values stay up; nothing is read any more
  sampler->stop();
  intensity->stop();
  drain_sampler_warnings();
  refresh_intensity_info();
  Snapshot final_snap;
  {
    std::lock_guard lock(mutex);
    final_snap = snapshot_locked();
  }
  outputs::RunFinished done{now_wall(), &final_snap, config.epochs, std::nullopt};
  if (const auto day = intensity->day_history(); !day.empty()) {
    outputs::IntensityHistoryEvent h{day.front().source, {}};
    for (const auto& q : day) {
      h.points.push_back({std::chrono::duration<double>(q.start.time_since_epoch()).count(),
                          std::chrono::duration<double>(q.end.time_since_epoch()).count(), q.g_per_kwh,
                          std::string(intensity::to_string(q.kind))});
    }
    done.intensity_history = std::move(h);
  }
  if (job_record && channels.empty()) {
    // A process of a job whose devices all count elsewhere: its figures are not zero, they are
    // not measured here (the job's report and `carbontracker report` name it).
    const std::string reason = "this process measured nothing: every device it sees is counted by another process of job " +
                               job_record->id;
    // Expected, not a fault (a CPU-only node has one host for several ranks): said in the logs and
    // the job's report, not as a warning on every such rank's console.
    note(outputs::NoteLevel::output, "Not measured: " + reason + ". No consumption is reported for this process.");
    emit(outputs::RunAbandoned{now_wall(), reason});
  } else {
    emit(std::move(done));
  }
  if (pushgateway_sink) {
    // The push runs on the outputs' delivery thread (bounded to 4 s); its outcome is said here.
    if (Status st = pushgateway_sink->wait_for_push(std::chrono::milliseconds(4500)); !st) warn(st.to_string());
  }
  note_log_status(true);  // a summary that could not be written, before the logs are flushed
  sinks.flush();
  note_log_status();
  if (job_logs) {
    // The other ranks' logs in the shared log_dir: waited for (at most job_wait_s) until each has
    // as many completed epochs as this rank, or its end.
    emit(outputs::JobFinished{
        now_wall(), tracker::gather_job_totals(*job_logs, final_snap.epochs_completed, config.job_wait_s)});
    sinks.flush();
  }
}

}  // namespace carbontracker
