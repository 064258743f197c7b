#include "core/status.hpp"

#include <gtest/gtest.h>

namespace carbontracker {
namespace {

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_EQ(s.to_string(), "ok");
}

TEST(Status, MessageAndFixReadAsOneSentence) {
  Status s(StatusCode::permission_denied, "cannot open /sys/class/powercap/intel-rapl:0/energy_uj",
           "sudo chmod o+r /sys/class/powercap/intel-rapl:0/energy_uj");
  EXPECT_FALSE(s);
  EXPECT_EQ(s.code(), StatusCode::permission_denied);
  EXPECT_EQ(s.to_string(),
            "cannot open /sys/class/powercap/intel-rapl:0/energy_uj; fix: sudo chmod o+r "
            "/sys/class/powercap/intel-rapl:0/energy_uj");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good(7);
  ASSERT_TRUE(good);
  EXPECT_EQ(*good, 7);
  EXPECT_TRUE(good.status().is_ok());

  Result<int> bad(Status(StatusCode::not_found, "no such zone"));
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::not_found);
  EXPECT_EQ(bad.value_or(3), 3);
}

}  // namespace
}  // namespace carbontracker
