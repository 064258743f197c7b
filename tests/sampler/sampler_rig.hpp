// A Sampler over one ScriptedSensor and a FakeClock, driven tick by tick: the tests push the
// readings of the next tick and advance the clock by hand (no sampler thread).
#pragma once

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "sampler/sampler.hpp"
#include "scripted_sensor.hpp"
#include "test_support.hpp"

namespace carbontracker::testing {

struct SamplerRig {
  FakeClock clock;
  ScriptedSensor* sensor = nullptr;
  std::unique_ptr<Sampler> sampler;

  explicit SamplerRig(std::vector<ChannelInfo> channels, SamplerOptions opts = {}) {
    auto s = std::make_unique<ScriptedSensor>(std::move(channels));
    sensor = s.get();
    std::vector<std::unique_ptr<Sensor>> v;
    v.push_back(std::move(s));
    sampler = std::make_unique<Sampler>(std::move(v), clock, std::move(opts));
  }
  // The first reading, taken by start(); the thread is stopped at once: ticks come from step().
  void start(std::vector<Reading> r) {
    sensor->push(std::move(r));
    ASSERT_TRUE(sampler->start().is_ok());
    sampler->stop();
  }
  // One tick `dt` after the previous one, with these readings.
  void step(std::chrono::nanoseconds dt, std::vector<Reading> r) {
    sensor->push(std::move(r));
    clock.advance(dt);
    sampler->tick();
  }
};

}  // namespace carbontracker::testing
