// The fixed CPU workload of the overhead benchmark, run bare, with the raw counter reads alone
// (the floor), or under the C++ tracker facade. One process per run; the driver (overhead.cpp)
// starts it and reads what it writes.
//
//   overhead_workload MODE ITERATIONS EPOCHS INTERVAL_S RESULT_JSON [LOG_DIR]
//     MODE  bare   the work only
//           floor  the work, plus a thread that reads every counted sensor once per INTERVAL_S
//                  (absolute deadlines) and does nothing else: the least any tracker that
//                  samples at that rate can cost
//           api    the work inside carbontracker::Tracker (epochs=EPOCHS, update_interval=
//                  INTERVAL_S, log_dir=LOG_DIR when given), epoch_start/epoch_end around each epoch
//           child  bare, run as the command of `carbontracker run`: also measures its parent's
//                  (carbontracker's) process CPU clock over the quiet stretches (below)
//   overhead_workload --calibrate SECONDS   prints iterations per second
//
// The work is a dependent integer hash chain (one core, no memory traffic, no system calls),
// split into equal epochs, printing "Epoch k/N" after each (so `carbontracker run
// --epoch-pattern` can follow it). Sensors come from the CARBONTRACKER_* environment, as for
// any user of the library.
//
// RESULT_JSON gets: the work's wall time, the main thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
// the CPU time inside the tracker calls on the main thread (construction, epoch_start/end,
// stop), the CPU time of every other thread (process CPU minus the main thread's: the sampler,
// or the floor's reader, exactly, including threads that have exited), and the number of
// counter channels. Peak RSS comes from wait4() in the driver.
//
// Steady CPU is measured over quiet stretches: in each epoch, from a tenth into it (the tracker
// has handled the previous boundary by then) to its end, before the epoch's line is printed. The
// CPU the tracker's own threads spent there (other threads for bare/floor/api; for child, the
// parent process's whole CPU clock, clock_getcpuclockid(getppid())) over the stretches' wall
// time is what a tracker costs while training runs with nothing to record: `quiet_cpu_s`,
// `quiet_wall_s`. Epoch boundaries are the calls' cost (api) or the run loop's (child).
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sensors/sensor_interface.hpp"
#include "carbontracker/tracker.hpp"
#include "sensors/registry.hpp"
#include "../spin.hpp"

namespace {

using Steady = std::chrono::steady_clock;

using carbontracker::bench::spin;

double clock_s(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double thread_cpu_s() { return clock_s(CLOCK_THREAD_CPUTIME_ID); }
double process_cpu_s() { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

// CPU time the main thread spends inside tracker calls.
class CallTimer {
 public:
  template <class F>
  auto operator()(F&& f) {
    const double t0 = thread_cpu_s();
    struct Add {
      CallTimer* self;
      double t0;
      ~Add() { self->total_s += thread_cpu_s() - t0; }
    } add{this, t0};
    return f();
  }
  double total_s = 0;
};

// The floor: every counted sensor read once per interval on a thread that sleeps to absolute
// deadlines, the same wake-up pattern as the sampler, with no bookkeeping at all.
class FloorReader {
 public:
  explicit FloorReader(double interval_s) {
    const auto ctx = carbontracker::SensorContext::from_environment();
    inventory_ = carbontracker::sensors::probe_all(ctx);
    for (const auto& s : inventory_.sensors) channels_ += s->channels().size();
    thread_ = std::thread([this, interval_s] { loop(interval_s); });
  }
  ~FloorReader() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  [[nodiscard]] std::size_t channels() const { return channels_; }

 private:
  void loop(double interval_s) {
    std::vector<carbontracker::Reading> out;
    out.reserve(64);
    const auto step = std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(interval_s));
    auto next = Steady::now() + step;
    std::unique_lock lock(mutex_);
    while (!cv_.wait_until(lock, next, [this] { return stop_; })) {
      for (auto& s : inventory_.sensors) {
        out.clear();
        (void)s->read(out);
      }
      next += step;
    }
  }

  carbontracker::sensors::Inventory inventory_;
  std::size_t channels_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// The quiet stretches of run_epochs: `tracker_cpu` is the clock of what is measured.
// `span_*`: from the start of the work to just before the last epoch line, so it holds the
// tracker's handling of the first EPOCHS-1 boundaries as well (for `run`, the run loop's).
struct Quiet {
  std::function<double()> tracker_cpu;
  double cpu_s = 0, wall_s = 0;
  double span_cpu_s = 0, span_wall_s = 0;
};

std::uint64_t run_epochs(std::uint64_t iterations, int epochs, const std::function<void()>& before,
                         const std::function<void()>& after, Quiet& quiet) {
  std::uint64_t x = 1;
  const std::uint64_t per_epoch = iterations / static_cast<std::uint64_t>(epochs);
  const std::uint64_t settle = per_epoch / 10;
  const double span_cpu0 = quiet.tracker_cpu();
  const auto span_t0 = Steady::now();
  for (int e = 1; e <= epochs; ++e) {
    before();
    x = spin(x, settle);
    const double cpu0 = quiet.tracker_cpu();
    const auto t0 = Steady::now();
    x = spin(x, per_epoch - settle);
    quiet.cpu_s += quiet.tracker_cpu() - cpu0;
    quiet.wall_s += std::chrono::duration<double>(Steady::now() - t0).count();
    if (e == epochs) {
      quiet.span_cpu_s = quiet.tracker_cpu() - span_cpu0;
      quiet.span_wall_s = std::chrono::duration<double>(Steady::now() - span_t0).count();
    }
    after();
    std::printf("Epoch %d/%d %016llx\n", e, epochs, static_cast<unsigned long long>(x));
    std::fflush(stdout);
  }
  return x;
}

int calibrate(double seconds) {
  std::uint64_t n = 1'000'000, done = 0, x = 1;
  const auto t0 = Steady::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    x = spin(x, n);
    done += n;
    elapsed = std::chrono::duration<double>(Steady::now() - t0).count();
  }
  std::printf("%.0f\n", static_cast<double>(done) / elapsed);
  std::fprintf(stderr, "checksum %016llx\n", static_cast<unsigned long long>(x));  // keeps the chain alive
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc == 3 && std::string(argv[1]) == "--calibrate") return calibrate(std::stod(argv[2]));
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s bare|floor|api|child ITERATIONS EPOCHS INTERVAL_S RESULT_JSON [LOG_DIR]\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  const auto iterations = std::stoull(argv[2]);
  const int epochs = std::stoi(argv[3]);
  const double interval_s = std::stod(argv[4]);
  const std::string result_path = argv[5];

  nlohmann::json result{{"mode", mode}, {"interval_s", interval_s}, {"epochs", epochs}};
  CallTimer calls;
  const double process0 = process_cpu_s(), main0 = thread_cpu_s();
  const auto t0 = Steady::now();
  std::uint64_t checksum = 0;
  // The main thread's clock read on both sides of the process clock: a single read before or
  // after would bias the difference by the main thread's CPU between the two reads (~0.2 µs each).
  Quiet quiet{[] {
    const double main_before = thread_cpu_s();
    const double process = process_cpu_s();
    return process - 0.5 * (main_before + thread_cpu_s());
  }};
  if (mode == "bare") {
    checksum = run_epochs(iterations, epochs, [] {}, [] {}, quiet);
  } else if (mode == "child") {
    clockid_t parent_clock{};
    if (const int err = ::clock_getcpuclockid(::getppid(), &parent_clock); err != 0) {
      throw std::runtime_error(fmt::format("no CPU clock for the parent process: error {}", err));
    }
    quiet.tracker_cpu = [parent_clock] { return clock_s(parent_clock); };
    checksum = run_epochs(iterations, epochs, [] {}, [] {}, quiet);
  } else if (mode == "floor") {
    FloorReader floor(interval_s);
    result["channels"] = floor.channels();
    checksum = run_epochs(iterations, epochs, [] {}, [] {}, quiet);
  } else if (mode == "api") {
    carbontracker::Config cfg;
    cfg.epochs = epochs;
    cfg.update_interval = interval_s;
    if (argc > 6) cfg.log_dir = argv[6];
    std::unique_ptr<carbontracker::Tracker> tracker;
    const double ctor0 = thread_cpu_s();
    calls([&] { tracker = std::make_unique<carbontracker::Tracker>(cfg); });
    result["construct_cpu_s"] = thread_cpu_s() - ctor0;
    checksum = run_epochs(
        iterations, epochs, [&] { calls([&] { tracker->epoch_start(); }); },
        [&] { calls([&] { (void)tracker->epoch_end(); }); }, quiet);
    calls([&] { tracker->stop(); });
    const auto snap = tracker->snapshot();
    std::size_t counters = 0;
    for (const auto& c : snap.channels) counters += c.method == carbontracker::Method::counter ? 1 : 0;
    result["channels"] = counters;
    tracker.reset();
  } else {
    throw std::invalid_argument("MODE must be bare, floor, api or child, not '" + mode + "'");
  }
  const double wall_s = std::chrono::duration<double>(Steady::now() - t0).count();
  const double main_cpu_s = thread_cpu_s() - main0;
  const double other_threads_cpu_s = (process_cpu_s() - process0) - main_cpu_s;
  result["wall_s"] = wall_s;
  result["main_cpu_s"] = main_cpu_s;
  result["calls_cpu_s"] = calls.total_s;
  result["work_cpu_s"] = main_cpu_s - calls.total_s;
  result["other_threads_cpu_s"] = other_threads_cpu_s;
  result["quiet_cpu_s"] = quiet.cpu_s;
  result["quiet_wall_s"] = quiet.wall_s;
  result["span_cpu_s"] = quiet.span_cpu_s;
  result["span_wall_s"] = quiet.span_wall_s;
  result["checksum"] = fmt::format("{:016x}", checksum);
  std::ofstream(result_path) << result.dump() << '\n';
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "overhead_workload: %s\n", e.what());
  return 1;
}
