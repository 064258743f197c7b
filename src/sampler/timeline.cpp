#include "sampler/timeline.hpp"

#include <algorithm>
#include <cassert>

namespace carbontracker {

Timeline::Timeline(std::size_t channels, std::size_t capacity)
    : channels_(channels), capacity_(std::max<std::size_t>(capacity, 4) & ~std::size_t{1}) {  // even: see halve()
  // Reserved, not filled: zeros written here would make the whole capacity resident (up to 0.4 MB
  // with a dozen channels) in every process, however short its run. Rows are added as they come,
  // within the reservation (no reallocation, no allocation on append).
  data_.reserve(capacity_ * row());
}

void Timeline::append(double t_s, std::span<const double> energy_j) {
  assert(energy_j.size() == channels_);
  if (size_ > 0 && ++skipped_ < stride_) return;
  skipped_ = 0;
  if (size_ == capacity_) halve();
  if (data_.size() < (size_ + 1) * row()) data_.resize((size_ + 1) * row());
  double* dst = data_.data() + size_ * row();
  dst[0] = t_s;
  std::copy(energy_j.begin(), energy_j.end(), dst + 1);
  ++size_;
}

void Timeline::halve() noexcept {
  // Keep points 0, 2, 4, ...: uniform spacing at twice the stride.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < size_; i += 2, ++kept) {
    if (kept != i) std::copy_n(data_.data() + i * row(), row(), data_.data() + kept * row());
  }
  size_ = kept;
  stride_ *= 2;
}

double Timeline::power_w(std::size_t i, std::size_t c) const noexcept {
  const double dt = time_s(i) - time_s(i - 1);
  if (dt <= 0) return 0.0;
  return (energy_j(i)[c] - energy_j(i - 1)[c]) / dt;
}

}  // namespace carbontracker
