// read() runs on the sampler's hot path and at epoch boundaries on the caller's thread: once the
// output vector has capacity it must not touch the heap. Counted by replacing operator new for
// this test binary (it forwards to malloc, so the sanitizers still see every block).
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "rapl_test_support.hpp"
#include "sensors/backends.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

// noinline: inlined into a new-expression's call site, free() would look mismatched to GCC 12's
// -Wmismatched-new-delete although both sides are these replacements.
[[gnu::noinline]] void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace carbontracker::sensors {
namespace {

using testing::context_for;
using testing::copy_fixture;
using testing::FakePerf;
using testing::TempDir;

long allocations_during_read(Sensor& s, std::vector<Reading>& out) {
  g_allocations = 0;
  g_counting = true;
  const Status st = s.read(out);
  g_counting = false;
  EXPECT_TRUE(st.is_ok());
  return g_allocations.load();
}

TEST(RaplReadAllocation, CounterSeesAllocations) {
  g_allocations = 0;
  g_counting = true;
  auto* p = new std::vector<int>(3);
  g_counting = false;
  delete p;
  EXPECT_EQ(g_allocations.load(), 2);  // the vector and its buffer
}

TEST(RaplReadAllocation, PowercapReadDoesNotAllocate) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  Coverage coverage;
  ProbeOutput out;
  probe_powercap(context_for(root), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  std::vector<Reading> readings;
  readings.reserve(out.sensors[0]->channels().size());
  EXPECT_EQ(allocations_during_read(*out.sensors[0], readings), 0);
  EXPECT_EQ(readings.size(), 4u);
}

TEST(RaplReadAllocation, PerfReadDoesNotAllocate) {
  TempDir dir;
  const auto root = copy_fixture(dir, "intel-2socket");
  FakePerf perf;
  Coverage coverage;
  ProbeOutput out;
  probe_perf_power(context_for(root), borrow(perf), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  std::vector<Reading> readings;
  readings.reserve(out.sensors[0]->channels().size());
  EXPECT_EQ(allocations_during_read(*out.sensors[0], readings), 0);
  EXPECT_EQ(readings.size(), 4u);
}

TEST(RaplReadAllocation, RealPerfReadDoesNotAllocate) {
  auto api = real_perf_event_api();
  auto fd = api->open(1 /* PERF_TYPE_SOFTWARE */, 0 /* PERF_COUNT_SW_CPU_CLOCK */, 0);
  if (!fd) GTEST_SKIP() << "system-wide perf events not permitted here: " << fd.status().to_string();
  g_allocations = 0;
  g_counting = true;
  auto ok = api->read(*fd);
  auto bad = api->read(-1);  // the error path too: its message fits the small-string buffer
  g_counting = false;
  EXPECT_TRUE(ok);
  EXPECT_FALSE(bad);
  EXPECT_EQ(g_allocations.load(), 0);
  api->close(*fd);
}

}  // namespace
}  // namespace carbontracker::sensors
