// The plugin libcarbontracker_httpd.so: the /metrics server on cpp-httplib behind the boundary
// of metrics_server_plugin.hpp. Built as a CMake MODULE (src/exporter/CMakeLists.txt); nothing
// links it, MetricsServer::start() loads it.
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <httplib.h>

#include "carbontracker/version.hpp"
#include "exporter/metrics_server_plugin.hpp"

namespace carbontracker::exporter {

namespace {

// httplib's task queue, bounded (see metrics_server.hpp): `threads` workers and at most
// `max_queued` waiting connections; past that the accepting thread serves the connection itself.
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

namespace httpd {
namespace {

Started start_server(const StartRequest& request) noexcept {
  Started out;
  try {
    auto running = std::make_shared<MetricsServer::Running>();
    auto& svr = running->server;
    // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second exporter bind the same
    // port and take half the scrapes. Close-on-exec: the command `run` starts (and whatever a
    // training script execs) must not inherit the listening socket and hold the port.
    svr.set_socket_options([](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      ::fcntl(sock, F_SETFD, ::fcntl(sock, F_GETFD) | FD_CLOEXEC);
    });
    const int threads = std::max(1, request.options.threads);
    const std::size_t max_queued = std::max<std::size_t>(1, request.options.max_queued);
    svr.new_task_queue = [threads, max_queued] { return new BoundedPool(threads, max_queued); };
    const auto io = request.options.io_timeout;
    svr.set_read_timeout(io);
    svr.set_write_timeout(io);
    svr.set_keep_alive_max_count(1);
    svr.set_keep_alive_timeout(1);
    svr.Get("/metrics", [body = request.metrics_body, type = request.content_type](const httplib::Request&,
                                                                                   httplib::Response& res) {
      res.set_content(body(), type);
    });
    svr.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("carbontracker exporter: metrics at /metrics\n", "text/plain; charset=utf-8");
    });

    int port = request.where.port;
    bool bound = false;
    if (port == 0) {
      port = svr.bind_to_any_port(request.where.host);
      bound = port > 0;
    } else {
      bound = svr.bind_to_port(request.where.host, port);
    }
    if (!bound) {
      out.failure = Failure::bind;
      return out;
    }
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
      running->server.stop();  // closes the bound socket
      out.failure = Failure::thread;
      out.detail = e.what();
      return out;
    }
    out.port = port;
    out.running = std::move(running);
  } catch (...) {  // std::bad_alloc setting the server up
    out.running.reset();
    out.failure = Failure::thread;
    out.detail = "out of memory";
  }
  return out;
}

void stop_server(std::shared_ptr<MetricsServer::Running> running, std::chrono::milliseconds timeout) noexcept {
  if (!running) return;
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

constexpr Plugin kPlugin{kPluginAbi, kVersion, &start_server, &stop_server};

}  // namespace
}  // namespace httpd
}  // namespace carbontracker::exporter

extern "C" __attribute__((visibility("default"))) const carbontracker::exporter::httpd::Plugin*
carbontracker_httpd_plugin() noexcept {
  return &carbontracker::exporter::httpd::kPlugin;
}
