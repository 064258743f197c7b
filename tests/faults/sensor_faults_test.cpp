// Sensors that start failing mid-run, end to end: the real `carbontracker run` on a fixture
// copy whose counters the child drives between synchronous epoch marks (so only the epoch
// boundaries read them and every joule is known). In epoch 3 the child garbles package 1's
// energy_uj for that epoch only and empties DRAM 1's for good; GPU 1 is lost by the fake NVML
// (lost_after) part-way. The run must complete; the lost or failing channels stop, the others
// stay exact, and the warnings reach the error log and the summary.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "faults_support.hpp"

namespace carbontracker::faults {
namespace {

constexpr int kSensorFaultEpochs = 6;

// The run described above; returns the `epoch` objects of the event log (and the run's output).
struct FailingRun {
  Machine m{"lost_after=7"};
  testing::ProcessResult r;
  std::vector<json> epochs, channels;
};

void run_failing(FailingRun& f) {
  Machine& m = f.m;
  // GPU 1's reads: probe, sampler baseline, run start, then two per epoch: lost during epoch 3.
  const std::string script = kShellMark + fmt::format(R"(i=1
while [ $i -le {n} ]; do
  mark epoch_start
  echo $((1000000 + i * 1000000)) > {z0}
  if [ $i -eq 3 ]; then echo garbage > {z1}; else echo $((5000000 + i * 1000000)) > {z1}; fi
  if [ $i -ge 3 ]; then : > {d1}; else echo $((9000000 + i * 1000000)) > {d1}; fi
  echo $((1000000 + i * 1000)) > {g0}; echo $((2000000 + i * 1000)) > {g1}
  mark epoch_end
  i=$((i + 1))
done
echo training done)",
                                                      fmt::arg("n", kSensorFaultEpochs), fmt::arg("z0", m.zone("intel-rapl:0").string()),
                                                      fmt::arg("z1", m.zone("intel-rapl:1").string()),
                                                      fmt::arg("d1", m.zone("intel-rapl:1:0").string()),
                                                      fmt::arg("g0", (m.dir / "gpu0").string()),
                                                      fmt::arg("g1", (m.dir / "gpu1").string()));
  testing::write_file(m.zone("intel-rapl:0"), "1000000\n");
  testing::write_file(m.zone("intel-rapl:1"), "5000000\n");
  testing::write_file(m.zone("intel-rapl:1:0"), "9000000\n");
  f.r = testing::run_process(m.run_args({"--epochs", std::to_string(kSensorFaultEpochs), "--update-interval", "3600"}, script),
                             m.env());
  for (const auto& line : lines_of(m.log_file("_carbontracker_events.jsonl"))) {
    const json j = json::parse(line);
    if (j["type"] == "run_start") f.channels = j["channels"].get<std::vector<json>>();
    if (j["type"] == "epoch") f.epochs.push_back(j["epoch"]);
  }
}

TEST(FaultSensors, FailingZonesAndALostGpuMidRunDoNotStopTheRun) {
  FailingRun f;
  run_failing(f);
  const Machine& m = f.m;
  const auto& r = f.r;
  const auto& epochs = f.epochs;
  const auto& channels = f.channels;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "training done\n");
  const json s = m.summary_json();
  ASSERT_EQ(s["epochs"].size(), static_cast<std::size_t>(kSensorFaultEpochs)) << s.dump(2);
  RecordProperty("summary_warnings", s["warnings"].dump());

  // Package 0 and GPU 0 never fail: exact in every epoch.
  ASSERT_EQ(epochs.size(), static_cast<std::size_t>(kSensorFaultEpochs));
  auto channel_index = [&](const std::string& id) {
    for (std::size_t c = 0; c < channels.size(); ++c) {
      if (channels[c]["id"] == id) return c;
    }
    ADD_FAILURE() << "no channel " << id << " in " << json(channels).dump();
    return channels.size();
  };
  const std::size_t pkg0 = channel_index("powercap:intel-rapl:0"), pkg1 = channel_index("powercap:intel-rapl:1");
  const std::size_t dram1 = channel_index("powercap:intel-rapl:1:0");
  ASSERT_LT(std::max({pkg0, pkg1, dram1}), channels.size());
  std::vector<std::size_t> gpus;
  for (std::size_t c = 0; c < channels.size(); ++c) {
    if (channels[c]["component"] == "gpu") gpus.push_back(c);
  }
  ASSERT_EQ(gpus.size(), 2u);
  double pkg1_total = 0, dram1_total = 0;
  std::vector<double> gpu1;
  for (const auto& e : epochs) {
    const auto ch = e["channel_energy_j"];
    SCOPED_TRACE(e.dump());
    EXPECT_DOUBLE_EQ(ch[pkg0].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(ch[gpus[0]].get<double>(), 1.0);
    pkg1_total += ch[pkg1].get<double>();
    dram1_total += ch[dram1].get<double>();
    gpu1.push_back(ch[gpus[1]].get<double>());
  }
  std::string per_epoch;
  for (const auto& e : epochs) {
    const auto ch = e["channel_energy_j"];
    per_epoch += fmt::format("{}:pkg1={},dram1={},gpu1={} notes={} ", e["index"].get<int>(), ch[pkg1].get<double>(),
                             ch[dram1].get<double>(), ch[gpus[1]].get<double>(), e["notes"].dump());
  }
  RecordProperty("per_epoch_j", per_epoch);
  // Package 1 failed for one epoch only: the counter is cumulative, so the next good read brings
  // the missed joule back and nothing is lost over the run.
  EXPECT_DOUBLE_EQ(pkg1_total, kSensorFaultEpochs * 1.0);
  // DRAM 1 fails from epoch 3 on: it stops at its last good read (epochs 1 and 2), never a made-up 0 J/W beyond.
  EXPECT_DOUBLE_EQ(dram1_total, 2.0);
  // GPU 1: 1 J per epoch until it is lost, then nothing; GPU 0 goes on.
  EXPECT_DOUBLE_EQ(gpu1.front(), 1.0);
  EXPECT_DOUBLE_EQ(gpu1.back(), 0.0);
  for (std::size_t i = 1; i < gpu1.size(); ++i) EXPECT_LE(gpu1[i], gpu1[i - 1]) << "a lost GPU does not come back";

  // Warnings: summary, error log, console.
  const std::string warnings = s["warnings"].dump();
  EXPECT_NE(warnings.find("is gone: its energy stops at"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("powercap:intel-rapl:1: read failed"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("powercap:intel-rapl:1:0: read failed"), std::string::npos) << warnings;
  const auto err_log = m.log_file("_carbontracker_err.log");
  ASSERT_FALSE(err_log.empty()) << "the error log is created at the first warning";
  const std::string err = testing::read_text(err_log);
  EXPECT_NE(err.find("WARNING"), std::string::npos);
  EXPECT_NE(err.find("is gone"), std::string::npos) << err;
  EXPECT_NE(err.find("intel-rapl:1"), std::string::npos) << "the failing zone is named: " << err;
}

// Regression (found here): an epoch whose window contained failed reads got no note, so epoch 3
// showed package 1 and DRAM 1 at 0 J, and epochs 4-6 DRAM 1 at 0 J, with nothing saying they were
// not measured. The honesty rule: never 0 J for "could not measure". Sampler::Mark now carries
// cumulative failed_reads per channel and ledger::window_notes says "N read(s) failed ...".
TEST(FaultSensors, AnEpochWithFailedReadsSaysSo) {
  FailingRun f;
  run_failing(f);
  ASSERT_EQ(f.r.exit_code, 0) << f.r.err;
  ASSERT_EQ(f.epochs.size(), static_cast<std::size_t>(kSensorFaultEpochs));
  for (std::size_t i = 2; i < f.epochs.size(); ++i) {  // epochs 3..6: DRAM 1 fails (and package 1 in 3)
    const std::string notes = f.epochs[i]["notes"].dump();
    EXPECT_NE(notes.find("dram (package-1) (dram): "), std::string::npos) << "epoch " << i + 1 << ": " << notes;
    EXPECT_NE(notes.find("failed"), std::string::npos) << "epoch " << i + 1 << ": " << notes;
  }
  EXPECT_NE(f.epochs[2]["notes"].dump().find("package-1 (cpu): "), std::string::npos) << f.epochs[2]["notes"].dump();
}

}  // namespace
}  // namespace carbontracker::faults
