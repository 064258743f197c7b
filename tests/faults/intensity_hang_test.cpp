// An intensity server that hangs during a run: a real HTTP server on 127.0.0.1 (standing in for
// Energi Data Service) that answers nothing for 20 s. The fetch runs on the intensity thread, so
// the child's epochs must keep their pace, the run must end promptly when the child does, and
// the report must name the fallback (the shipped yearly table).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>

#include "faults_support.hpp"
#include "local_http_server.hpp"

namespace carbontracker::faults {
namespace {

TEST(FaultIntensity, AHangingServerSlowsNoEpochAndTheReportNamesTheFallback) {
  // Hangs 20 s, then 503; the server releases the hang when the test ends.
  testing::LocalHttpServer http;
  http.answer(R"(/dataset/.*)", 503, "");
  http.hang(std::chrono::seconds{20});
  http.start();

  Machine m;
  constexpr int kEpochs = 10;
  constexpr double kEpochSleepS = 0.05;
  const std::string script = kShellMark + fmt::format(R"(i=1
while [ $i -le {n} ]; do mark epoch_start; sleep {s}; mark epoch_end; i=$((i + 1)); done)",
                                                      fmt::arg("n", kEpochs), fmt::arg("s", kEpochSleepS));
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = testing::run_process(
      m.run_args({"--epochs", std::to_string(kEpochs), "--country", "DK", "--update-interval", "0.1"}, script),
      m.env({"CARBONTRACKER_ENERGIDATASERVICE_URL=" + http.base_url()}));
  const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(http.request_count(), 1u) << "the run must actually have hit the hanging server";
  const json s = m.summary_json();
  ASSERT_EQ(s["epochs"].size(), static_cast<std::size_t>(kEpochs));
  double max_epoch_s = 0, sum_epoch_s = 0;
  for (const auto& e : s["epochs"]) {
    max_epoch_s = std::max(max_epoch_s, e["duration_s"].get<double>());
    sum_epoch_s += e["duration_s"].get<double>();
  }
  RecordProperty("max_epoch_ms", static_cast<int>(max_epoch_s * 1000));
  RecordProperty("mean_epoch_ms", static_cast<int>(sum_epoch_s / kEpochs * 1000));
  RecordProperty("run_wall_ms", static_cast<int>(took_s * 1000));
  // The epochs are the child's sleep plus a fork of `sleep` (a few ms; more under sanitizers);
  // a fetch waited for on the epoch path would add seconds.
  EXPECT_LT(max_epoch_s, kEpochSleepS + 0.5);
  // Whole run: ~10 x 50 ms of epochs plus start-up; the 20 s hang must not be waited out.
  EXPECT_LT(took_s, 6.0);
  const std::string source = s["total"]["intensity_source"].get<std::string>();
  EXPECT_NE(source.find("Ember"), std::string::npos) << s["total"].dump(2);
  EXPECT_EQ(s["total"]["intensity_kind"], "yearly average") << s["total"].dump(2);
  EXPECT_NE(r.err.find("yearly average"), std::string::npos) << r.err;
  const ReadBack logs = read_back(m.logs);
  ASSERT_TRUE(logs.events.has_value());
  EXPECT_NE(logs.events->intensity_source.find("Ember"), std::string::npos) << logs.events->intensity_source;
}

}  // namespace
}  // namespace carbontracker::faults
