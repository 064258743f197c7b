// The sampler: one thread that turns sensor readings into energy per channel.
//
// Contract
//  - Counters (Method::counter) are accumulated exactly: each read's delta from the previous
//    one goes through counter_delta() (wrap-around for powercap, reset detection for NVML and
//    perf) into an integer count per channel; energy = count x joules_per_unit. A reset makes
//    that interval's energy unknown: it is counted in health.unmeasured_s, never guessed.
//  - Plausibility (sampler/plausibility.hpp): a counter step larger than the device could have
//    drawn (a "wrap" that is really a step back, a jump) and a power reading that is not finite,
//    negative or above the device's bound are not counted: the value is bridged like a failed
//    read (health.rejected, one event per streak naming value and bound). When the next read
//    continues from the rejected value, the counter was reset or jumped: that interval becomes
//    unmeasured_s and counting resumes from there.
//  - Sampled power (power, simulated) is integrated with the trapezoid rule. An estimated
//    reading is the mean power since the previous read of that channel (a load average), so it
//    is integrated as a rectangle over that interval.
//  - The thread wakes only when a channel needs a read (read_period_s): a cumulative source
//    (a counter, or an estimate, which is a mean since the previous read) is exact between any
//    two reads, so it is read at epoch boundaries (marks) and otherwise only often enough that it
//    cannot wrap twice unseen: half the time its range lasts at the device's plausible maximum
//    power, capped at max_counter_gap_s (60 s). Only sampled power (Method::power, simulated)
//    needs the user interval (update_interval, default 1 s). sample_every_s > 0 forces a read of
//    everything at that period (fine power curves). Any read of every sensor (a mark, a tick,
//    refresh()) restarts the period: between frequent marks the thread reads nothing. Sensors
//    with slow work (has_slow_work()) add the slow cadence. Timestamps come from the injected
//    monotonic clock.
//  - mark() reads every sensor on the caller's thread and returns cumulative energy: two marks
//    give the exact energy of the window between them (epoch boundaries). It takes a sensor's
//    lock only for that sensor's read, and the timeline's lock to add its point: microseconds,
//    never a wait on slow work or on the outputs (process lists and on_point run on the sampler
//    thread, outside those locks).
//  - Timeline points: every read of every sensor (tick, mark) adds one when at least interval_s
//    has passed since the last point (refresh(): min(interval_s, 1 s)), and only if time and every channel's energy
//    moved forward (reads on two threads may finish out of order). on_point hears each point
//    once, in time order, on the sampler thread (or on the caller of refresh() or stop()), never on
//    the thread taking a mark: a point added by a mark waits for the next wake-up, refresh() or
//    stop(). Between two of those at most kMaxPendingPoints wait; past that the newest replaces
//    the last waiting one.
//  - An energy listener (SamplerOptions::energy_listener, sampler/energy_listener.hpp) is told
//    every increment counted above, in order, under the sensor's lock, whichever thread counts
//    it; mark() takes the listener's tally under the same lock, so a mark's listener_tally covers
//    exactly the increments its energy_j does. What the listener weighs them by (the grid's
//    carbon intensity, emissions/emissions_meter.hpp) is none of the sampler's business.
//  - Memory is bounded: a Timeline of fixed capacity (downsampled as the run grows) and a
//    bounded event list. Nothing here throws once constructed; start() reports failure to
//    create the thread as a Status.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "carbontracker/clock.hpp"
#include "sensors/sensor_interface.hpp"
#include "sampler/energy_listener.hpp"
#include "sampler/timeline.hpp"

namespace carbontracker {

struct SamplerOptions {
  double interval_s = 1.0;          // sampled power's read period; the timeline's finest spacing
  double max_counter_gap_s = 60.0;  // longest time a counter or an estimate goes unread
  double sample_every_s = 0;        // > 0: read everything at this period too (0: only as needed)
  double slow_tick_s = 10.0;        // process lists (devices_by_pid)
  std::size_t timeline_capacity = 4096;
  std::size_t max_events = 256;
  // Called with every timeline point, once, in time order, on the sampler thread or refresh()'s
  // caller, one call at a time (to spill the timeline to a log). Must not throw.
  std::function<void(double t_s, std::span<const double> energy_j)> on_point;
  // Hears every counted energy increment, and its tally is taken into each mark
  // (sampler/energy_listener.hpp). Null: none (Mark::listener_tally stays 0).
  EnergyListener* energy_listener = nullptr;
};

// How long `info` may go unread (see the contract above): interval_s for sampled power; for a
// wrapping counter half the time its range lasts at the plausible maximum power; capped at
// max_counter_gap_s; never below 1 ms.
double read_period_s(const ChannelInfo& info, double interval_s, double max_counter_gap_s) noexcept;

enum class ChannelState : std::uint8_t {
  ok,
  degraded,  // some reads failed or a reset left a gap; still measuring
  lost,      // the device is gone; the channel's energy stops at the last good read
};
std::string_view to_string(ChannelState s) noexcept;

struct ChannelHealth {
  ChannelState state = ChannelState::ok;
  std::uint64_t reads = 0;
  std::uint64_t failed_reads = 0;
  std::uint64_t wraps = 0;   // wrap-arounds corrected
  std::uint64_t resets = 0;  // counter went backwards (driver reload)
  double unmeasured_s = 0;   // time whose energy is unknown (resets)
  // Values not counted because they cannot be true (a counter glitch or impossible step, a
  // power reading that is not finite, negative or above the plausible maximum; see
  // sampler/plausibility.hpp). Each is also a failed read.
  std::uint64_t rejected = 0;
};

struct SamplerEvent {
  double t_s = 0;
  std::uint32_t channel = 0;
  std::string message;
};

struct ChannelSnapshot {
  double energy_j = 0;     // since start
  double power_w = 0;      // mean over the last sampling interval (0 before two reads)
  bool power_known = false;
  ChannelHealth health;
  std::optional<bool> in_use;  // devices_by_pid: ran a process of this tree (sticky)
};

struct SamplerSnapshot {
  double elapsed_s = 0;
  std::vector<ChannelSnapshot> channels;  // same order as Sampler::channels()
  std::vector<SamplerEvent> events;       // warnings, oldest first (bounded)
  std::uint64_t events_dropped = 0;
};

class Sampler {
 public:
  Sampler(std::vector<std::unique_ptr<Sensor>> sensors, Clock& clock, SamplerOptions options = {});
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  // First read of every sensor (baselines) on the caller's thread, then starts the thread.
  Status start();
  // Final read, then joins the thread. Idempotent.
  void stop();

  // Every channel of every sensor, flattened in sensor order.
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept { return channels_; }

  struct Mark {
    MonoTime t{};
    std::vector<double> energy_j;      // cumulative per channel
    std::vector<double> unmeasured_s;  // cumulative per channel (ChannelHealth::unmeasured_s)
    std::vector<ChannelState> state;   // per channel
    std::vector<double> listener_tally;  // per channel: the energy listener's tally() (0 without one)
    std::vector<std::uint64_t> failed_reads;  // cumulative per channel (ChannelHealth::failed_reads)
  };
  Mark mark();
  // Energy per channel since `m` (reads now). Convenience over two marks.
  std::vector<double> energy_since(const Mark& m);

  // One sampling round at clock.monotonic(): read everything, update the timeline when due,
  // run the slow tick when due. The thread calls it; tests call it directly with a FakeClock.
  void tick();
  // For live views (a Prometheus scrape): read everything now and hand any new timeline points
  // to on_point on the caller's thread. A no-op unless started.
  void refresh();
  // The thread's longest sleep between reads: the shortest read period of any channel and
  // sample_every_s (the slow work, when a sensor has some, has its own deadline).
  [[nodiscard]] double wake_period_s() const noexcept { return wake_period_s_; }

  [[nodiscard]] SamplerSnapshot snapshot() const;
  // devices_by_pid usage per channel (sticky); cheap.
  [[nodiscard]] std::vector<std::optional<bool>> in_use() const;
  // Warnings recorded since `cursor` (an index into the event list, advanced by the call).
  [[nodiscard]] std::vector<SamplerEvent> events_since(std::size_t& cursor) const;
  // Copy of the timeline (consistent under the lock).
  [[nodiscard]] Timeline timeline() const;
  [[nodiscard]] double elapsed_s() const noexcept;

 private:
  struct ChannelAccumulator;
  struct Slot;

  void read_slot(Slot& slot, MonoTime now);
  // After a rejected counter value: true (and counted) when `counter` continues plausibly from
  // that value, i.e. the counter was reset or jumped rather than misread once.
  bool accept_after_suspect(ChannelAccumulator& a, std::uint32_t ch, std::uint64_t counter, MonoTime now, double t_s);
  void round(bool slow_allowed);
  void read_all(MonoTime now);
  // Adds a timeline point when due, or now when forced (refresh: a live view asked), if time and
  // energy moved forward (state_mutex_ held by the caller).
  void add_point_locked(MonoTime now, std::span<const double> energy_j, bool force = false);
  // Hands the timeline points not yet heard to on_point (not under state_mutex_).
  void spill_points();
  void record_event(double t_s, std::uint32_t channel, std::string message);
  void run(std::stop_token stop);
  Mark collect(MonoTime now) const;
  // A counted increment of `channel`, told to the listener (under the channel's sensor lock).
  void heard(std::uint32_t channel, double energy_j) const noexcept {
    if (options_.energy_listener) options_.energy_listener->on_energy(channel, energy_j);
  }

  Clock& clock_;
  SamplerOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<ChannelInfo> channels_;
  MonoTime start_{};
  std::atomic<bool> started_{false};
  double wake_period_s_ = 60.0;
  bool slow_work_ = false;
  // When every sensor was last read (ns on the injected clock): the thread sleeps until a period
  // after it, so marks at epoch boundaries stand in for its reads.
  std::atomic<std::int64_t> last_read_ns_{0};

  mutable std::mutex state_mutex_;  // timeline, events, in_use, next_* deadlines
  Timeline timeline_;
  std::vector<SamplerEvent> events_;
  std::uint64_t events_dropped_ = 0;
  std::vector<std::optional<bool>> in_use_;
  MonoTime next_point_{};
  MonoTime next_slow_tick_{};
  bool have_point_ = false;
  double last_point_t_s_ = 0;
  std::vector<double> last_point_energy_j_;
  // on_point: the time of the last point it heard; spill_mutex_ makes its calls one at a time
  // and in order (taken before state_mutex_, never under it).
  std::mutex spill_mutex_;
  // Points added but not yet heard by on_point: rows of (t_s, energy_j...), at most
  // kMaxPendingPoints (state_mutex_); spill_buffer_ is the spare they are swapped into
  // (spill_mutex_), so a steady state allocates nothing.
  std::vector<double> pending_points_;
  std::vector<double> spill_buffer_;

  std::vector<double> round_energy_;  // scratch for round()
  std::jthread thread_;
};

}  // namespace carbontracker
