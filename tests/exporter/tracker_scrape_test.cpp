// A Tracker on fixture sensors with `prometheus` set, scraped over real HTTP on 127.0.0.1: the
// URL is printed once, the labels come from the job identity, the scraped energy per component
// equals the tracker's snapshot, and a port that cannot be bound is a ConfigError.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "../tracker/tracker_test_support.hpp"
#include "carbontracker/tracker.hpp"
#include "exporter_test_util.hpp"

namespace carbontracker {
namespace {

using testing::sum_of;
using testing::TrackerRig;

Config prometheus_config(int epochs) {
  Config c;
  c.epochs = epochs;
  c.update_interval = 3600;  // power points only when the test moves the clock past them
  c.prometheus = "127.0.0.1:0";
  return c;
}

int port_in(const std::string& console) {
  std::smatch m;
  const std::regex re(R"(carbontracker: Prometheus metrics at http://127\.0\.0\.1:(\d+)/metrics)");
  if (!std::regex_search(console, m, re)) return -1;
  return std::stoi(m[1]);
}

TEST(TrackerPrometheus, ScrapedEnergyEqualsTheSnapshot) {
  TrackerRig rig;
  // The job's claims in this test's own run directory: tests running at the same time with the
  // same job id and host would otherwise take each other's devices.
  rig.ctx->getenv = testing::fixed_env({{"CARBONTRACKER_NODE", "nodeA"},
                                        {"CARBONTRACKER_JOB_ID", "job-1"},
                                        {"CARBONTRACKER_RUN_DIR", (rig.dir / "run").string()}});
  Tracker t(prometheus_config(2), rig.env());
  const std::string console = rig.console.str();
  const int port = port_in(console);
  ASSERT_GT(port, 0) << console;
  EXPECT_EQ(testing::count_of(console, "Prometheus metrics at"), 1u);

  auto first = testing::scrape(port);
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("host=\"nodeA\",job_id=\"job-1\""), std::string::npos) << first.body;
  EXPECT_EQ(sum_of(first.body, "carbontracker_energy_joules_total"), 0.0);
  EXPECT_EQ(testing::count_of(first.body, "carbontracker_energy_joules_total{"), 6u);  // 2 pkg, 2 dram, 2 GPUs

  for (int e = 0; e < 2; ++e) {
    t.epoch_start();
    rig.spend(10.0, 2.0, 100.0, 5.0);
    t.epoch_end();
  }
  t.stop();
  const Snapshot snap = t.snapshot();
  const auto after = testing::scrape(port);  // served until the tracker is destroyed
  ASSERT_EQ(after.status, 200);
  const auto& e = snap.whole_run.device_energy_j;
  EXPECT_NEAR(sum_of(after.body, "carbontracker_energy_joules_total", "component=\"cpu\""), e.cpu_j, 1e-9);
  EXPECT_NEAR(sum_of(after.body, "carbontracker_energy_joules_total", "component=\"dram\""), e.dram_j, 1e-9);
  EXPECT_NEAR(sum_of(after.body, "carbontracker_energy_joules_total", "component=\"gpu\""), e.gpu_j, 1e-9);
  EXPECT_DOUBLE_EQ(e.gpu_j, 400.0);
  EXPECT_NEAR(sum_of(after.body, "carbontracker_co2eq_grams_total"), snap.whole_run.co2eq_g, 1e-12);
  EXPECT_EQ(sum_of(after.body, "carbontracker_epochs_total"), 2.0);
  ASSERT_TRUE(snap.prediction);
  EXPECT_DOUBLE_EQ(sum_of(after.body, "carbontracker_predicted_energy_joules", "bound=\"point\""),
                   snap.prediction->energy_j);
  EXPECT_NE(after.body.find("carbontracker_intensity_grams_per_kwh{host=\"nodeA\",job_id=\"job-1\",rank=\"\",basis=\"assumed\"}"),
            std::string::npos)
      << after.body;
}

// Counters alone: the sampler thread sleeps between epoch ends (docs/sensors.md "When the sensors
// are read"), so a scrape reads the sensors itself; mid-epoch it shows the energy spent so far.
TEST(TrackerPrometheus, AScrapeReadsTheSensorsWhenItAsks) {
  TrackerRig rig;
  rig.ctx->getenv = testing::fixed_env({{"CARBONTRACKER_NODE", "nodeB"},
                                        {"CARBONTRACKER_JOB_ID", "job-2"},
                                        {"CARBONTRACKER_RUN_DIR", (rig.dir / "run").string()}});
  Tracker t(prometheus_config(1), rig.env());
  const int port = port_in(rig.console.str());
  ASSERT_GT(port, 0) << rig.console.str();
  t.epoch_start();
  rig.spend(10.0, 2.0, 100.0, 5.0);  // 5 s: no read is due on the sampler thread
  const auto mid = testing::scrape(port);
  ASSERT_EQ(mid.status, 200);
  EXPECT_NEAR(sum_of(mid.body, "carbontracker_energy_joules_total", "component=\"gpu\""), 200.0, 1e-9) << mid.body;
  EXPECT_NEAR(sum_of(mid.body, "carbontracker_energy_joules_total", "component=\"cpu\""), 20.0, 1e-9) << mid.body;
  // 100 J per GPU over 5 s.
  EXPECT_NEAR(sum_of(mid.body, "carbontracker_power_watts", "component=\"gpu\""), 40.0, 1e-9) << mid.body;
  t.epoch_end();
  EXPECT_DOUBLE_EQ(t.snapshot().whole_run.device_energy_j.gpu_j, 200.0);
}

TEST(TrackerPrometheus, APortInUseIsAConfigErrorAtConstruction) {
  // A plain listening socket (no SO_REUSEPORT) holds the port.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  TrackerRig rig;
  Config c = prometheus_config(1);
  c.prometheus = "127.0.0.1:" + std::to_string(port);
  try {
    Tracker t(c, rig.env());
    ADD_FAILURE() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), "prometheus");
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << e.what();
  }
  ::close(fd);
  c.prometheus = "not an address";
  EXPECT_THROW(Tracker(c, rig.env()), ConfigError);
}

}  // namespace
}  // namespace carbontracker
