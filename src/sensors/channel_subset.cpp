#include "sensors/channel_subset.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace carbontracker::sensors {

namespace {

class ChannelSubset final : public Sensor {
 public:
  ChannelSubset(std::unique_ptr<Sensor> inner, const std::vector<bool>& keep) : inner_(std::move(inner)) {
    const auto& all = inner_->channels();
    index_.assign(all.size(), kDropped);
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (i < keep.size() && keep[i]) {
        index_[i] = static_cast<std::uint32_t>(channels_.size());
        channels_.push_back(all[i]);
      }
    }
    scratch_.reserve(all.size() * 2);
  }

  [[nodiscard]] std::string_view name() const noexcept override { return inner_->name(); }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }

  Status read(std::vector<Reading>& out) noexcept override {
    scratch_.clear();
    Status st = inner_->read(scratch_);
    for (const Reading& r : scratch_) {
      if (r.channel >= index_.size() || index_[r.channel] == kDropped) continue;
      Reading kept = r;
      kept.channel = index_[r.channel];
      out.push_back(kept);
    }
    return st;
  }

  void slow_tick() noexcept override { inner_->slow_tick(); }
  [[nodiscard]] bool has_slow_work() const noexcept override { return inner_->has_slow_work(); }

  [[nodiscard]] std::optional<std::vector<bool>> channels_in_use() const override {
    auto inner = inner_->channels_in_use();
    if (!inner) return std::nullopt;
    std::vector<bool> mine(channels_.size(), false);
    for (std::size_t i = 0; i < inner->size() && i < index_.size(); ++i) {
      if (index_[i] != kDropped) mine[index_[i]] = (*inner)[i];
    }
    return mine;
  }

 private:
  static constexpr std::uint32_t kDropped = std::numeric_limits<std::uint32_t>::max();
  std::unique_ptr<Sensor> inner_;
  std::vector<ChannelInfo> channels_;
  std::vector<std::uint32_t> index_;  // inner channel -> kept channel, or kDropped
  std::vector<Reading> scratch_;
};

}  // namespace

std::unique_ptr<Sensor> keep_channels(std::unique_ptr<Sensor> sensor, const std::vector<bool>& keep) {
  const std::size_t n = sensor->channels().size();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) kept += (i < keep.size() && keep[i]) ? 1 : 0;
  if (kept == n) return sensor;
  if (kept == 0) return nullptr;
  return std::make_unique<ChannelSubset>(std::move(sensor), keep);
}

}  // namespace carbontracker::sensors
