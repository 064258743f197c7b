// Sensor::read must not allocate once the output vector has capacity. This binary replaces the
// global operator new with a counting one (it only counts on the thread that asks it to).
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "sensors/backends.hpp"
#include "test_support.hpp"

namespace {
thread_local bool g_counting = false;
thread_local long g_allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// GCC cannot see that these replace the operator new above, which allocates with malloc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace carbontracker::sensors {
namespace {

using carbontracker::testing::copy_tree;
using carbontracker::testing::fixtures_dir;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;

long allocations_during_reads(Sensor& s, int reads) {
  std::vector<Reading> out;
  out.reserve(4);
  long count = 0;
  for (int i = 0; i < reads; ++i) {
    out.clear();
    g_allocations = 0;
    g_counting = true;
    (void)s.read(out);
    g_counting = false;
    count += g_allocations;
  }
  return count;
}

TEST(ReadAllocation, EstimatesAndSimulatedReadsDoNotAllocate) {
  TempDir dir;
  copy_tree(fixtures_dir() / "procfs" / "xeon-gold-6248-2s", dir / "proc");
  SensorContext ctx;
  ctx.procfs_root = dir / "proc";
  ctx.sysfs_root = dir / "sys";
  ctx.options.sim_gpu = SimulatedComponent{"sim", 100.0, 0.5};
  Coverage coverage;
  ProbeOutput out;
  probe_estimated_cpu(ctx, coverage, out);
  probe_estimated_dram(ctx, coverage, out);
  probe_simulated_gpu(ctx, coverage, out);
  ASSERT_EQ(out.sensors.size(), 3u);
  for (auto& s : out.sensors) EXPECT_EQ(allocations_during_reads(*s, 3), 0) << s->name();

  // The failure path too: the CPU estimate with /proc/stat gone.
  std::filesystem::remove(dir / "proc/stat");
  EXPECT_EQ(allocations_during_reads(*out.sensors[0], 2), 0);
  write_file(dir / "proc/stat", "not a stat file\n");
  EXPECT_EQ(allocations_during_reads(*out.sensors[0], 2), 0);
}

TEST(ReadAllocation, CounterSeesAllocations) {
  g_allocations = 0;
  g_counting = true;
  // A string too long for the small-string buffer; kept observable so it cannot be elided.
  std::string s(100, 'x');
  g_counting = false;
  ASSERT_EQ(s.size(), 100u);
  EXPECT_EQ(g_allocations, 1);
}

}  // namespace
}  // namespace carbontracker::sensors
