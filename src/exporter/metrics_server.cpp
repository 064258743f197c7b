#include "exporter/metrics_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>

#include "core/text.hpp"

namespace carbontracker::exporter {

Result<ListenAddress> parse_listen_address(std::string_view text, std::string_view key) {
  const std::string given(text);
  const auto bad = [&](const std::string& why) -> Status {
    return {StatusCode::invalid_argument, fmt::format("\"{}\" {}", given, why),
            fmt::format("give {} as ADDR:PORT, :PORT or PORT (e.g. 127.0.0.1:9464; port 0 picks a free one)", key)};
  };
  ListenAddress out;
  std::string_view host;
  std::string_view port = text::trim(text);
  if (!port.empty() && port.front() == '[') {
    const auto close = port.find(']');
    if (close == std::string_view::npos || close + 1 >= port.size() || port[close + 1] != ':') {
      return bad("is not [IPv6]:PORT");
    }
    host = port.substr(1, close - 1);
    port = port.substr(close + 2);
  } else if (const auto colon = port.rfind(':'); colon != std::string_view::npos) {
    host = port.substr(0, colon);
    port = port.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("has an IPv6 address without brackets");
  }
  const auto n = text::to_number<int>(port);
  if (!n || *n < 0 || *n > 65535) return bad("has no port number 0..65535");
  out.port = *n;
  if (!host.empty()) out.host = std::string(host);
  return out;
}

namespace {

// httplib's task queue, bounded (see the header): `threads` workers and at most `max_queued`
// waiting connections; past that the accepting thread serves the connection itself.
class BoundedPool final : public httplib::TaskQueue {
 public:
  BoundedPool(int threads, std::size_t max_queued) : max_queued_(max_queued) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (!shut_ && jobs_.size() < max_queued_) {
        jobs_.push_back(std::move(fn));
        ready_.notify_one();
        return;
      }
    }
    run(fn);
  }
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shut_ = true;
    }
    ready_.notify_all();
    for (auto& t : workers_) t.join();
  }

 private:
  static void run(const std::function<void()>& fn) noexcept {
    try {
      fn();
    } catch (...) {  // out of memory while serving: that connection is lost, the server goes on
    }
  }
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return shut_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      run(fn);
    }
  }

  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool shut_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

struct MetricsServer::Running {
  httplib::Server server;
  std::thread thread;
  std::promise<void> done;
  std::shared_future<void> finished;
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(std::shared_ptr<const MetricsStore> store,
                                                            ListenAddress where, ServerOptions options) {
  auto running = std::make_shared<Running>();
  auto& svr = running->server;
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second exporter bind the same
  // port and take half the scrapes. Close-on-exec: the command `run` starts (and whatever a
  // training script execs) must not inherit the listening socket and hold the port.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    ::fcntl(sock, F_SETFD, ::fcntl(sock, F_GETFD) | FD_CLOEXEC);
  });
  const int threads = std::max(1, options.threads);
  const std::size_t max_queued = std::max<std::size_t>(1, options.max_queued);
  svr.new_task_queue = [threads, max_queued] { return new BoundedPool(threads, max_queued); };
  const auto io = options.io_timeout;
  svr.set_read_timeout(io);
  svr.set_write_timeout(io);
  svr.set_keep_alive_max_count(1);
  svr.set_keep_alive_timeout(1);
  svr.Get("/metrics", [store](const httplib::Request&, httplib::Response& res) {
    store->refresh();  // fresh readings, when the owner reads on demand (metrics_store.hpp)
    const auto snap = store->load();
    res.set_content(snap ? render_metrics_text(*snap) : std::string(), std::string(kMetricsContentType));
  });
  svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("carbontracker exporter: metrics at /metrics\n", "text/plain; charset=utf-8");
  });

  int port = where.port;
  bool bound = false;
  if (port == 0) {
    port = svr.bind_to_any_port(where.host);
    bound = port > 0;
  } else {
    bound = svr.bind_to_port(where.host, port);
  }
  if (!bound) {
    return Status(StatusCode::invalid_argument,
                  fmt::format("cannot listen on {}:{} (the port is in use, or the address is not one "
                              "of this machine's)",
                              where.host, where.port),
                  "give prometheus a free port, or port 0 to pick one (e.g. --prometheus 127.0.0.1:0)");
  }
  std::unique_ptr<MetricsServer> out(new MetricsServer());
  out->host_ = where.host;
  out->port_ = port;
  running->finished = running->done.get_future().share();
  try {
    // The thread owns the server too, so a stop() that times out can leave it to finish.
    running->thread = std::thread([running] {
      try {
        running->server.listen_after_bind();
      } catch (...) {
      }
      running->done.set_value();
    });
  } catch (const std::system_error& e) {
    return Status(StatusCode::unavailable, fmt::format("cannot start the metrics server thread ({})", e.what()));
  }
  out->running_ = std::move(running);
  return out;
}

std::string MetricsServer::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}/metrics", v6 ? "[" : "", host_, v6 ? "]" : "", port_);
}

void MetricsServer::stop(std::chrono::milliseconds timeout) noexcept {
  if (!running_) return;
  auto running = std::move(running_);
  try {
    running->server.stop();
    // listen_after_bind() may not have started listening yet: stop() then finds no socket to
    // close, so keep asking until the thread ends or the time is up.
    const auto& done = running->finished;
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (done.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
      if (std::chrono::steady_clock::now() >= until) {
        running->thread.detach();
        return;
      }
      running->server.stop();
    }
    running->thread.join();
  } catch (...) {
    if (running->thread.joinable()) running->thread.detach();
  }
}

MetricsServer::~MetricsServer() { stop(); }

}  // namespace carbontracker::exporter
