// The powercap reader's parsing of energy_uj, over a fixture tree with real files: anything but
// a plain decimal number is a failed read (never 0, never the digits before the junk).
#include <gtest/gtest.h>

#include <filesystem>

#include "rapl_test_support.hpp"
#include "sensors/backends.hpp"
#include "sensors/powercap.hpp"

namespace carbontracker::sensors {
namespace {

namespace fs = std::filesystem;
using testing::context_for;
using testing::copy_fixture;
using testing::TempDir;
using testing::write_file;

TEST(PowercapValues, OnlyAPlainDecimalCounterIsARead) {
  TempDir dir;
  const fs::path root = copy_fixture(dir, "intel-2socket");
  Coverage coverage;
  ProbeOutput out;
  probe_powercap(context_for(root), coverage, out);
  ASSERT_EQ(out.sensors.size(), 1u);
  Sensor& sensor = *out.sensors[0];
  ASSERT_EQ(sensor.channels()[0].id, "powercap:intel-rapl:0");
  const fs::path file = root / "class/powercap/intel-rapl:0/energy_uj";

  auto read0 = [&] {
    std::vector<Reading> r;
    EXPECT_TRUE(sensor.read(r).is_ok());
    return r.at(0);
  };
  for (const std::string good : {"123456\n", "123456", " 123456\n", "123456 \n", "123456\r\n"}) {
    write_file(file, good);
    const Reading r = read0();
    EXPECT_EQ(r.state, ReadingState::ok) << good;
    EXPECT_EQ(r.counter, 123456u) << good;
  }
  for (const std::string bad : {"0x1f\n", "0X1F\n", "1f\n", "12abc\n", "-5\n", "+5\n", "", "\n", "1e9\n", "1.5\n",
                                "7 8\n", "18446744073709551616\n", "99999999999999999999999999999999999\n"}) {
    write_file(file, bad);
    EXPECT_EQ(read0().state, ReadingState::failed) << '"' << bad << '"';
  }
}

}  // namespace
}  // namespace carbontracker::sensors
