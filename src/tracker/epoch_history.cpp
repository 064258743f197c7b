#include "tracker/epoch_history.hpp"

#include <limits>

namespace carbontracker::tracker {

namespace {

void merge_into(EpochBlock& into, const EpochBlock& next) noexcept {
  into.last_index = next.last_index;
  into.wall_end = next.wall_end;
  into.totals += next.totals;
}

int clamped_int(std::size_t n) noexcept {
  return n > static_cast<std::size_t>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                         : static_cast<int>(n);
}

}  // namespace

void EpochBlocks::add(const EpochRecord& e) {
  if (!blocks_.empty() && blocks_.back().last_index - blocks_.back().first_index + 1 < width_) {
    EpochBlock& b = blocks_.back();
    b.last_index = e.index;
    b.wall_end = e.wall_end;
    b.totals += e.totals;
    return;
  }
  if (blocks_.size() >= max_) {
    // Every block is full here (a new one is only started when the last is): pairs merge.
    const std::size_t half = blocks_.size() / 2;
    for (std::size_t i = 0; i < half; ++i) {
      EpochBlock merged = blocks_[2 * i];
      merge_into(merged, blocks_[2 * i + 1]);
      blocks_[i] = merged;
    }
    blocks_.resize(half);
    width_ *= 2;
  }
  if (blocks_.capacity() == 0) blocks_.reserve(max_);
  blocks_.push_back({e.index, e.index, e.start_s, e.wall_start, e.wall_end, e.totals});
}

void RunHistory::fill(Snapshot& s) const {
  epochs.copy_to(s.epochs);
  s.epoch_blocks = blocks.blocks();
  s.epochs_completed = clamped_int(epochs.count());
  forecasts.copy_to(s.prediction_history);
  s.predictions_made = clamped_int(forecasts.count());
}

}  // namespace carbontracker::tracker
