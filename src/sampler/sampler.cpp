#include "sampler/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "sampler/plausibility.hpp"

namespace carbontracker {

namespace {
__extension__ using Count = unsigned __int128;  // exact: 2^-32 J perf units overflow 64 bits in weeks

// Points waiting for on_point between two wake-ups of the thread (at most 60 s apart; one point
// per interval_s at most): past this, new points are not spilled (the timeline keeps them).
constexpr std::size_t kMaxPendingPoints = 256;
constexpr double kMinReadPeriodS = 0.001;
}  // namespace

double read_period_s(const ChannelInfo& info, double interval_s, double max_counter_gap_s) noexcept {
  double period = max_counter_gap_s;
  if (info.method == Method::power || info.method == Method::simulated) {
    period = interval_s;  // a point sample: integrated between reads, so read at the user's cadence
  } else if (info.method == Method::counter && info.counter.kind == CounterKind::wrapping) {
    // One wrap between two reads is corrected; a second would be lost. At the plausible maximum
    // power the range lasts range_j / max_w; half of it leaves room for a late wake-up.
    const double range_j =
        (static_cast<double>(info.counter.range) + static_cast<double>(info.counter.unit)) * info.joules_per_unit;
    const double max_w = plausible_max_power(info).max_power_w;
    if (range_j > 0 && max_w > 0) period = std::min(period, 0.5 * range_j / max_w);
  }
  // Resetting counters (NVML, perf's 64-bit count) do not wrap; estimates are means since the
  // previous read: both are exact over any interval, read at the cap.
  if (!(period >= kMinReadPeriodS)) period = kMinReadPeriodS;  // also NaN
  return period;
}

std::string_view to_string(ChannelState s) noexcept {
  switch (s) {
    case ChannelState::ok: return "ok";
    case ChannelState::degraded: return "degraded";
    case ChannelState::lost: return "lost";
  }
  return "unknown";
}

struct Sampler::ChannelAccumulator {
  const ChannelInfo* info = nullptr;
  bool have_last = false;
  MonoTime last_t{};
  std::uint64_t last_counter = 0;
  Count counts = 0;
  double last_power_w = 0;
  double integrated_j = 0;  // power channels
  bool failing = false;     // last read failed (one event per failure streak)
  // Counters: a value judged a glitch or implausible, kept to tell a one-off bad read (the
  // next read continues from the last good value) from a reset or jump (it continues from here).
  bool have_suspect = false;
  std::uint64_t suspect_counter = 0;
  MonoTime suspect_t{};
  // For the "power over the last interval" figure, updated by tick() only.
  double tick_energy_j = 0;
  MonoTime tick_t{};
  bool tick_have = false;
  double power_w = 0;
  bool power_known = false;
  ChannelHealth health;

  [[nodiscard]] double energy_j() const noexcept {
    if (info->method == Method::counter) return static_cast<double>(counts) * info->joules_per_unit;
    return integrated_j;
  }
};

struct Sampler::Slot {
  std::unique_ptr<Sensor> sensor;
  std::uint32_t first_channel = 0;
  std::mutex mutex;  // serialises read() and guards acc
  std::vector<Reading> readings;
  std::vector<ChannelAccumulator> acc;
};

Sampler::Sampler(std::vector<std::unique_ptr<Sensor>> sensors, Clock& clock, SamplerOptions options)
    : clock_(clock), options_(std::move(options)), timeline_(0, 4) {
  for (auto& s : sensors) {
    if (!s) continue;
    auto slot = std::make_unique<Slot>();
    slot->first_channel = static_cast<std::uint32_t>(channels_.size());
    for (const auto& c : s->channels()) channels_.push_back(c);
    slot->sensor = std::move(s);
    slots_.push_back(std::move(slot));
  }
  // Accumulators point into channels_, which is final now.
  for (auto& slot : slots_) {
    const auto n = slot->sensor->channels().size();
    slot->acc.resize(n);
    slot->readings.reserve(n);
    for (std::size_t i = 0; i < n; ++i) slot->acc[i].info = &channels_[slot->first_channel + i];
  }
  timeline_ = Timeline(channels_.size(), options_.timeline_capacity);
  round_energy_.reserve(channels_.size());
  if (options_.energy_listener) options_.energy_listener->on_channels(channels_.size());
  in_use_.resize(channels_.size());
  options_.interval_s = std::max(options_.interval_s, kMinReadPeriodS);
  options_.max_counter_gap_s = std::clamp(options_.max_counter_gap_s, kMinReadPeriodS, 60.0);
  wake_period_s_ = options_.max_counter_gap_s;
  for (const auto& c : channels_) {
    wake_period_s_ = std::min(wake_period_s_, read_period_s(c, options_.interval_s, options_.max_counter_gap_s));
  }
  if (options_.sample_every_s > 0) wake_period_s_ = std::min(wake_period_s_, std::max(options_.sample_every_s, kMinReadPeriodS));
  for (const auto& slot : slots_) slow_work_ = slow_work_ || slot->sensor->has_slow_work();
  if (options_.on_point) {
    pending_points_.reserve(kMaxPendingPoints * (channels_.size() + 1));
    spill_buffer_.reserve(kMaxPendingPoints * (channels_.size() + 1));
  }
  last_point_energy_j_.resize(channels_.size(), 0.0);
}

Sampler::~Sampler() { stop(); }

void Sampler::record_event(double t_s, std::uint32_t channel, std::string message) {
  std::lock_guard lock(state_mutex_);
  if (events_.size() >= options_.max_events) {
    ++events_dropped_;
    return;
  }
  events_.push_back({t_s, channel, std::move(message)});
}

void Sampler::read_slot(Slot& slot, MonoTime now) {
  std::lock_guard lock(slot.mutex);
  slot.readings.clear();
  (void)slot.sensor->read(slot.readings);  // per-reading states carry the detail
  const double t_s = to_seconds(now - start_);
  std::size_t next_expected = 0;
  auto mark_failed = [&](ChannelAccumulator& a, std::uint32_t ch, std::string_view why) {
    ++a.health.failed_reads;
    if (a.health.state == ChannelState::ok) a.health.state = ChannelState::degraded;
    if (!a.failing) {
      a.failing = true;
      record_event(t_s, ch, fmt::format("{}: read failed ({}); energy is caught up at the next good read",
                                        a.info->id, why));
    }
  };
  // A value that cannot be true: not counted, bridged like a failed read, said once per streak.
  auto mark_rejected = [&](ChannelAccumulator& a, std::uint32_t ch, const std::string& why) {
    ++a.health.failed_reads;
    ++a.health.rejected;
    if (a.health.state == ChannelState::ok) a.health.state = ChannelState::degraded;
    if (!a.failing) {
      a.failing = true;
      record_event(t_s, ch, fmt::format("{} ({}): {}; bridged like a failed read: the energy is caught up at the "
                                        "next plausible read",
                                        a.info->id, a.info->name, why));
    }
  };
  for (const Reading& r : slot.readings) {
    if (r.channel >= slot.acc.size()) continue;
    // A sensor that skipped channels: those reads failed.
    for (; next_expected < r.channel; ++next_expected) {
      auto& skipped = slot.acc[next_expected];
      if (skipped.health.state != ChannelState::lost) {
        mark_failed(skipped, slot.first_channel + static_cast<std::uint32_t>(next_expected), "no reading");
      }
    }
    next_expected = r.channel + 1;
    auto& a = slot.acc[r.channel];
    const std::uint32_t ch = slot.first_channel + r.channel;
    if (a.health.state == ChannelState::lost) continue;
    ++a.health.reads;
    if (r.state == ReadingState::lost) {
      a.health.state = ChannelState::lost;
      record_event(t_s, ch, fmt::format("{} ({}) is gone: its energy stops at {:.3f} J; other channels continue",
                                        a.info->id, a.info->name, a.energy_j()));
      continue;
    }
    if (r.state == ReadingState::failed) {
      mark_failed(a, ch, "sensor error");
      continue;
    }
    if (a.info->method == Method::counter) {
      if (!a.have_last) {
        if (t_s > 0) {
          a.health.unmeasured_s += t_s;  // no baseline until now
          if (a.health.state == ChannelState::ok) a.health.state = ChannelState::degraded;
        }
      } else {
        const double dt = to_seconds(now - a.last_t);
        const CounterStep d = judge_counter_step(a.last_counter, r.counter, *a.info, dt);
        if (d.verdict == StepVerdict::ok || d.verdict == StepVerdict::wrapped) {
          a.counts += d.delta;
          heard(ch, static_cast<double>(d.delta) * a.info->joules_per_unit);
          if (d.verdict == StepVerdict::wrapped) ++a.health.wraps;
          a.have_suspect = false;
        } else if (d.verdict == StepVerdict::glitch || d.verdict == StepVerdict::implausible) {
          if (!accept_after_suspect(a, ch, r.counter, now, t_s)) {
            mark_rejected(a, ch, describe_rejected_step(d, a.last_counter, r.counter, dt, *a.info));
            a.have_suspect = true;
            a.suspect_counter = r.counter;
            a.suspect_t = now;
            continue;
          }
        } else if (a.info->counter.kind == CounterKind::resetting) {
          a.have_suspect = false;
          ++a.health.resets;
          const double gap = to_seconds(now - a.last_t);
          a.health.unmeasured_s += gap;
          if (a.health.state == ChannelState::ok) a.health.state = ChannelState::degraded;
          record_event(t_s, ch,
                       fmt::format("{} ({}): counter went back from {} to {} (driver reset?); energy of "
                                   "those {:.3f} s is unknown and not counted",
                                   a.info->id, a.info->name, a.last_counter, r.counter, gap));
        } else {
          mark_failed(a, ch, fmt::format("value {} outside the published range {}", r.counter,
                                         a.info->counter.range));
          continue;
        }
      }
      a.last_counter = r.counter;
    } else {
      const PowerVerdict pv = judge_power_sample(r.power_w, plausible_max_power(*a.info).max_power_w);
      if (pv != PowerVerdict::ok) {
        mark_rejected(a, ch, describe_rejected_power(pv, r.power_w, *a.info));
        continue;
      }
      if (a.have_last) {
        const double dt = to_seconds(now - a.last_t);
        // An estimate (TDP x load) is the mean over the interval since the previous read, so it
        // covers that interval alone; a sampled power is a point: trapezoid between points.
        const double mean_w =
            a.info->method == Method::estimated ? r.power_w : 0.5 * (a.last_power_w + r.power_w);
        if (dt > 0) {
          a.integrated_j += mean_w * dt;
          heard(ch, mean_w * dt);
        }
      }
      a.last_power_w = r.power_w;
    }
    a.failing = false;
    a.have_last = true;
    a.last_t = now;
  }
  for (; next_expected < slot.acc.size(); ++next_expected) {
    auto& a = slot.acc[next_expected];
    if (a.health.state != ChannelState::lost) {
      mark_failed(a, slot.first_channel + static_cast<std::uint32_t>(next_expected), "no reading");
    }
  }
}

bool Sampler::accept_after_suspect(ChannelAccumulator& a, std::uint32_t ch, std::uint64_t counter, MonoTime now,
                                   double t_s) {
  if (!a.have_suspect) return false;
  const double dt = to_seconds(now - a.suspect_t);
  const CounterStep d = judge_counter_step(a.suspect_counter, counter, *a.info, dt);
  if (d.verdict != StepVerdict::ok && d.verdict != StepVerdict::wrapped) return false;
  // The counter carries on from the suspect value: it was reset or jumped there, so the energy
  // between the last good read and the suspect one is unknown; from there on it counts again.
  const double gap = to_seconds(a.suspect_t - a.last_t);
  a.counts += d.delta;
  heard(ch, static_cast<double>(d.delta) * a.info->joules_per_unit);
  if (d.verdict == StepVerdict::wrapped) ++a.health.wraps;
  ++a.health.resets;
  a.health.unmeasured_s += gap;
  if (a.health.state == ChannelState::ok) a.health.state = ChannelState::degraded;
  record_event(t_s, ch,
               fmt::format("{} ({}): counter carries on from {} (reset or jumped from {}); energy of those {:.3f} s "
                           "is unknown and not counted",
                           a.info->id, a.info->name, a.suspect_counter, a.last_counter, gap));
  a.have_suspect = false;
  return true;
}

Status Sampler::start() {
  if (started_) return Status::ok();
  start_ = clock_.monotonic();
  read_all(start_);
  {
    std::lock_guard lock(state_mutex_);
    const std::vector<double> zeros(channels_.size(), 0.0);
    timeline_.append(0.0, zeros);
    have_point_ = true;
    last_point_t_s_ = 0;
    // The start is a point too: the first power over time (a scrape's, the log's) starts here.
    if (options_.on_point) {
      pending_points_.push_back(0.0);
      pending_points_.insert(pending_points_.end(), zeros.begin(), zeros.end());
    }
    next_point_ = start_ + from_seconds(options_.interval_s);
    // The first process list soon after the start (the GPUs this run uses are known early), not
    // at it: the thread does not wake the moment it starts.
    next_slow_tick_ = start_ + from_seconds(std::min(options_.slow_tick_s, options_.interval_s));
  }
  started_ = true;
  try {
    thread_ = std::jthread([this](std::stop_token st) { run(st); });
  } catch (const std::system_error& e) {
    return {StatusCode::unavailable, std::string("cannot start the sampler thread: ") + e.what(),
            "check the process/thread limits (ulimit -u)"};
  }
  return Status::ok();
}

void Sampler::stop() {
  if (!started_) return;
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  started_ = false;
  round(false);  // final read so totals include the last partial interval; no slow work here
}

void Sampler::run(std::stop_token stop) {
  const MonoTime period = from_seconds(wake_period_s_);
  // Sampled power keeps its cadence on absolute deadlines; counters and estimates only need a
  // read within a period of the last one, whoever took it (a mark at an epoch boundary counts).
  const bool cadence = std::any_of(channels_.begin(), channels_.end(), [](const ChannelInfo& c) {
    return c.method == Method::power || c.method == Method::simulated;
  }) || options_.sample_every_s > 0;
  MonoTime next_read = start_ + period;
  while (!stop.stop_requested()) {
    MonoTime wake = next_read;
    MonoTime slow_at{};
    if (slow_work_) {
      std::lock_guard lock(state_mutex_);
      slow_at = next_slow_tick_;
      wake = std::min(wake, slow_at);
    }
    if (!clock_.wait_until(wake, stop)) break;
    const MonoTime now = clock_.monotonic();
    const bool read_due =
        cadence ? now >= next_read : now >= MonoTime{last_read_ns_.load(std::memory_order_relaxed)} + period;
    if (read_due || (slow_work_ && now >= slow_at)) {
      round(true);  // reads, the timeline point, the slow work when due, the spill
    } else {
      spill_points();  // points the marks added since the last wake-up
    }
    if (cadence) {
      if (read_due) next_read += period;
      if (next_read <= now) next_read = now + period;  // fell behind (suspend, overload): skip, don't burst
    } else {
      next_read = MonoTime{last_read_ns_.load(std::memory_order_relaxed)} + period;
      if (next_read <= now) next_read = now + period;
    }
  }
}

void Sampler::read_all(MonoTime now) {
  for (auto& slot : slots_) read_slot(*slot, now);
  // Monotonic: a mark on another thread may have read later already.
  std::int64_t prev = last_read_ns_.load(std::memory_order_relaxed);
  while (prev < now.count() && !last_read_ns_.compare_exchange_weak(prev, now.count(), std::memory_order_relaxed)) {
  }
}

void Sampler::add_point_locked(MonoTime now, std::span<const double> energy_j, bool force) {
  const double t_s = to_seconds(now - start_);
  // A forced point (a scrape) still keeps a second from the last one: a power over milliseconds
  // would be counter quantisation, not power; within it the last point is fresh enough.
  if (now < next_point_ && !(force && t_s >= last_point_t_s_ + std::min(options_.interval_s, 1.0))) return;
  if (have_point_) {
    // Reads on two threads can finish out of order: a point must not go back in time or energy.
    if (t_s <= last_point_t_s_) return;
    for (std::size_t i = 0; i < energy_j.size() && i < last_point_energy_j_.size(); ++i) {
      if (energy_j[i] < last_point_energy_j_[i]) return;
    }
  }
  timeline_.append(t_s, energy_j);
  have_point_ = true;
  last_point_t_s_ = t_s;
  std::copy(energy_j.begin(), energy_j.end(), last_point_energy_j_.begin());
  if (options_.on_point) {
    const std::size_t row = energy_j.size() + 1;
    if (pending_points_.size() + row > pending_points_.capacity() && pending_points_.size() >= row) {
      // Full (a short interval and frequent marks between two wake-ups): the newest point
      // replaces the last one waiting; energy is cumulative, so nothing is lost but resolution.
      pending_points_.resize(pending_points_.size() - row);
    }
    pending_points_.push_back(t_s);
    pending_points_.insert(pending_points_.end(), energy_j.begin(), energy_j.end());
  }
  if (now >= next_point_) {  // a forced point leaves the cadence as it was
    next_point_ += from_seconds(options_.interval_s);
    if (next_point_ <= now) next_point_ = now + from_seconds(options_.interval_s);
  }
}

void Sampler::spill_points() {
  if (!options_.on_point) return;
  std::lock_guard spill(spill_mutex_);
  {
    std::lock_guard lock(state_mutex_);
    if (pending_points_.empty()) return;
    spill_buffer_.swap(pending_points_);
  }
  const std::size_t row = channels_.size() + 1;
  for (std::size_t i = 0; i + row <= spill_buffer_.size(); i += row) {
    options_.on_point(spill_buffer_[i], std::span<const double>(spill_buffer_.data() + i + 1, channels_.size()));
  }
  spill_buffer_.clear();
}

void Sampler::refresh() {
  if (!started_) return;
  const MonoTime now = clock_.monotonic();
  read_all(now);
  Mark m = collect(now);
  {
    std::lock_guard lock(state_mutex_);
    add_point_locked(now, m.energy_j, true);
  }
  spill_points();
}

Sampler::Mark Sampler::mark() {
  const MonoTime now = clock_.monotonic();
  read_all(now);
  Mark m = collect(now);
  if (started_) {
    std::lock_guard lock(state_mutex_);
    add_point_locked(now, m.energy_j);
  }
  return m;
}

std::vector<double> Sampler::energy_since(const Mark& m) {
  Mark now = mark();
  for (std::size_t i = 0; i < now.energy_j.size() && i < m.energy_j.size(); ++i) now.energy_j[i] -= m.energy_j[i];
  return std::move(now.energy_j);
}

Sampler::Mark Sampler::collect(MonoTime now) const {
  Mark m;
  m.t = now;
  m.energy_j.reserve(channels_.size());
  m.unmeasured_s.reserve(channels_.size());
  m.state.reserve(channels_.size());
  m.listener_tally.reserve(channels_.size());
  m.failed_reads.reserve(channels_.size());
  const EnergyListener* listener = options_.energy_listener;
  for (const auto& slot : slots_) {
    std::lock_guard lock(slot->mutex);
    for (std::uint32_t i = 0; i < slot->acc.size(); ++i) {
      const auto& a = slot->acc[i];
      m.energy_j.push_back(a.energy_j());
      m.unmeasured_s.push_back(a.health.unmeasured_s);
      m.state.push_back(a.health.state);
      m.listener_tally.push_back(listener ? listener->tally(slot->first_channel + i) : 0.0);
      m.failed_reads.push_back(a.health.failed_reads);
    }
  }
  return m;
}

std::vector<std::optional<bool>> Sampler::in_use() const {
  std::lock_guard lock(state_mutex_);
  return in_use_;
}

std::vector<SamplerEvent> Sampler::events_since(std::size_t& cursor) const {
  std::lock_guard lock(state_mutex_);
  std::vector<SamplerEvent> out;
  for (; cursor < events_.size(); ++cursor) out.push_back(events_[cursor]);
  return out;
}

void Sampler::tick() { round(true); }

void Sampler::round(bool slow_allowed) {
  const MonoTime now = clock_.monotonic();
  read_all(now);

  // Reused across rounds: round() runs on one thread at a time (the sampler's, or stop() after
  // joining it), and a steady-state tick must not allocate.
  std::vector<double>& energy = round_energy_;
  energy.clear();
  for (auto& slot : slots_) {
    std::lock_guard lock(slot->mutex);
    for (auto& a : slot->acc) {
      const double e = a.energy_j();
      if (a.tick_have) {
        const double dt = to_seconds(now - a.tick_t);
        if (dt > 0) {
          a.power_w = a.info->method == Method::counter ? (e - a.tick_energy_j) / dt : a.last_power_w;
          a.power_known = a.health.state != ChannelState::lost;
        }
      }
      a.tick_energy_j = e;
      a.tick_t = now;
      a.tick_have = true;
      energy.push_back(e);
    }
  }

  bool slow_due = false;
  {
    std::lock_guard lock(state_mutex_);
    add_point_locked(now, energy);
    if (slow_allowed && slow_work_ && now >= next_slow_tick_) {
      slow_due = true;
      next_slow_tick_ = now + from_seconds(options_.slow_tick_s);
    }
  }
  spill_points();
  if (slow_due) {
    // Outside every lock: process lists take milliseconds and must not delay mark().
    for (auto& slot : slots_) {
      slot->sensor->slow_tick();
      auto used = slot->sensor->channels_in_use();
      if (!used) continue;
      std::lock_guard lock(state_mutex_);
      for (std::size_t i = 0; i < used->size() && slot->first_channel + i < in_use_.size(); ++i) {
        auto& u = in_use_[slot->first_channel + i];
        u = (u.value_or(false) || (*used)[i]);  // sticky: once it served us, it counts
      }
    }
  }
}

SamplerSnapshot Sampler::snapshot() const {
  SamplerSnapshot s;
  s.elapsed_s = elapsed_s();
  s.channels.reserve(channels_.size());
  for (const auto& slot : slots_) {
    std::lock_guard lock(slot->mutex);
    for (const auto& a : slot->acc) {
      ChannelSnapshot c;
      c.energy_j = a.energy_j();
      c.power_w = a.power_w;
      c.power_known = a.power_known;
      c.health = a.health;
      s.channels.push_back(std::move(c));
    }
  }
  std::lock_guard lock(state_mutex_);
  for (std::size_t i = 0; i < s.channels.size() && i < in_use_.size(); ++i) s.channels[i].in_use = in_use_[i];
  s.events = events_;
  s.events_dropped = events_dropped_;
  return s;
}

Timeline Sampler::timeline() const {
  std::lock_guard lock(state_mutex_);
  return timeline_;
}

double Sampler::elapsed_s() const noexcept { return to_seconds(clock_.monotonic() - start_); }

}  // namespace carbontracker
