// Does a Prometheus scraper move the training's epoch_end latency? A Tracker on fixture sensors
// (the intel-2socket powercap tree without its perf PMU, the fake libnvidia-ml with 8 counter
// GPUs) serving /metrics on 127.0.0.1, and epoch_start()+epoch_end() timed under four loads:
//   none      no scraper;
//   burst     1000 concurrent scrapes: 1000 sockets kept busy (connect, GET, read to the end,
//             again) by 4 client threads;
//   slow      16 scrapers that read the answer 64 bytes every 5 ms;
//   deaf      64 connections that send GET requests and never read (and 64 that never send).
// Counters: p50/p99/max of the call in µs, and the scrapes completed meanwhile (the load was
// real; slow: answers begun). Every case runs the same 3000 epochs (the prediction refit grows with the epoch count,
// so equal counts keep the cases comparable), 1 ms apart (the "training" between two calls, while
// the load goes on). Google Benchmark's Time is the calls' wall-clock mean; CPU is the training
// thread's CPU time over the loop (calls and pauses): wall far above CPU means preempted. On a 2-core VM the 1000-socket load also
// competes for the CPU: compare p50 (blocking would show there) with max (preemption).
//
// Usage: prometheus_scrape_bench [--benchmark_filter=...] [--benchmark_min_time=2]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "carbontracker/tracker.hpp"
#include "fake_nvml_control.hpp"

namespace carbontracker::bench {
namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int open_connection(int port, bool nonblocking) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

const std::string kRequest = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

// The loads. Each runs until stop; `scrapes` counts answers read to their end.
class Load {
 public:
  Load(std::string kind, int port) : kind_(std::move(kind)), port_(port) {
    if (kind_ == "burst") {
      // 1000 client sockets and as many on the server's side, in one process.
      rlimit lim{};
      if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 4096) {
        lim.rlim_cur = std::min<rlim_t>(4096, lim.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &lim);
      }
      for (int t = 0; t < 4; ++t) threads_.emplace_back([this] { burst(250); });
    } else if (kind_ == "slow") {
      for (int t = 0; t < 16; ++t) threads_.emplace_back([this] { slow(); });
    } else if (kind_ == "deaf") {
      for (int i = 0; i < 64; ++i) {
        if (int fd = open_connection(port_, false); fd >= 0) {
          for (int k = 0; k < 200; ++k) (void)::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
          held_.push_back(fd);
        }
        if (int fd = open_connection(port_, false); fd >= 0) held_.push_back(fd);  // never sends
      }
    }
  }
  ~Load() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    for (int fd : held_) ::close(fd);
  }
  [[nodiscard]] long scrapes() const { return scrapes_.load(); }

 private:
  // `n` sockets in flight on this thread: connect, send the request, read until the server
  // closes, reconnect.
  void burst(int n) {
    struct Conn {
      int fd = -1;
      bool sent = false;
    };
    std::vector<Conn> conns(static_cast<std::size_t>(n));
    std::vector<pollfd> pfds;
    char buf[65536];
    while (!stop_) {
      pfds.clear();
      for (auto& c : conns) {
        if (c.fd < 0) {
          c.fd = open_connection(port_, true);
          c.sent = false;
        }
        pfds.push_back({c.fd, static_cast<short>(c.sent ? POLLIN : POLLOUT), 0});
      }
      if (::poll(pfds.data(), pfds.size(), 50) <= 0) continue;
      for (std::size_t i = 0; i < conns.size(); ++i) {
        auto& c = conns[i];
        if (c.fd < 0 || pfds[i].revents == 0) continue;
        if (!c.sent) {
          if (::send(c.fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL) > 0) c.sent = true;
          else { ::close(c.fd); c.fd = -1; }
          continue;
        }
        const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
        if (r > 0) continue;
        if (r == 0) ++scrapes_;
        ::close(c.fd);
        c.fd = -1;
      }
    }
    for (auto& c : conns) if (c.fd >= 0) ::close(c.fd);
  }

  void slow() {
    while (!stop_) {
      const int fd = open_connection(port_, false);
      if (fd < 0) continue;
      (void)::send(fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL);
      char buf[64];
      ssize_t r = 0;
      bool answered = false;
      while (!stop_ && (r = ::recv(fd, buf, sizeof buf, 0)) > 0) {
        if (!answered) ++scrapes_;  // answered; it is read slowly from here
        answered = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      ::close(fd);
    }
  }

  std::string kind_;
  int port_;
  std::atomic<bool> stop_{false};
  std::atomic<long> scrapes_{0};
  std::vector<std::thread> threads_;
  std::vector<int> held_;
};

struct Rig {
  testing::FakeNvml nvml;
  std::filesystem::path dir;
  std::shared_ptr<SensorContext> ctx = std::make_shared<SensorContext>();
  std::ostringstream console;

  Rig() {
    dir = std::filesystem::temp_directory_path() / ("ct-prom-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::filesystem::copy(CARBONTRACKER_BENCH_SYSFS_FIXTURE, dir / "sys", std::filesystem::copy_options::recursive);
    std::filesystem::remove_all(dir / "sys" / "bus");  // no perf PMU: the host's perf_event_open varies
    nvml.load_config(read_text(CARBONTRACKER_BENCH_NVML_CONFIG));
    ctx->sysfs_root = dir / "sys";
    ctx->procfs_root = CARBONTRACKER_BENCH_PROCFS_FIXTURE;
    ctx->nvml_library = testing::FakeNvml::kFull;
    ctx->getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  }
  ~Rig() { std::filesystem::remove_all(dir); }
};

int port_of(const std::string& console) {
  std::smatch m;
  const std::regex re(R"(127\.0\.0\.1:(\d+)/metrics)");
  return std::regex_search(console, m, re) ? std::stoi(m[1]) : -1;
}

void BM_EpochEndUnderScrapes(benchmark::State& state, const std::string& load_kind) {
  Rig rig;
  Config c;
  c.epochs = 10'000'000;
  c.epochs_before_pred = 1;
  c.update_interval = 0.05;  // power points (the sink's on_power) 20 times a second
  c.intensity_g_per_kwh = 300;
  c.prometheus = "127.0.0.1:0";
  TrackerEnvironment env;
  env.sensors = rig.ctx;
  env.console = &rig.console;
  Tracker tracker(c, env);
  const int port = port_of(rig.console.str());
  if (port <= 0) {
    state.SkipWithError("no metrics URL printed");
    return;
  }
  auto load = std::make_unique<Load>(load_kind, port);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the load reaches its steady state
  const long scrapes_before = load->scrapes();
  std::vector<double> us;
  us.reserve(100000);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    tracker.epoch_start();
    benchmark::DoNotOptimize(tracker.epoch_end());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
    us.push_back(took.count() * 1e6);
    state.SetIterationTime(took.count());
    // Training between two epoch boundaries: the load keeps going meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const long scrapes = load->scrapes() - scrapes_before;
  load.reset();
  std::sort(us.begin(), us.end());
  const auto at = [&](double q) { return us.empty() ? 0.0 : us[std::min(us.size() - 1, static_cast<std::size_t>(q * static_cast<double>(us.size())))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = us.empty() ? 0.0 : us.back();
  state.counters["scrapes"] = static_cast<double>(scrapes);
}

BENCHMARK_CAPTURE(BM_EpochEndUnderScrapes, none, std::string("none"))->UseManualTime()->Iterations(3000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_EpochEndUnderScrapes, burst_1000, std::string("burst"))->UseManualTime()->Iterations(3000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_EpochEndUnderScrapes, slow_16, std::string("slow"))->UseManualTime()->Iterations(3000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_EpochEndUnderScrapes, deaf_64, std::string("deaf"))->UseManualTime()->Iterations(3000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace carbontracker::bench

BENCHMARK_MAIN();
