#include "carbontracker/clock.hpp"

#include <condition_variable>
#include <mutex>

namespace carbontracker {
namespace {

class RealClock final : public Clock {
 public:
  MonoTime monotonic() const noexcept override {
    return std::chrono::duration_cast<MonoTime>(std::chrono::steady_clock::now().time_since_epoch());
  }
  std::chrono::system_clock::time_point wall() const noexcept override { return std::chrono::system_clock::now(); }

  bool wait_until(MonoTime deadline, std::stop_token stop) noexcept override {
    // A private mutex/cv per call: the stop_token's callback wakes us, nothing else needs to.
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    const auto tp = std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(deadline));
    cv.wait_until(lock, stop, tp, [] { return false; });
    return !stop.stop_requested();
  }
};

}  // namespace

Clock& real_clock() noexcept {
  static RealClock clock;
  return clock;
}

}  // namespace carbontracker
