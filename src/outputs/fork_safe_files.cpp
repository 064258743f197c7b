#include "outputs/fork_safe_files.hpp"

#include <pthread.h>
#include <stdio_ext.h>  // __fpurge (glibc)

#include <array>
#include <atomic>

namespace carbontracker::outputs {
namespace {

// 4 streams per tracker (3 text logs and the event log): room for 64 trackers at once.
constexpr std::size_t kSlots = 256;
std::array<std::atomic<std::FILE*>, kSlots> g_files{};

// Runs in the child, single-threaded, right after fork(): glibc has already reset the stdio
// locks there, so purging cannot block even if a parent thread was writing at fork time.
void purge_in_child() noexcept {
  for (auto& slot : g_files) {
    if (std::FILE* f = slot.load(std::memory_order_acquire)) __fpurge(f);
  }
}

}  // namespace

void register_fork_safe(std::FILE* f) noexcept {
  if (!f) return;
  static const bool handler_installed = ::pthread_atfork(nullptr, nullptr, &purge_in_child) == 0;
  (void)handler_installed;
  for (auto& slot : g_files) {
    std::FILE* empty = nullptr;
    if (slot.compare_exchange_strong(empty, f, std::memory_order_acq_rel)) return;
  }
  (void)std::setvbuf(f, nullptr, _IONBF, 0);  // table full: no buffer a child could inherit
}

void forget_fork_safe(std::FILE* f) noexcept {
  if (!f) return;
  for (auto& slot : g_files) {
    std::FILE* expected = f;
    if (slot.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel)) return;
  }
}

}  // namespace carbontracker::outputs
