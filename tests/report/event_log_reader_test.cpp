#include "report/event_log_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace carbontracker::report {
namespace {

using ::testing::HasSubstr;

const std::string kStart =
    R"({"type":"run_start","v":1,"carbontracker_version":"0.1.0","pue":1.2,"epochs":4,"monitor_epochs":4,)"
    R"("intensity":{"g_per_kwh":200.0,"source":"user setting","kind":"fixed","why":"set"},)"
    R"("components":{"cpu":{"present":true,"methods":["counter"],"devices":[{"id":"powercap:0","name":"package-0"}]},)"
    R"("gpu":{"present":true,"methods":["counter"],"devices":[{"id":"nvml:0","name":"NVIDIA H100"},{"id":"nvml:1","name":"NVIDIA H100"}]},)"
    R"("dram":{"present":false,"methods":[],"devices":[]},"psys":{"present":false,"methods":[],"devices":[]}},)"
    R"("channels":[{"id":"powercap:0","component":"cpu","name":"package-0","method":"counter","source":"powercap"},)"
    R"({"id":"nvml:0","component":"gpu","name":"NVIDIA H100","method":"counter","source":"nvml"}]})"
    "\n";

std::string epoch_line(int index, double cpu_j, double gpu_j, const std::string& co2 = "0.04") {
  const double total = cpu_j + gpu_j;
  return R"({"type":"epoch","v":1,"epoch":{"index":)" + std::to_string(index) +
         R"(,"complete":true,"duration_s":10.0,"energy_j":{"cpu":)" + std::to_string(cpu_j) +
         R"(,"dram":0.0,"gpu":)" + std::to_string(gpu_j) + R"(,"psys":0.0,"total":)" + std::to_string(total) +
         R"(},"measured_energy_j":)" + std::to_string(total) + R"(,"estimated_energy_j":0.0,"facility_energy_j":)" +
         std::to_string(total * 1.2) + R"(,"energy_kwh":0.0,"co2eq_g":)" + co2 + R"(,"intensity_g_per_kwh":200.0}})" +
         "\n";
}

const std::string kPrediction =
    R"({"type":"prediction","v":1,"printed":true,"forecast":{"method":"robust","after_epochs":1,"epochs":4,)"
    R"("confidence":0.9,"duration_s":40.0,"duration_s_low":38.0,"duration_s_high":42.0,"energy_kwh":0.004,)"
    R"("energy_kwh_low":0.0035,"energy_kwh_high":0.0045,"co2eq_g":0.8,"co2eq_g_low":0.7,"co2eq_g_high":0.9,)"
    R"("intensity_g_per_kwh":200.0},"paper":{}})"
    "\n";

const std::string kEnd =
    R"({"type":"run_end","v":1,"epochs":2,"stopped_by_budget":false,"interrupted_epoch":null,)"
    R"("total":{"duration_s":20.0,"energy_j":{"total":2400.0},"measured_energy_j":2400.0,"estimated_energy_j":0.0,)"
    R"("facility_energy_j":2880.0,"energy_kwh":0.0008,"co2eq_g":0.16},)"
    R"("whole_run":{"duration_s":21.5,"energy_kwh":0.00085,"co2eq_g":0.17}})"
    "\n";

TEST(EventLogReader, FinishedRunFillsEverything) {
  const std::string text = kStart + epoch_line(1, 100, 1100) + kPrediction +
                           R"({"type":"power","v":1,"t_s":5.0,"energy_j":[50.0,550.0]})" "\n" +
                           R"({"type":"warning","v":1,"message":"GPU 1 lost"})" "\n" + epoch_line(2, 100, 1100) + kEnd;
  std::vector<ReadIssue> issues;
  const auto run = read_event_log(text, "e.jsonl", &issues);
  ASSERT_TRUE(run);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(run->format, "carbontracker-cpp-events-v1");
  EXPECT_EQ(run->version, "0.1.0");
  EXPECT_DOUBLE_EQ(*run->pue, 1.2);
  EXPECT_EQ(run->devices.at("gpu"), (std::vector<std::string>{"NVIDIA H100", "NVIDIA H100"}));
  EXPECT_EQ(run->devices.count("dram"), 0u);
  ASSERT_EQ(run->channels.size(), 2u);
  EXPECT_EQ(run->channels[1].source, "nvml");
  ASSERT_EQ(run->epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(run->epochs[0].energy_j.at("gpu"), 1100.0);
  EXPECT_EQ(run->epochs[0].energy_j.count("dram"), 0u);  // not present on the machine: no 0 J
  EXPECT_EQ(run->epochs[0].energy_j.count("total"), 0u);
  EXPECT_DOUBLE_EQ(*run->epochs[0].facility_energy_j, 1440.0);
  EXPECT_DOUBLE_EQ(*run->epochs[0].co2eq_g, 0.04);
  ASSERT_EQ(run->power.size(), 1u);
  EXPECT_EQ(run->power[0].energy_j, (std::vector<double>{50.0, 550.0}));
  ASSERT_EQ(run->predictions.size(), 1u);
  EXPECT_EQ(run->printed_prediction, 0);
  EXPECT_DOUBLE_EQ(run->predictions[0].energy_kwh_high, 0.0045);
  ASSERT_TRUE(run->predicted);
  EXPECT_EQ(run->predicted->epochs, 4);
  EXPECT_DOUBLE_EQ(run->predicted->energy_kwh, 0.004);
  ASSERT_TRUE(run->actual);
  EXPECT_EQ(run->actual->epochs, 2);
  EXPECT_DOUBLE_EQ(run->actual->energy_kwh, 0.0008);
  EXPECT_DOUBLE_EQ(run->actual->co2eq_g, 0.16);
  EXPECT_DOUBLE_EQ(run->actual->equivalents.at("km travelled by car"), 0.16 / 106.8);
  EXPECT_DOUBLE_EQ(*run->intensity_g_per_kwh, 200.0);  // 0.16 g / 0.0008 kWh
  EXPECT_EQ(run->intensity_source, "user setting");
  EXPECT_EQ(run->intensity_kind, "fixed");
  EXPECT_DOUBLE_EQ(*run->whole_run_duration_s, 21.5);
  EXPECT_DOUBLE_EQ(*run->measured_energy_j, 2400.0);
  EXPECT_TRUE(run->finished);
  EXPECT_TRUE(run->early_stop);  // 2 of 4 monitored epochs
  EXPECT_EQ(run->warnings, std::vector<std::string>{"GPU 1 lost"});
}

TEST(EventLogReader, KilledRunWithATornLastLine) {
  const std::string text =
      kStart + epoch_line(1, 100, 1100) + kPrediction + R"({"type":"power","v":1,"t_s":12.0,"energy_j":[1)";
  std::vector<ReadIssue> issues;
  const auto run = read_event_log(text, "e.jsonl", &issues);
  ASSERT_TRUE(run);
  EXPECT_FALSE(run->finished);
  EXPECT_FALSE(run->early_stop);
  EXPECT_FALSE(run->actual);
  EXPECT_TRUE(run->predicted);
  EXPECT_EQ(run->epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(*run->measured_energy_j, 1200.0);  // from the completed epochs
  EXPECT_DOUBLE_EQ(*run->intensity_g_per_kwh, 0.04 / (1440.0 / 3.6e6));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].line, 4);
  EXPECT_THAT(issues[0].message, HasSubstr("incomplete last record"));
}

TEST(EventLogReader, UnknownTypesAndKeysAreIgnoredNewerVersionsNamedOnce) {
  const std::string text = kStart + R"({"type":"gpu_health","v":1,"x":1})" "\n" +
                           R"({"type":"epoch","v":2,"epoch":{"index":1,"duration_s":3.0,"energy_j":{"gpu":5.0},"future":[1,2]}})"
                           "\n" +
                           R"({"type":"epoch","v":2,"epoch":{"index":2,"duration_s":3.0,"energy_j":{"gpu":6.0}}})" "\n";
  std::vector<ReadIssue> issues;
  const auto run = read_event_log(text, "e.jsonl", &issues);
  ASSERT_TRUE(run);
  ASSERT_EQ(run->epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(run->epochs[1].energy_j.at("gpu"), 6.0);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].line, 3);
  EXPECT_THAT(issues[0].message, HasSubstr("version 2 is newer"));
}

TEST(EventLogReader, DamagedLinesWrongTypesAndNullsAreSkippedOrAbsent) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const std::string text =
      kStart + "not json at all\n" + deep + "\n" + "[1,2,3]\n" +
      R"({"type":"epoch","v":1,"epoch":{"index":"one","duration_s":"long","energy_j":{"gpu":"x","cpu":7.0},"co2eq_g":null}})"
      "\n" + R"({"type":"power","v":1,"t_s":"soon"})" "\n" +
      R"({"type":"run_end","v":1,"epochs":1,"total":{"duration_s":3.0,"energy_kwh":0.001,"co2eq_g":null}})" "\n";
  std::vector<ReadIssue> issues;
  const auto run = read_event_log(text, "e.jsonl", &issues);
  ASSERT_TRUE(run);
  ASSERT_EQ(run->epochs.size(), 1u);
  EXPECT_EQ(run->epochs[0].index, 1);            // a non-integer index: numbered in order
  EXPECT_DOUBLE_EQ(run->epochs[0].duration_s, 0.0);
  EXPECT_EQ(run->epochs[0].energy_j.count("gpu"), 0u);
  EXPECT_DOUBLE_EQ(run->epochs[0].energy_j.at("cpu"), 7.0);
  EXPECT_FALSE(run->epochs[0].co2eq_g);
  ASSERT_TRUE(run->actual);
  EXPECT_TRUE(std::isnan(run->actual->co2eq_g));
  EXPECT_TRUE(run->actual->equivalents.empty());
  EXPECT_DOUBLE_EQ(*run->intensity_g_per_kwh, 200.0);  // no CO2eq: the intensity in force at the start
  ASSERT_EQ(issues.size(), 5u);
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_THAT(issues[0].message, HasSubstr("not a JSON object"));
  EXPECT_THAT(issues[1].message, HasSubstr("nested too deeply"));
  EXPECT_EQ(issues[2].line, 4);
  // An energy that is not a number is damaged, not silently absent: the epoch's energy is unknown.
  EXPECT_EQ(issues[3].line, 5);
  EXPECT_THAT(issues[3].message, HasSubstr("energy_j.gpu is \"x\" (not a number): damaged"));
  ASSERT_TRUE(run->epochs[0].damaged);
  EXPECT_THAT(issues[4].message, HasSubstr("power record without"));
}

TEST(EventLogReader, NothingReadableIsNoRun) {
  std::vector<ReadIssue> issues;
  EXPECT_FALSE(read_event_log("", "e.jsonl", &issues));
  EXPECT_FALSE(read_event_log(std::string("\x00\x01\xff garbage\n", 12), "e.jsonl", &issues));
  EXPECT_EQ(issues.size(), 1u);
}

TEST(EventLogReader, RunStartsJobIsTheRunsJobIdentity) {
  std::string start = kStart;
  start.insert(start.find(R"("pue")"),
               R"("job":{"job_id":"4242","launcher":"slurm","host":"node2","node":"n2","rank":3,"local_rank":null,)"
               R"("world_size":4,"local_world_size":null,"restart":1,"host_measurer":true,"gpus":["GPU-a","GPU-b"],)"
               R"("notes":["counts node2's CPU"]},)");
  std::vector<ReadIssue> issues;
  const auto run = read_event_log(start + epoch_line(1, 10, 20), "job.jsonl", &issues);
  ASSERT_TRUE(run);
  EXPECT_TRUE(issues.empty());
  ASSERT_TRUE(run->job);
  EXPECT_EQ(run->job->id, "4242");
  EXPECT_EQ(run->job->launcher, "slurm");
  EXPECT_EQ(run->job->host, "node2");
  EXPECT_EQ(run->job->node, "n2");
  EXPECT_EQ(run->job->rank, 3);
  EXPECT_FALSE(run->job->local_rank) << "null: not known, not 0";
  EXPECT_EQ(run->job->world_size, 4);
  EXPECT_FALSE(run->job->local_world_size);
  EXPECT_EQ(run->job->restart, 1);
  EXPECT_TRUE(run->job->host_measurer);
  EXPECT_EQ(run->job->gpus, (std::vector<std::string>{"GPU-a", "GPU-b"}));
  EXPECT_EQ(run->job->notes, std::vector<std::string>{"counts node2's CPU"});
  const auto single = read_event_log(kStart + epoch_line(1, 10, 20), "single.jsonl", &issues);
  ASSERT_TRUE(single);
  EXPECT_FALSE(single->job) << "a single process's log has no job";
}

}  // namespace
}  // namespace carbontracker::report
