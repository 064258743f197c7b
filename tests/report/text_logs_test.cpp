#include "report/text_logs.hpp"
#include "report_test_logs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace carbontracker::report {
namespace {

using namespace carbontracker::report::test_logs;

using ::testing::HasSubstr;

RunData run_of(const std::string& std_text, const std::string& out_text, std::vector<ReadIssue>* issues) {
  const TextLog s = parse_text_log(std_text, "std.log", issues);
  const TextLog o = parse_text_log(out_text, "out.log", issues);
  return run_from_text_logs(&s, &o, "std.log", issues);
}

TEST(TextLogs, PythonV2StandardLogGivesEpochsPowersAndDevices) {
  const std::string std_text =
      "2025-11-18 15:53:54 - carbontracker version 2.4.3\n"
      "2025-11-18 15:53:54 - Only predicted and actual consumptions are multiplied by a PUE coefficient of 1.58 "
      "(Daniel Bizo, 2023, Uptime Institute Global Data Center Survey).\n"
      "2025-11-18 15:53:54 - The following components were found: GPU with device(s) NVIDIA A100-SXM4-40GB. CPU "
      "with device(s) cpu:0.\n"
      "2025-11-18 15:54:28 - Epoch 1:\n"
      "2025-11-18 15:54:28 - Duration: 0:00:33.57\n"
      "2025-11-18 15:54:28 - Average power usage (W) for gpu: 250.12\n"
      "2025-11-18 15:54:28 - Average power usage (W) for cpu: 23.05\n"
      "2025-11-18 15:59:30 - Average carbon intensity during training was 143.30 gCO2eq/kWh. \n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(std_text, "std.log", &issues);
  EXPECT_EQ(log.version, "2.4.3");
  EXPECT_FALSE(log.ours);
  EXPECT_DOUBLE_EQ(*log.pue, 1.58);
  EXPECT_EQ(log.devices.at("gpu"), std::vector<std::string>{"NVIDIA A100-SXM4-40GB"});
  EXPECT_EQ(log.devices.at("cpu"), std::vector<std::string>{"cpu:0"});
  ASSERT_EQ(log.epochs.size(), 1u);
  EXPECT_EQ(log.epochs[0].index, 1);
  EXPECT_DOUBLE_EQ(*log.epochs[0].duration_s, 33.57);
  EXPECT_DOUBLE_EQ(log.epochs[0].powers.at("gpu").values_w.at(0), 250.12);
  EXPECT_DOUBLE_EQ(*log.intensity_g_per_kwh, 143.30);

  const RunData run = run_from_text_logs(&log, nullptr, "std.log", &issues);
  EXPECT_EQ(run.format, "carbontracker-text");
  ASSERT_EQ(run.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(run.epochs[0].energy_j.at("gpu"), 250.12 * 33.57);
  EXPECT_DOUBLE_EQ(run.epochs[0].energy_j.at("cpu"), 23.05 * 33.57);
  EXPECT_TRUE(run.epochs[0].complete);
  EXPECT_FALSE(run.actual);
  EXPECT_TRUE(issues.empty()) << issues_text(issues);
}

TEST(TextLogs, V1ArraysHoldOneValuePerDeviceAndAreSummed) {
  const std::string std_text =
      "2020-05-01 10:00:00 - carbontracker version 1.1.2\n"
      "2020-05-01 10:00:00 - The following components were found: GPU with device(s) TITAN RTX, TITAN RTX.\n"
      "2020-05-01 10:00:10 - Epoch 1:\n"
      "2020-05-01 10:00:10 - Duration: 0:00:10.00\n"
      "2020-05-01 10:00:10 - Average power usage (W) for gpu: [136.86084615 140.2       ]\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(std_text, "std.log", &issues);
  EXPECT_TRUE(log.python_v1);
  ASSERT_EQ(log.power_lines.size(), 1u);
  EXPECT_TRUE(log.power_lines[0].bracketed);
  EXPECT_EQ(log.power_lines[0].values_w, (std::vector<double>{136.86084615, 140.2}));
  const RunData run = run_from_text_logs(&log, nullptr, "std.log", &issues);
  EXPECT_EQ(run.format, "carbontracker-python-v1");
  EXPECT_DOUBLE_EQ(run.epochs.at(0).energy_j.at("gpu"), (136.86084615 + 140.2) * 10.0);
  EXPECT_TRUE(issues.empty()) << issues_text(issues);
}

TEST(TextLogs, NumpyArrayWrappedOverSeveralLinesIsReadWhole) {
  const std::string std_text =
      "2020-05-01 10:00:10 - Epoch 1:\n"
      "2020-05-01 10:00:10 - Duration: 0:01:00.00\n"
      "2020-05-01 10:00:10 - Average power usage (W) for gpu: [201.3445 199.8712 205.0021 198.7713 202.1166\n"
      " 200.0031 197.6658\n"
      " 203.9912]\n"
      "2020-05-01 10:00:10 - Average power usage (W) for cpu: [13. 12.]\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(std_text, "std.log", &issues);
  ASSERT_EQ(log.epochs.size(), 1u);
  EXPECT_EQ(log.epochs[0].powers.at("gpu").values_w.size(), 8u);
  EXPECT_DOUBLE_EQ(log.epochs[0].powers.at("gpu").values_w.back(), 203.9912);
  EXPECT_EQ(log.epochs[0].powers.at("cpu").values_w, (std::vector<double>{13.0, 12.0}));
  EXPECT_TRUE(issues.empty()) << issues_text(issues);
}

TEST(TextLogs, AnArrayThatNeverClosesIsReportedNotGuessed) {
  const std::string std_text =
      "2020-05-01 10:00:10 - Epoch 1:\n"
      "2020-05-01 10:00:10 - Duration: 0:01:00.00\n"
      "2020-05-01 10:00:10 - Average power usage (W) for gpu: [201.3445 199.8712\n"
      "2020-05-01 10:00:10 - Average power usage (W) for cpu: 20.0\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(std_text, "std.log", &issues);
  EXPECT_EQ(log.epochs.at(0).powers.count("gpu"), 0u);
  EXPECT_EQ(log.epochs.at(0).powers.count("cpu"), 1u);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].line, 3);
  EXPECT_THAT(issues[0].message, HasSubstr("no closing ']'"));
}

TEST(TextLogs, NonePowerIsUnknownNotZeroAndOnlyForItsComponent) {
  const std::string std_text =
      "2022-11-14 15:43:37 - Epoch 1:\n"
      "2022-11-14 15:43:37 - Duration: 0:00:53.25\n"
      "2022-11-14 15:43:37 - Average power usage (W) for gpu: None\n"
      "2022-11-14 15:43:37 - Average power usage (W) for cpu: [None]\n"
      "2022-11-14 15:43:38 - Epoch 2:\n"
      "2022-11-14 15:43:38 - Duration: 0:00:10.00\n"
      "2022-11-14 15:43:38 - Average power usage (W) for gpu: 100.0\n"
      "2022-11-14 15:43:38 - Average power usage (W) for cpu: 10.0\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(std_text, "std.log", &issues);
  const RunData run = run_from_text_logs(&log, nullptr, "std.log", &issues);
  ASSERT_EQ(run.epochs.size(), 2u);
  EXPECT_TRUE(run.epochs[0].energy_j.empty());
  EXPECT_FALSE(run.epochs[0].complete);
  EXPECT_TRUE(run.epochs[1].complete);
  EXPECT_DOUBLE_EQ(run.epochs[1].energy_j.at("gpu"), 1000.0);
  ASSERT_EQ(issues.size(), 2u) << issues_text(issues);
  EXPECT_EQ(issues[0].line, 3);
  EXPECT_THAT(issues[0].message, HasSubstr("logged None"));
  EXPECT_EQ(issues[1].line, 4);
}

TEST(TextLogs, ComponentsLineWithDotsAndParenthesesInDeviceNames) {
  const auto d = parse_components(
      " GPU with device(s) NVIDIA A100-SXM4-40GB, Tesla V1.0. CPU with device(s) Intel(R) Xeon(R) Processor, dram "
      "(dram-estimate).");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.at("gpu"), (std::vector<std::string>{"NVIDIA A100-SXM4-40GB", "Tesla V1.0"}));
  EXPECT_EQ(d.at("cpu"), (std::vector<std::string>{"Intel(R) Xeon(R) Processor", "dram (dram-estimate)"}));
  EXPECT_EQ(parse_components(" GPU with device(s) GPU, ANE. CPU with device(s) CPU.").at("gpu"),
            (std::vector<std::string>{"GPU", "ANE"}));
  EXPECT_TRUE(parse_components("nothing here").empty());
}

TEST(TextLogs, ReportBlocksKeepTheirRealEpochCount) {
  const std::string out_text =
      "2025-11-18 15:54:28 - CarbonTracker: \n"
      "Predicted consumption for 10 epoch(s):\n"
      "\tTime:\t0:05:36\n"
      "\tEnergy:\t0.040247501950 kWh\n"
      "\tCO2eq:\t5.767483933386 g\n"
      "\tThis is equivalent to:\n"
      "\t0.054002658552 km travelled by car\n"
      "2025-11-18 15:59:30 - CarbonTracker: \n"
      "Actual consumption for 7 epoch(s):\n"
      "\tTime:\t1:05:36\n"
      "\tEnergy:\t0.030000000000 kWh\n"
      "\tCO2eq:\tnan g\n"
      "2025-11-18 15:59:30 - CarbonTracker: Finished monitoring.\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(out_text, "out.log", &issues);
  ASSERT_EQ(log.predicted.size(), 1u);
  ASSERT_EQ(log.actual.size(), 1u);
  const Consumption& p = log.predicted[0].consumption;
  EXPECT_EQ(p.epochs, 10);
  EXPECT_DOUBLE_EQ(p.duration_s, 336.0);
  EXPECT_DOUBLE_EQ(p.energy_kwh, 0.040247501950);
  EXPECT_DOUBLE_EQ(p.co2eq_g, 5.767483933386);
  EXPECT_DOUBLE_EQ(p.equivalents.at("km travelled by car"), 0.054002658552);
  EXPECT_TRUE(log.predicted[0].equivalents_listed);
  const Consumption& a = log.actual[0].consumption;
  EXPECT_EQ(a.epochs, 7);  // the Python parser said 1
  EXPECT_DOUBLE_EQ(a.duration_s, 3936.0);
  EXPECT_TRUE(std::isnan(a.co2eq_g));
  EXPECT_FALSE(log.actual[0].equivalents_listed);
  EXPECT_TRUE(issues.empty()) << issues_text(issues);
}

TEST(TextLogs, HeaderOnTheTimestampLineAndSpaceIndentedBlockAsInThePythonTests) {
  const std::string out_text =
      "2022-11-14 15:44:48 - CarbonTracker: Actual consumption:\n"
      "   Time:  0:02:22\n"
      "   Energy:    0.009417 kWh\n"
      "   CO2eq: 0.960490 g\n"
      "   This is equivalent to:\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(out_text, "out.log", &issues);
  ASSERT_EQ(log.actual.size(), 1u);
  EXPECT_FALSE(log.actual[0].consumption.epochs);  // "Actual consumption:" prints no count
  EXPECT_DOUBLE_EQ(log.actual[0].consumption.duration_s, 142.0);
  EXPECT_DOUBLE_EQ(log.actual[0].consumption.co2eq_g, 0.96049);
  EXPECT_TRUE(log.actual[0].equivalents_listed);
  EXPECT_TRUE(log.actual[0].consumption.equivalents.empty());
}

TEST(TextLogs, IncompleteBlockIsSkippedWithAnIssue) {
  const std::string out_text =
      "2025-11-18 15:59:30 - CarbonTracker: \n"
      "Actual consumption for 3 epoch(s):\n"
      "\tTime:\t0:00:15\n"
      "2025-11-18 15:59:31 - CarbonTracker: Finished monitoring.\n";
  std::vector<ReadIssue> issues;
  const TextLog log = parse_text_log(out_text, "out.log", &issues);
  EXPECT_TRUE(log.actual.empty());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].file, "out.log");
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_THAT(issues[0].message, HasSubstr("no readable Energy line"));
}

TEST(TextLogs, TheLastLineWithoutANewlineIsReadUnlessAskedToDropIt) {
  // The Python tool's parser reads a file's last line whether or not it ends in '\n'.
  const std::string text = "2025-01-01 00:00:00 - Epoch 1:\n2025-01-01 00:00:00 - Duration: 0:00:05.00";
  std::vector<ReadIssue> issues;
  const TextLog file_log = parse_text_log(text, "std.log", &issues);
  EXPECT_EQ(file_log.durations_s, std::vector<double>{5.0});
  EXPECT_TRUE(issues.empty());

  TextParseOptions o;
  o.drop_torn_last_line = true;
  const TextLog dropped = parse_text_log(text, "std.log", &issues, o);
  EXPECT_TRUE(dropped.durations_s.empty());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_THAT(issues[0].message, HasSubstr("ends mid-line"));
}

TEST(TextLogs, PowerLinesBeforeTheEpochHeaderBelongToThatEpoch) {
  const TextLog log = parse_text_log(
      "2025-01-01 00:00:00 - Epoch 1:\n2025-01-01 00:00:00 - Duration: 0:00:02.00\n"
      "2025-01-01 00:00:00 - Average power usage (W) for gpu: 10.0\n"
      "2025-01-01 00:00:02 - Average power usage (W) for gpu: 20.0\n"
      "2025-01-01 00:00:02 - Average power usage (W) for cpu: 5.0\n"
      "2025-01-01 00:00:02 - Epoch 2:\n2025-01-01 00:00:02 - Duration: 0:00:03.00\n",
      "std.log", nullptr);
  ASSERT_EQ(log.epochs.size(), 2u);
  EXPECT_EQ(log.epochs[1].index, 2);
  ASSERT_TRUE(log.epochs[1].duration_s);
  EXPECT_EQ(*log.epochs[1].duration_s, 3.0);
  EXPECT_EQ(log.epochs[1].powers.at("gpu").values_w, std::vector<double>{20.0});
  EXPECT_EQ(log.epochs[1].powers.at("cpu").values_w, std::vector<double>{5.0});
  EXPECT_EQ(log.epochs[0].powers.at("gpu").values_w, std::vector<double>{10.0});
}

TEST(TextLogs, LinesWithoutTimestampsAsInThePythonParserTests) {
  TextParseOptions o;
  o.drop_torn_last_line = false;
  const TextLog log = parse_text_log(
      "2022-11-14 15:44:48 - Epoch 1:\nDuration: 0:02:21.90\n2022-11-14 15:44:48 - Epoch 2:\nDuration: 0:01:30", "",
      nullptr, o);
  EXPECT_EQ(log.durations_s, (std::vector<double>{141.9, 90.0}));
  ASSERT_EQ(log.epochs.size(), 2u);
  EXPECT_EQ(log.epochs[1].index, 2);
}

TEST(TextLogs, EpochsWithoutHeadersAreNumberedInOrder) {
  const TextLog log = parse_text_log(
      "Duration: 0:00:01.00\nAverage power usage (W) for gpu: 1.0\nDuration: 0:00:02.00\n"
      "Average power usage (W) for gpu: 2.0\n",
      "", nullptr);
  ASSERT_EQ(log.epochs.size(), 2u);
  EXPECT_EQ(log.epochs[1].index, 2);
  EXPECT_DOUBLE_EQ(*log.epochs[1].duration_s, 2.0);
  EXPECT_DOUBLE_EQ(log.epochs[1].powers.at("gpu").values_w.at(0), 2.0);
}

TEST(TextLogs, ParseHms) {
  EXPECT_DOUBLE_EQ(*parse_hms("0:02:22"), 142.0);
  EXPECT_DOUBLE_EQ(*parse_hms(" 0:00:33.57 "), 33.57);
  EXPECT_DOUBLE_EQ(*parse_hms("25:00:00"), 90000.0);
  EXPECT_DOUBLE_EQ(*parse_hms("-0:00:01"), -1.0);
  EXPECT_FALSE(parse_hms("unknown"));
  EXPECT_FALSE(parse_hms("0:1:00"));
  EXPECT_FALSE(parse_hms("0:99:00"));
  EXPECT_FALSE(parse_hms("a:00:00"));
  EXPECT_FALSE(parse_hms(""));
}

TEST(TextLogs, CrlfLineEndings) {
  const TextLog log =
      parse_text_log("2025-01-01 00:00:00 - Epoch 1:\r\n2025-01-01 00:00:00 - Duration: 0:00:05.00\r\n", "", nullptr);
  EXPECT_EQ(log.durations_s, std::vector<double>{5.0});
}

TEST(TextLogs, OurIntensityAndWholeRunLinesAndOlderPythonUnits) {
  const TextLog ours = parse_text_log(
      "2026-11-27 18:42:48 - carbontracker version 0.1.0 (C++ carbontracker)\n"
      "2026-11-27 18:42:48 - Carbon intensity used: 473.01 gCO2eq/kWh (assumed: Ember yearly electricity data 2024 "
      "via Our World in Data (CC BY 4.0); world average: no location configured). Set --country.\n"
      "2026-11-27 18:42:49 - CarbonTracker: The whole run, time outside epochs included: 0:00:01, 0.000002669 kWh, "
      "0.001262 g CO2eq.\n",
      "", nullptr);
  EXPECT_TRUE(ours.ours);
  EXPECT_EQ(ours.version, "0.1.0");
  EXPECT_DOUBLE_EQ(*ours.intensity_used_g_per_kwh, 473.01);
  EXPECT_EQ(ours.intensity_kind, "assumed");
  EXPECT_EQ(ours.intensity_source, "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)");
  EXPECT_DOUBLE_EQ(*ours.whole_run_duration_s, 1.0);
  EXPECT_DOUBLE_EQ(*ours.whole_run_energy_kwh, 0.000002669);
  EXPECT_DOUBLE_EQ(*ours.whole_run_co2eq_g, 0.001262);

  const TextLog older = parse_text_log(
      "2022-11-14 15:43:37 - Average carbon intensity during training was 102.00 gCO2/kWh at detected location: "
      "Copenhagen, Capital Region, DK.\n",
      "", nullptr);
  EXPECT_DOUBLE_EQ(*older.intensity_g_per_kwh, 102.0);
}

TEST(TextLogs, PythonV2MultiDeviceAverageIsFlaggedNotCorrected) {
  const std::string std_text =
      "2025-11-18 15:53:54 - carbontracker version 2.4.3\n"
      "2025-11-18 15:53:54 - The following components were found: GPU with device(s) A, B.\n"
      "2025-11-18 15:54:28 - Epoch 1:\n"
      "2025-11-18 15:54:28 - Duration: 0:00:10.00\n"
      "2025-11-18 15:54:28 - Average power usage (W) for gpu: 200.0\n";
  std::vector<ReadIssue> issues;
  const RunData run = run_of(std_text, "", &issues);
  EXPECT_DOUBLE_EQ(run.epochs.at(0).energy_j.at("gpu"), 2000.0);  // as logged
  ASSERT_EQ(issues.size(), 1u) << issues_text(issues);
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_THAT(issues[0].message, HasSubstr("under-counted about 2-fold"));
}

TEST(TextLogs, ErrorLogWarnings) {
  std::vector<ReadIssue> issues;
  const auto w = parse_err_log(
      "2025-11-18 15:53:54,123 - MainThread - WARNING - No API keys provided. Skipping intensity provider "
      "initialization.\n"
      "2025-11-18 15:53:55,000 - MainThread - CRITICAL - Traceback (most recent call last):\n"
      "  File \"x.py\", line 1\n"
      "2025-11-18 15:53:56,000 - MainThread - INFO - not a warning\n",
      "err.log", &issues);
  EXPECT_EQ(w, (std::vector<std::string>{"No API keys provided. Skipping intensity provider initialization.",
                                         "Traceback (most recent call last):"}));
  EXPECT_TRUE(issues.empty());
}

TEST(TextLogs, BinaryGarbageAndHugeLinesNeverCrashAndIssuesAreCapped) {
  std::mt19937 rng(42);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng() & 0xff);
  // Spliced-in fragments of real lines, so the parser's branches see damaged input.
  for (const char* frag : {"Average power usage (W) for gpu: [1 2", "Duration: 9:99:99", "Epoch 99999999999:",
                           "Predicted consumption for 3 epoch(s):\n\tTime:\t", "The following components were found: ",
                           " with device(s) ", "CO2eq:\tnan g\n", "Average power usage (W) for : "}) {
    garbage.insert(rng() % garbage.size(), std::string(frag) + "\n");
  }
  const std::string huge = "2025-01-01 00:00:00 - Average power usage (W) for gpu: [" + std::string(5 << 20, '1') + "\n";
  for (const std::string* text : std::vector<const std::string*>{&garbage, &huge}) {
    std::vector<ReadIssue> issues;
    const TextLog log = parse_text_log(*text, "bad.log", &issues);
    EXPECT_LE(issues.size(), 51u);
    RunData run = run_from_text_logs(&log, &log, "bad.log", &issues);
    for (const auto& e : run.epochs) {
      for (const auto& [c, j] : e.energy_j) EXPECT_TRUE(std::isfinite(j)) << c;
    }
  }
  std::string many;
  for (int i = 0; i < 200; ++i) many += "Duration: bad\n";
  std::vector<ReadIssue> issues;
  parse_text_log(many, "many.log", &issues);
  ASSERT_EQ(issues.size(), 51u);
  EXPECT_THAT(issues.back().message, HasSubstr("150 more problem(s)"));
}

}  // namespace
}  // namespace carbontracker::report
