// IntensityChanged reaches the sinks when a live value replaces the one in force at the start:
// a real HTTP server on 127.0.0.1 stands in for Electricity Maps (tracker_api_keys_test.cpp's
// set-up), a recording sink is added through tracker/extra_sinks.hpp.
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "carbontracker/tracker.hpp"
#include "local_http_server.hpp"
#include "outputs/sink.hpp"
#include "tracker/extra_sinks.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::LocalHttpServer;
using testing::TrackerRig;
using namespace std::chrono_literals;

class IntensityRecorder : public outputs::Sink {
 public:
  std::string name() const override { return "intensity recorder"; }
  void on_event(const outputs::RunEvent& event) override {
    std::string w;
    if (const auto* s = std::get_if<outputs::RunStarted>(&event)) {
      w = fmt::format("S:{:.0f}", s->record.intensity.g_per_kwh);
    } else if (const auto* i = std::get_if<outputs::IntensityChanged>(&event)) {
      w = fmt::format("I:{:.0f}:{}", i->intensity.g_per_kwh, i->intensity.source);
    } else if (const auto* e = std::get_if<outputs::EpochEnded>(&event)) {
      w = fmt::format("E{}", e->epoch->index);
    } else if (std::holds_alternative<outputs::RunFinished>(event)) {
      w = "F";
    }
    if (w.empty()) return;
    std::lock_guard lock(mutex_);
    words_ += (words_.empty() ? "" : " ") + w;
  }
  std::string words() const {
    std::lock_guard lock(mutex_);
    return words_;
  }

 private:
  mutable std::mutex mutex_;
  std::string words_;
};

TEST(SinkEvents, ALiveIntensityThatReplacesTheStartValueIsAnIntensityChangedEvent) {
  // Declared before the server: its handler's state outlives the server's threads.
  LocalHttpServer http;
  http.server().Get("/carbon-intensity/latest", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"zone":"DE","carbonIntensity":321,"datetime":"2023-11-14T22:00:00.000Z",)"
                    R"("updatedAt":"2023-11-14T22:10:00.000Z","isEstimated":false})",
                    "application/json");
  });
  http.start();
  auto rec = std::make_shared<IntensityRecorder>();
  tracker::ExtraSinksForTesting hook({rec});
  TrackerRig rig;
  const std::string url = http.base_url();
  rig.ctx->getenv = [url](const std::string& name) -> std::optional<std::string> {
    if (name == "CARBONTRACKER_ELECTRICITYMAPS_URL") return url;
    return std::nullopt;
  };
  Config c;
  c.epochs = 2;
  c.update_interval = 3600;
  c.verbose = 0;
  c.zone = "DE";
  c.intensity_refresh_s = 3600;
  c.api_keys = {{"electricitymaps", "KEY"}};
  Tracker t(c, rig.env());
  // The first fetch round is over (its value published) when the sampler and the intensity
  // thread both wait on the clock.
  ASSERT_TRUE(rig.clock.wait_for_waiters(2));
  for (int e = 0; e < 2; ++e) {
    t.epoch_start();
    rig.spend(10, 1, 100, 1);
    t.epoch_end();
  }
  ASSERT_TRUE(t.finished());
  const std::string words = rec->words();
  // Started with the offline value (not 321); the live value is told once, at the first epoch
  // end after it arrived; an unchanged value is not told again.
  EXPECT_EQ(words.rfind("S:", 0), 0u) << words;
  EXPECT_EQ(words.find("S:321"), std::string::npos) << words;
  const auto changed = words.find(" E1 I:321:");
  ASSERT_NE(changed, std::string::npos) << words;
  const auto told = words.find(" I:");
  EXPECT_EQ(words.find(" I:", told + 1), std::string::npos) << words;
  EXPECT_NE(words.find(" E2 F"), std::string::npos) << words;
}

}  // namespace
}  // namespace carbontracker
