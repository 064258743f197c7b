// The tracker's bounded memory of a long run (include/carbontracker/results.hpp, Snapshot):
// the first and the last `keep` items of a sequence, with the items between handed to a callback
// as they leave (the epochs' go into EpochBlocks). O(1) per item; a snapshot copies at most
// 2 x keep items and kSnapshotMaxEpochBlocks blocks.
//
// Contract: value types, not thread-safe (the tracker's mutex guards them). Never throw except
// std::bad_alloc.
#pragma once

#include <cstddef>
#include <vector>

#include "carbontracker/results.hpp"

namespace carbontracker::tracker {

template <class T>
class HeadTail {
 public:
  explicit HeadTail(std::size_t keep) : keep_(keep > 0 ? keep : 1) {}

  // Appends v; when the tail is full, its oldest item is passed to evicted(const T&) and dropped.
  template <class Evicted>
  void push(T v, Evicted&& evicted) {
    ++count_;
    if (head_.size() < keep_) {
      head_.push_back(std::move(v));
    } else if (tail_.size() < keep_) {
      if (tail_.empty()) tail_.reserve(keep_);
      tail_.push_back(std::move(v));
    } else {
      evicted(static_cast<const T&>(tail_[next_]));
      tail_[next_] = std::move(v);
      next_ = (next_ + 1) % keep_;
    }
  }
  void push(T v) {
    push(std::move(v), [](const T&) {});
  }

  // Items pushed so far (kept or not).
  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  // The latest item; nullptr before the first.
  [[nodiscard]] const T* latest() const noexcept {
    if (tail_.empty()) return head_.empty() ? nullptr : &head_.back();
    return tail_.size() < keep_ ? &tail_.back() : &tail_[(next_ + keep_ - 1) % keep_];
  }
  // The kept items, oldest first, into out (replacing its content).
  void copy_to(std::vector<T>& out) const {
    out.clear();
    out.reserve(head_.size() + tail_.size());
    out.insert(out.end(), head_.begin(), head_.end());
    const auto split = tail_.begin() + static_cast<std::ptrdiff_t>(tail_.size() < keep_ ? 0 : next_);
    out.insert(out.end(), split, tail_.end());
    out.insert(out.end(), tail_.begin(), split);
  }

 private:
  std::size_t keep_;
  std::vector<T> head_, tail_;
  std::size_t next_ = 0;  // once the tail is full: its oldest item, the next to be replaced
  std::size_t count_ = 0;
};

// Consecutive epochs summed into at most `max_blocks` blocks of equal length (the last one may
// be shorter): when a new block is needed and there are max_blocks, neighbours are merged
// pairwise and the length doubles (as sampler/timeline.hpp does for power points).
class EpochBlocks {
 public:
  explicit EpochBlocks(std::size_t max_blocks = kSnapshotMaxEpochBlocks) : max_(max_blocks < 2 ? 2 : max_blocks & ~std::size_t{1}) {}
  // e must be the epoch after the last one added.
  void add(const EpochRecord& e);
  [[nodiscard]] const std::vector<EpochBlock>& blocks() const noexcept { return blocks_; }
  [[nodiscard]] int epochs_per_block() const noexcept { return width_; }

 private:
  std::size_t max_;
  int width_ = 1;
  std::vector<EpochBlock> blocks_;
};

// What a Snapshot holds of the epochs and the refits, kept as they come.
struct RunHistory {
  HeadTail<EpochRecord> epochs{static_cast<std::size_t>(kSnapshotEpochsKept)};
  EpochBlocks blocks;
  HeadTail<Forecast> forecasts{static_cast<std::size_t>(kSnapshotForecastsKept)};

  void add_epoch(EpochRecord e) {
    epochs.push(std::move(e), [this](const EpochRecord& old) { blocks.add(old); });
  }
  // Fills s.epochs, epoch_blocks, epochs_completed, prediction_history and predictions_made.
  void fill(Snapshot& s) const;
};

}  // namespace carbontracker::tracker
