// CUDA_VISIBLE_DEVICES with CUDA's rules: indices, GPU- UUIDs and prefixes, MIG ids, empty,
// invalid entries, duplicates; unselected GPUs reported as available but not counted.
#include <gtest/gtest.h>

#include "fake_nvml_control.hpp"
#include "nvml_test_support.hpp"

namespace carbontracker::sensors {
namespace {

using carbontracker::testing::FakeNvml;
using namespace nvml_testing;

const char* const kFourGpus =
    "gpu uuid=GPU-00000000-aaaa-0000-0000-000000000000\n"
    "gpu uuid=GPU-11111111-aaaa-0000-0000-000000000000\n"
    "gpu uuid=GPU-11112222-aaaa-0000-0000-000000000000\n"
    "gpu uuid=GPU-33333333-aaaa-0000-0000-000000000000\n"
    "mig uuid=MIG-99999999-0000-0000-0000-000000000001 parent=2\n"
    "mig uuid=MIG-99999999-0000-0000-0000-000000000002 parent=2\n";

std::string uuid_of(int i) {
  static const char* const kUuids[] = {
      "GPU-00000000-aaaa-0000-0000-000000000000", "GPU-11111111-aaaa-0000-0000-000000000000",
      "GPU-11112222-aaaa-0000-0000-000000000000", "GPU-33333333-aaaa-0000-0000-000000000000"};
  return kUuids[i];
}

struct Probed {
  ProbeOutput out;
  Coverage coverage;
  std::vector<std::string> channel_uuids() const {
    std::vector<std::string> v;
    if (!out.sensors.empty()) {
      for (const auto& c : out.sensors[0]->channels()) v.push_back(c.uuid);
    }
    return v;
  }
  const SourceReport& report_for(const std::string& uuid) const {
    for (const auto& r : out.reports) {
      if (r.info.uuid == uuid) return r;
    }
    throw std::runtime_error("no report for " + uuid);
  }
};

class VisibleDevices : public ::testing::Test {
 protected:
  void SetUp() override { fake_.load_config(kFourGpus); }
  Probed run(std::map<std::string, std::string> env) {
    Probed p;
    p.out = probe(make_context(fake_.path(), std::move(env)), p.coverage);
    return p;
  }
  FakeNvml fake_;
};

TEST_F(VisibleDevices, UnsetSelectsEveryGpuInNvmlOrder) {
  auto p = run({});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(0), uuid_of(1), uuid_of(2), uuid_of(3)}));
}

TEST_F(VisibleDevices, IndicesSelectInCudaOrderAndTheRestAreReportedNotCounted) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", "3,1"}});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(3), uuid_of(1)}));
  ASSERT_EQ(p.out.reports.size(), 4u);
  for (int i : {0, 2}) {
    const auto& r = p.report_for(uuid_of(i));
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
    EXPECT_EQ(r.reason, "not in CUDA_VISIBLE_DEVICES=3,1");
  }
  EXPECT_TRUE(p.report_for(uuid_of(3)).counted);
  EXPECT_EQ(p.coverage.claimed_by(Component::gpu), "nvml");
  // Same model everywhere: no ordering caveat.
  EXPECT_FALSE(any_note_contains(p.out.sensors[0]->channels()[0], "CUDA_DEVICE_ORDER"));
}

TEST_F(VisibleDevices, FullUuidsAndUniquePrefixesSelectLikeCuda) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", "GPU-33333333-aaaa-0000-0000-000000000000, GPU-0"}});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(3), uuid_of(0)}));
  p = run({{"CUDA_VISIBLE_DEVICES", "GPU-11112"}});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(2)}));
}

TEST_F(VisibleDevices, AmbiguousPrefixIsInvalidAndStopsTheList) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", "0,GPU-1111,3"}});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(0)}));
  EXPECT_TRUE(any_note_contains(p.out.sensors[0]->channels()[0], "'GPU-1111' matches several GPUs"));
  EXPECT_EQ(p.report_for(uuid_of(3)).reason, "not in CUDA_VISIBLE_DEVICES=0,GPU-1111,3");
}

TEST_F(VisibleDevices, InvalidEntryStopsTheListAsInCuda) {
  for (const char* cvd : {"1,7,0", "1,foo,0", "1,-1,0", "1,,0"}) {
    auto p = run({{"CUDA_VISIBLE_DEVICES", cvd}});
    EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(1)})) << cvd;
    ASSERT_FALSE(p.out.sensors.empty()) << cvd;
    EXPECT_TRUE(any_note_contains(p.out.sensors[0]->channels()[0], "CUDA stops the list there")) << cvd;
    const auto& skipped = p.report_for(uuid_of(0));
    EXPECT_FALSE(skipped.counted) << cvd;
    EXPECT_TRUE(any_note_contains(skipped.info, "CUDA stops the list there")) << cvd;
  }
}

TEST_F(VisibleDevices, EmptyStringMeansNoGpu) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", ""}});
  EXPECT_TRUE(p.out.sensors.empty());
  ASSERT_EQ(p.out.reports.size(), 4u);
  for (const auto& r : p.out.reports) {
    EXPECT_TRUE(r.available);
    EXPECT_FALSE(r.counted);
    EXPECT_TRUE(contains(r.reason, "CUDA_VISIBLE_DEVICES=\"\"")) << r.reason;
    EXPECT_TRUE(contains(r.reason, "CUDA sees no GPU")) << r.reason;
  }
  EXPECT_FALSE(p.coverage.covered(Component::gpu));
  EXPECT_EQ(fake_.init_refcount(), 0);
}

TEST_F(VisibleDevices, EachGpuIsCountedOnceEvenWhenListedTwice) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", "1,GPU-11111111,1,0"}});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(1), uuid_of(0)}));
}

TEST_F(VisibleDevices, MigSliceIsMeasuredAsItsWholeGpuWithANote) {
  const std::string mig = "MIG-99999999-0000-0000-0000-000000000001";
  auto p = run({{"CUDA_VISIBLE_DEVICES", mig}});
  ASSERT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(2)}));
  EXPECT_TRUE(any_note_contains(p.out.sensors[0]->channels()[0],
                                "MIG slice " + mig + " measured as its whole GPU " + uuid_of(2) +
                                    ": NVML gives no per-slice energy; other slices' work is included"));
  EXPECT_EQ(p.report_for(uuid_of(0)).reason, "not in CUDA_VISIBLE_DEVICES=" + mig);
}

TEST_F(VisibleDevices, TwoSlicesOfOneGpuCountItOnce) {
  auto p = run({{"CUDA_VISIBLE_DEVICES",
                 "MIG-99999999-0000-0000-0000-000000000001,MIG-99999999-0000-0000-0000-000000000002"}});
  ASSERT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(2)}));
  EXPECT_TRUE(any_note_contains(p.out.sensors[0]->channels()[0], "MIG-99999999-0000-0000-0000-000000000002"));
}

TEST_F(VisibleDevices, LegacyMigIdNamesItsParentGpu) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", "MIG-" + uuid_of(3) + "/1/0"}});
  ASSERT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(3)}));
  EXPECT_TRUE(any_note_contains(p.out.sensors[0]->channels()[0], "measured as its whole GPU"));
}

TEST_F(VisibleDevices, UnknownMigIdIsInvalid) {
  auto p = run({{"CUDA_VISIBLE_DEVICES", "0,MIG-deadbeef-0000-0000-0000-000000000000,1"}});
  EXPECT_EQ(p.channel_uuids(), (std::vector<std::string>{uuid_of(0)}));
  EXPECT_TRUE(any_note_contains(p.out.sensors[0]->channels()[0], "names no MIG device"));
}

TEST(VisibleDevicesOrder, IndicesOverMixedModelsWarnThatCudaMayOrderThemDifferently) {
  FakeNvml fake;
  fake.load_config("gpu name=\"NVIDIA RTX A4000\"\ngpu name=\"NVIDIA A100-PCIE-40GB\"\n");
  const std::string caveat = "CUDA numbers them fastest-first unless CUDA_DEVICE_ORDER=PCI_BUS_ID";
  auto out = probe(make_context(fake.path(), {{"CUDA_VISIBLE_DEVICES", "1"}}));
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_TRUE(any_note_contains(out.sensors[0]->channels()[0], caveat));

  out = probe(make_context(fake.path(), {{"CUDA_VISIBLE_DEVICES", "1"}, {"CUDA_DEVICE_ORDER", "PCI_BUS_ID"}}));
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_FALSE(any_note_contains(out.sensors[0]->channels()[0], caveat));

  out = probe(make_context(fake.path(), {{"CUDA_VISIBLE_DEVICES", "GPU-fa4e0000-0000-4000-8000-000000000001"}}));
  ASSERT_EQ(out.sensors.size(), 1u);
  EXPECT_EQ(out.sensors[0]->channels()[0].name, "NVIDIA A100-PCIE-40GB");
  EXPECT_FALSE(any_note_contains(out.sensors[0]->channels()[0], caveat));
}

// The selection rules on their own, with a resolver standing in for NVML's MIG calls.
TEST(SelectVisibleGpus, MigThatCannotBeMappedIsSkippedButDoesNotStopTheList) {
  const std::vector<GpuIdentity> gpus{{"GPU-a", "X"}, {"GPU-b", "X"}};
  const MigResolver unmappable = [](const std::string&) -> Result<std::size_t> {
    return Status(StatusCode::unavailable, "libnvidia-ml lacks nvmlDeviceIsMigDeviceHandle");
  };
  const auto sel = select_visible_gpus(std::string("MIG-x,1"), std::nullopt, gpus, unmappable);
  EXPECT_EQ(sel.selected, (std::vector<std::size_t>{1}));
  ASSERT_EQ(sel.notes.size(), 1u);
  EXPECT_TRUE(contains(sel.notes[0], "'MIG-x' is not measured: libnvidia-ml lacks nvmlDeviceIsMigDeviceHandle"));
}

TEST(SelectVisibleGpus, WhitespaceAroundEntriesIsIgnoredAndBlankMeansNone) {
  const std::vector<GpuIdentity> gpus{{"GPU-a", "X"}, {"GPU-b", "X"}};
  const MigResolver none = [](const std::string&) -> Result<std::size_t> {
    return Status(StatusCode::not_found, "no");
  };
  EXPECT_EQ(select_visible_gpus(std::string(" 1 , GPU-a "), std::nullopt, gpus, none).selected,
            (std::vector<std::size_t>{1, 0}));
  EXPECT_TRUE(select_visible_gpus(std::string("  "), std::nullopt, gpus, none).selected.empty());
  EXPECT_EQ(select_visible_gpus(std::nullopt, std::nullopt, gpus, none).selected, (std::vector<std::size_t>{0, 1}));
}

}  // namespace
}  // namespace carbontracker::sensors
