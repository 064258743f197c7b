// A Sensor test double that returns scripted readings: the sampler's logic is tested without
// hardware; the hardware backends have their own fixture tests, and sampler_e2e_test runs the
// sampler over them.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <vector>

#include "sensors/sensor_interface.hpp"

namespace carbontracker::testing {

class ScriptedSensor final : public Sensor {
 public:
  explicit ScriptedSensor(std::vector<ChannelInfo> channels) : channels_(std::move(channels)) {}

  std::string_view name() const noexcept override { return "scripted"; }
  const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }

  // Queue one round of readings; when the queue is empty read() repeats the last round.
  void push(std::vector<Reading> round) {
    std::lock_guard lock(m_);
    script_.push_back(std::move(round));
  }

  Status read(std::vector<Reading>& out) noexcept override {
    std::lock_guard lock(m_);
    ++reads_;
    if (!script_.empty()) {
      last_ = script_.front();
      script_.pop_front();
    }
    out.insert(out.end(), last_.begin(), last_.end());
    return Status::ok();
  }

  void slow_tick() noexcept override { ++slow_ticks_; }
  bool has_slow_work() const noexcept override { return slow_work_.load(); }
  void set_slow_work(bool v) { slow_work_ = v; }
  std::optional<std::vector<bool>> channels_in_use() const override {
    std::lock_guard lock(m_);
    return in_use_;
  }
  void set_in_use(std::optional<std::vector<bool>> v) {
    std::lock_guard lock(m_);
    in_use_ = std::move(v);
  }

  int reads() const { return reads_.load(); }
  int slow_ticks() const { return slow_ticks_.load(); }

 private:
  std::vector<ChannelInfo> channels_;
  mutable std::mutex m_;
  std::deque<std::vector<Reading>> script_;
  std::vector<Reading> last_;
  std::optional<std::vector<bool>> in_use_;
  std::atomic<int> reads_{0};
  std::atomic<int> slow_ticks_{0};
  std::atomic<bool> slow_work_{true};
};

inline ChannelInfo counter_channel(std::string id, CounterSpec spec, double joules_per_unit,
                                   Component c = Component::cpu) {
  ChannelInfo ch;
  ch.id = std::move(id);
  ch.name = ch.id;
  ch.component = c;
  ch.method = Method::counter;
  ch.counter = spec;
  ch.joules_per_unit = joules_per_unit;
  return ch;
}

inline ChannelInfo power_channel(std::string id, Method m = Method::power, Component c = Component::gpu) {
  ChannelInfo ch;
  ch.id = std::move(id);
  ch.name = ch.id;
  ch.component = c;
  ch.method = m;
  return ch;
}

inline Reading counter_reading(std::uint32_t ch, std::uint64_t v, ReadingState st = ReadingState::ok) {
  return Reading{ch, st, v, 0.0};
}
inline Reading power_reading(std::uint32_t ch, double w, ReadingState st = ReadingState::ok) {
  return Reading{ch, st, 0, w};
}

}  // namespace carbontracker::testing
