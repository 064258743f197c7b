// sensors/channel_subset: a rank keeps some of a sensor's channels; readings are renumbered.
#include "sensors/channel_subset.hpp"

#include <gtest/gtest.h>

namespace carbontracker::sensors {
namespace {

// Three counter channels whose readings are their index x 10, and which say channel 1 is in use.
class ThreeChannels final : public Sensor {
 public:
  ThreeChannels() {
    for (int i = 0; i < 3; ++i) {
      ChannelInfo c;
      c.id = "fake:" + std::to_string(i);
      c.component = Component::gpu;
      channels_.push_back(c);
    }
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "three"; }
  [[nodiscard]] const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }
  Status read(std::vector<Reading>& out) noexcept override {
    for (std::uint32_t i = 0; i < 3; ++i) out.push_back({i, ReadingState::ok, std::uint64_t{i} * 10, 0.0});
    return {};
  }
  [[nodiscard]] std::optional<std::vector<bool>> channels_in_use() const override {
    return std::vector<bool>{false, true, false};
  }

 private:
  std::vector<ChannelInfo> channels_;
};

TEST(ChannelSubset, KeepsTheChosenChannelsAndRenumbersTheirReadings) {
  auto s = keep_channels(std::make_unique<ThreeChannels>(), {false, true, true});
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->channels().size(), 2u);
  EXPECT_EQ(s->channels()[0].id, "fake:1");
  std::vector<Reading> out = {{7, ReadingState::ok, 1, 0.0}};  // appended to, not replaced
  ASSERT_TRUE(s->read(out).is_ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].channel, 0u);
  EXPECT_EQ(out[1].counter, 10u);
  EXPECT_EQ(out[2].channel, 1u);
  EXPECT_EQ(out[2].counter, 20u);
  EXPECT_EQ(s->channels_in_use(), std::optional<std::vector<bool>>(std::vector<bool>{true, false}));
}

TEST(ChannelSubset, AllKeptIsTheSensorItselfAndNoneKeptIsNothing) {
  auto inner = std::make_unique<ThreeChannels>();
  Sensor* raw = inner.get();
  EXPECT_EQ(keep_channels(std::move(inner), {true, true, true}).get(), raw);
  EXPECT_EQ(keep_channels(std::make_unique<ThreeChannels>(), {false, false, false}), nullptr);
}

}  // namespace
}  // namespace carbontracker::sensors
