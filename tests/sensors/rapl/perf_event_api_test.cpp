// The real perf_event_open(2) wrapper, as far as this machine allows (it has no power PMU).
#include "sensors/perf_event_api.hpp"

#include <linux/perf_event.h>

#include <gtest/gtest.h>

namespace carbontracker::sensors {
namespace {

TEST(RealPerfEventApi, IsOneProcessWideInstance) {
  auto a = real_perf_event_api();
  auto b = real_perf_event_api();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a.get(), b.get());
}

TEST(RealPerfEventApi, UnknownPmuTypeFailsCleanly) {
  auto api = real_perf_event_api();
  auto r = api->open(4242, 2, 0);
  ASSERT_FALSE(r);
  // ENOENT for an unknown PMU; a sandbox that forbids the syscall answers EACCES/EPERM.
  EXPECT_TRUE(r.status().code() == StatusCode::not_found || r.status().code() == StatusCode::permission_denied)
      << r.status().to_string();
  EXPECT_NE(r.status().message().find("perf_event_open(type 4242"), std::string::npos) << r.status().message();
}

TEST(RealPerfEventApi, ReadOfABadFdIsAnErrorNotACrash) {
  auto api = real_perf_event_api();
  auto r = api->read(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::gone);
  api->close(-1);  // harmless
}

TEST(RealPerfEventApi, SoftwareCounterOpensAndReadsEightBytes) {
  // The cpu-clock software event takes the same path as a power event (system-wide, one cpu);
  // only where this process may open system-wide events.
  auto api = real_perf_event_api();
  auto fd = api->open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 0);
  if (!fd) GTEST_SKIP() << "system-wide perf events not permitted here: " << fd.status().to_string();
  auto first = api->read(*fd);
  ASSERT_TRUE(first) << first.status().to_string();
  volatile unsigned spin = 0;
  for (unsigned i = 0; i < 10'000'000; ++i) spin = spin + i;
  auto second = api->read(*fd);
  ASSERT_TRUE(second);
  EXPECT_GE(*second, *first);
  api->close(*fd);
}

}  // namespace
}  // namespace carbontracker::sensors
