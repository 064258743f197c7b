// A bounded power timeline: cumulative energy per channel at points in time.
//
// Storing cumulative energy (not power) makes downsampling lossless for energy: dropping a
// point merges two intervals and the power over the merged interval is still exact
// (delta energy / delta time). When full, every other point is dropped and from then on only
// every stride-th point is kept, so memory stays flat however long the run, and resolution
// halves each time the run doubles in length.
//
// Not thread-safe; the Sampler guards it.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace carbontracker {

class Timeline {
 public:
  Timeline(std::size_t channels, std::size_t capacity);

  // t_s: seconds since the sampler started; energy_j: cumulative per channel.
  void append(double t_s, std::span<const double> energy_j);

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t channels() const noexcept { return channels_; }
  // How many appended points one stored interval spans (1, 2, 4, ...).
  [[nodiscard]] std::size_t stride() const noexcept { return stride_; }
  [[nodiscard]] double time_s(std::size_t i) const noexcept { return data_[i * row()]; }
  [[nodiscard]] std::span<const double> energy_j(std::size_t i) const noexcept {
    return {data_.data() + i * row() + 1, channels_};
  }
  // Mean power of channel c over stored interval (i-1, i]; i >= 1.
  [[nodiscard]] double power_w(std::size_t i, std::size_t c) const noexcept;

 private:
  [[nodiscard]] std::size_t row() const noexcept { return channels_ + 1; }
  void halve() noexcept;

  std::size_t channels_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  std::size_t stride_ = 1;
  std::size_t skipped_ = 0;  // appended points not stored since the last stored one
  std::vector<double> data_;
};

}  // namespace carbontracker
