// The /metrics server over real HTTP on 127.0.0.1: what it serves, its address forms, a port in
// use, many concurrent scrapes while the store changes, and scrapers that never send or never
// read, which must not hold up the others or stop().
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "exporter/metrics_server.hpp"
#include "exporter_test_util.hpp"

namespace carbontracker::exporter {
namespace {

using testing::scrape;

std::shared_ptr<const MetricsSnapshot> snapshot_with(double energy_j) {
  auto s = std::make_shared<MetricsSnapshot>();
  s->target = {{"host", "h"}};
  s->channels.push_back({"gpu", "nvml:GPU-1", "counter", energy_j, std::nullopt});
  return s;
}

// A connected TCP socket to 127.0.0.1:port (closed by the caller).
int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(ListenAddress, ParsesTheDocumentedForms) {
  auto a = parse_listen_address("0.0.0.0:9464");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 9464);
  a = parse_listen_address(":9100");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9100);
  a = parse_listen_address("0");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  a = parse_listen_address("[::1]:80");
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->host, "::1");
  for (const char* bad : {"", "host", "1.2.3.4:", "1.2.3.4:70000", ":-1", "::1:80", "[::1]80"}) {
    const auto r = parse_listen_address(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_NE(r.status().fix().find("prometheus"), std::string::npos);
  }
}

TEST(MetricsServer, ServesTheStoreOnAPickedPort) {
  auto store = std::make_shared<MetricsStore>();
  auto server = MetricsServer::start(store, {"127.0.0.1", 0});
  ASSERT_TRUE(server.is_ok()) << server.status().to_string();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ((*server)->url(), "http://127.0.0.1:" + std::to_string(port) + "/metrics");
  auto empty = scrape(port);
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "");  // nothing published yet: no sample, not a zero
  store->publish(snapshot_with(42.5));
  const auto s = scrape(port);
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_DOUBLE_EQ(testing::sum_of(s.body, "carbontracker_energy_joules_total"), 42.5);
  EXPECT_EQ(scrape(port, "/nothing").status, 404);
  (*server)->stop();
  EXPECT_EQ(scrape(port).status, 0);  // closed
}

TEST(MetricsServer, APortInUseIsAnErrorNamingTheFix) {
  auto store = std::make_shared<MetricsStore>();
  auto first = MetricsServer::start(store, {"127.0.0.1", 0});
  ASSERT_TRUE(first.is_ok());
  auto second = MetricsServer::start(store, {"127.0.0.1", (*first)->port()});
  ASSERT_FALSE(second.is_ok());
  EXPECT_NE(second.status().message().find("cannot listen on 127.0.0.1:" + std::to_string((*first)->port())),
            std::string::npos);
  EXPECT_NE(second.status().fix().find("port 0"), std::string::npos);
}

TEST(MetricsServer, ManyConcurrentScrapesWhileTheStoreChanges) {
  auto store = std::make_shared<MetricsStore>();
  store->publish(snapshot_with(0));
  auto server = MetricsServer::start(store, {"127.0.0.1", 0});
  ASSERT_TRUE(server.is_ok());
  const int port = (*server)->port();
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1; !done.load(); ++i) {
      store->publish(snapshot_with(i));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 8; ++i) {
        const auto s = scrape(port);
        if (s.status == 200 && s.body.find("carbontracker_energy_joules_total{") != std::string::npos) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  done = true;
  writer.join();
  EXPECT_EQ(ok.load(), 16 * 8);
}

TEST(MetricsServer, SilentAndNonReadingScrapersHoldUpNeitherOthersNorStop) {
  auto store = std::make_shared<MetricsStore>();
  store->publish(snapshot_with(7));
  auto server = MetricsServer::start(store, {"127.0.0.1", 0}, {2, 4, std::chrono::milliseconds(1000)});
  ASSERT_TRUE(server.is_ok());
  const int port = (*server)->port();
  // One connection that never sends a request, one that sends many and never reads.
  const int silent = connect_to(port);
  const int deaf = connect_to(port);
  ASSERT_GE(silent, 0);
  ASSERT_GE(deaf, 0);
  const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  for (int i = 0; i < 50; ++i) (void)::send(deaf, req.data(), req.size(), MSG_NOSIGNAL);
  const auto t0 = std::chrono::steady_clock::now();
  const auto s = scrape(port);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(s.status, 200);
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  const auto t1 = std::chrono::steady_clock::now();
  (*server)->stop(std::chrono::milliseconds(3000));
  EXPECT_LT(std::chrono::steady_clock::now() - t1, std::chrono::milliseconds(3500));
  ::close(silent);
  ::close(deaf);
}

}  // namespace
}  // namespace carbontracker::exporter
