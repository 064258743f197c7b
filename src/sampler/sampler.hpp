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
//  - The thread reads every sensor at the user interval (default 1 s) and at least every
//    max_counter_gap_s (30 s) whatever the interval, so no counter can wrap twice unseen.
//    Timestamps come from the injected monotonic clock.
//  - mark() reads every sensor on the caller's thread and returns cumulative energy: two marks
//    give the exact energy of the window between them (epoch boundaries). It takes a sensor's
//    lock only for that sensor's read: microseconds, never a wait on the timeline or on
//    slow work (process lists run on the sampler thread, outside those locks).
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
  double interval_s = 1.0;          // timeline cadence
  double max_counter_gap_s = 30.0;  // forced read period for counters
  double slow_tick_s = 10.0;        // process lists (devices_by_pid)
  std::size_t timeline_capacity = 4096;
  std::size_t max_events = 256;
  // Called on the sampler thread with every timeline point before downsampling (to spill a
  // full-resolution timeline to a log). Must be cheap and must not throw.
  std::function<void(double t_s, std::span<const double> energy_j)> on_point;
  // Hears every counted energy increment, and its tally is taken into each mark
  // (sampler/energy_listener.hpp). Null: none (Mark::listener_tally stays 0).
  EnergyListener* energy_listener = nullptr;
};

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
  bool started_ = false;

  mutable std::mutex state_mutex_;  // timeline, events, in_use, next_* deadlines
  Timeline timeline_;
  std::vector<SamplerEvent> events_;
  std::uint64_t events_dropped_ = 0;
  std::vector<std::optional<bool>> in_use_;
  MonoTime next_point_{};
  MonoTime next_slow_tick_{};

  std::vector<double> round_energy_;  // scratch for round()
  std::jthread thread_;
};

}  // namespace carbontracker
