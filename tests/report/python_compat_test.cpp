#include "report/python_compat.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "test_support.hpp"
#include "report_test_logs.hpp"

namespace carbontracker::report::python_compat {
namespace {

using namespace carbontracker::report::test_logs;

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;


// The strings of the Python tool's tests/test_parser.py, with its expected values.
TEST(PythonCompat, GetConsumptionAsInThePythonTests) {
  const auto [actual, pred] = get_consumption(
      "2022-11-14 15:44:48 - CarbonTracker: Actual consumption for 1 epoch(s):\n"
      "\tTime:\t0:02:22\n"
      "\tEnergy:\t0.009417 kWh\n"
      "\tCO2eq:\t0.960490 g\n"
      "\tThis is equivalent to:\n"
      "\t0.007977 km travelled by car\n");
  ASSERT_TRUE(actual);
  EXPECT_FALSE(pred);
  EXPECT_EQ(actual->epochs, 1);
  EXPECT_DOUBLE_EQ(actual->duration_s, 142.0);
  EXPECT_DOUBLE_EQ(actual->energy_kwh, 0.009417);
  EXPECT_DOUBLE_EQ(actual->co2eq_g, 0.96049);
  ASSERT_TRUE(actual->equivalents);
  EXPECT_EQ(*actual->equivalents, (std::map<std::string, double>{{"km travelled by car", 0.007977}}));

  const auto [a2, p2] = get_consumption(
      "2022-11-14 15:44:48 - CarbonTracker: Actual consumption for 1 epoch(s):\n"
      "   Time:  0:02:22\n   Energy:    0.009417 kWh\n   CO2eq: 0.960490 g\n   This is equivalent to:\n");
  ASSERT_TRUE(a2 && a2->equivalents);
  EXPECT_TRUE(a2->equivalents->empty());  // {} as in Python, not None

  const auto [a3, p3] =
      get_consumption("x - CarbonTracker: \nPredicted consumption for 4 epoch(s):\n\tTime:\t0:03:33\n\tEnergy:\t0.014018 "
                      "kWh\n\tCO2eq:\t1.429803 g\n");
  ASSERT_TRUE(p3);
  EXPECT_FALSE(p3->equivalents);  // None: no "This is equivalent to:" line
  EXPECT_EQ(p3->epochs, 4);
}

TEST(PythonCompat, ActualEpochCountIsReadNotAlwaysOne) {
  const auto [actual, pred] =
      get_consumption("Actual consumption for 12 epoch(s):\n\tTime:\t1:00:00\n\tEnergy:\t1.0 kWh\n\tCO2eq:\t2.0 g\n");
  ASSERT_TRUE(actual);
  EXPECT_EQ(actual->epochs, 12);
  // Written with epochs_before_pred=0: no count; the Python tool's parser says 1.
  const auto [no_count, none] =
      get_consumption("x - CarbonTracker: \nActual consumption:\n\tTime:\t0:00:01\n\tEnergy:\t1.0 kWh\n\tCO2eq:\t2.0 g");
  ASSERT_TRUE(no_count);
  EXPECT_EQ(no_count->epochs, 1);
  EXPECT_DOUBLE_EQ(no_count->co2eq_g, 2.0);  // the last line, without a final newline
}

TEST(PythonCompat, StandardLogFunctions) {
  EXPECT_EQ(get_epoch_durations(
                "2022-11-14 15:44:48 - Epoch 1:\nDuration: 0:02:21.90\n2022-11-14 15:44:48 - Epoch 2:\nDuration: 0:01:30"),
            (std::vector<double>{141.9, 90.0}));
  EXPECT_EQ(get_devices("2022-11-14 15:42:43 - CarbonTracker: The following components were found: GPU with device(s) "
                        "NVIDIA GeForce RTX 3060. CPU with device(s) cpu:0.\n"),
            (std::vector<std::pair<std::string, std::vector<std::string>>>{{"gpu", {"NVIDIA GeForce RTX 3060"}},
                                                                           {"cpu", {"cpu:0"}}}));  // line order
  EXPECT_TRUE(get_early_stop("2022-11-14 15:44:48 - CarbonTracker: Training was interrupted"));
  EXPECT_FALSE(get_early_stop("2022-11-14 15:44:48 - Monitoring thread ended."));
  EXPECT_EQ(get_avg_power_usages("2022-11-14 15:44:48 - Average power usage (W) for gpu: [136.86084615]\n"
                                 "2022-11-14 15:44:48 - Average power usage (W) for cpu: [13.389104]"),
            (std::map<std::string, std::vector<std::vector<double>>>{{"gpu", {{136.86084615}}}, {"cpu", {{13.389104}}}}));
}

TEST(PythonCompat, ANonePowerIsZeroForItsOwnComponentAsInThePythonTool) {
  // The Python tool: [[0.0]] for cpu; its regex kept only the first gpu value ([[1.5]]).
  const auto p = get_avg_power_usages(
      "2024-03-26 10:51:53 - Epoch 1:\n2024-03-26 10:51:53 - Duration: 0:00:00.00\n"
      "2024-03-26 10:51:53 - Average power usage (W) for cpu: None\n"
      "2024-03-26 10:51:53 - Average power usage (W) for gpu: [1.5 2.5]");
  EXPECT_EQ(p.at("cpu"), (std::vector<std::vector<double>>{{0.0}}));
  EXPECT_EQ(p.at("gpu"), (std::vector<std::vector<double>>{{1.5, 2.5}}));  // every device, not the first only
  // A value the Python regex does not match is left out, as there.
  const auto q = get_avg_power_usages("Average power usage (W) for gpu: nan\nAverage power usage (W) for gpu: 3.0\n");
  EXPECT_EQ(q.at("gpu"), (std::vector<std::vector<double>>{{3.0}}));
}

TEST(PythonCompat, ParseLogsReportsAMismatchWhereThePythonToolRaises) {
  TempDir dir;
  // Python raises MismatchedEpochsError on this (two power lines per component, one duration).
  write_file(dir / "10151_2024-03-26T105926Z_carbontracker.log",
             "2022-11-14 15:44:48 - The following components were found: GPU with device(s) G. CPU with device(s) C.\n"
             "2022-11-14 15:44:48 - Average power usage (W) for gpu: [136.86084615]\n"
             "2022-11-14 15:44:48 - Average power usage (W) for cpu: [13.389104]\n"
             "2022-11-14 15:44:48 - Average power usage (W) for gpu: [136.86084615]\n"
             "2022-11-14 15:44:48 - Average power usage (W) for cpu: [13.389104]\n"
             "2022-11-14 15:44:48 - Epoch 1:\nDuration: 0:02:21.90\n");
  write_file(dir / "10151_2024-03-26T105926Z_carbontracker_output.log", "output_log1 content\n");
  std::vector<ReadIssue> issues;
  const auto c = parse_logs(dir.path(), dir / "10151_2024-03-26T105926Z_carbontracker.log",
                            dir / "10151_2024-03-26T105926Z_carbontracker_output.log", &issues);
  ASSERT_EQ(c.count("gpu"), 1u);
  EXPECT_EQ(c.at("gpu").epoch_durations_s, std::vector<double>{141.9});
  EXPECT_EQ(c.at("gpu").avg_power_usages_w->size(), 2u);
  EXPECT_FALSE(c.at("gpu").avg_energy_usages_j);
  EXPECT_EQ(c.at("gpu").mismatch,
            "Found 2 power measurements and 1 duration measurements. Expected equal number of measurements.");
  EXPECT_EQ(issues.size(), 2u);  // one per component
  // Ours: the power lines just before "Epoch 1:" are epoch 1's.
  EXPECT_EQ(c.at("gpu").epoch_energy_j, std::vector<double>{136.86084615 * 141.9});
}

TEST(PythonCompat, AMissingLogDirectoryThrowsAsOsListdir) {
  EXPECT_THROW(parse_all_logs(kLogs / "no-such-directory"), fs::filesystem_error);
  EXPECT_THROW(aggregate_consumption(kLogs / "no-such-directory"), fs::filesystem_error);
  EXPECT_THROW(parse_logs(kLogs / "no-such-directory"), fs::filesystem_error);
  try {
    parse_all_logs(kLogs / "no-such-directory");
  } catch (const fs::filesystem_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_EQ(e.path1(), kLogs / "no-such-directory");
  }
}

TEST(PythonCompat, ParseLogsOfAV1RunSumsDevicesPerEpoch) {
  const fs::path dir = kLogs / "python-v1";
  const auto c = parse_logs(dir, dir / "1234.88_2022-11-14T154243Z_carbontracker.log",
                            dir / "1234.88_2022-11-14T154243Z_carbontracker_output.log");
  const ComponentLog& gpu = c.at("gpu");
  EXPECT_EQ(gpu.devices, (std::vector<std::string>{"TITAN RTX", "TITAN RTX"}));
  EXPECT_EQ(*gpu.epoch_durations_s, (std::vector<double>{141.9, 140.0}));
  EXPECT_EQ(gpu.avg_power_usages_w->at(0), (std::vector<double>{136.86084615, 140.2}));
  EXPECT_DOUBLE_EQ(gpu.avg_energy_usages_j->at(0).at(1), 140.2 * 141.9);
  EXPECT_DOUBLE_EQ(gpu.epoch_energy_j.at(0), 136.86084615 * 141.9 + 140.2 * 141.9);
  EXPECT_DOUBLE_EQ(c.at("cpu").epoch_energy_j.at(1), (13.0 + 12.0) * 140.0);
}

TEST(PythonCompat, ParseLogsWithoutFilesTakesTheNewestRunsOwnPair) {
  TempDir dir;
  write_file(dir / "1_carbontracker.log", "The following components were found: GPU with device(s) G.\n"
                                          "Duration: 0:00:01.00\nAverage power usage (W) for gpu: 1.0\n");
  write_file(dir / "1_carbontracker_output.log", "x\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  write_file(dir / "2_carbontracker.log", "The following components were found: GPU with device(s) G.\n"
                                          "Duration: 0:00:02.00\nAverage power usage (W) for gpu: 2.0\n");
  const auto c = parse_logs(dir.path());
  EXPECT_EQ(*c.at("gpu").epoch_durations_s, std::vector<double>{2.0});
}

TEST(PythonCompat, ParseAllLogsPairsByStemAndDropsUnpairedFiles) {
  std::vector<ReadIssue> issues;
  const auto entries = parse_all_logs(kLogs / "mismatched", &issues);
  ASSERT_EQ(entries.size(), 1u);  // 2222.2 (output log only) and 3333.3 (standard log only) dropped
  EXPECT_THAT(entries[0].output_filename, HasSubstr("1111.1_"));
  EXPECT_THAT(entries[0].standard_filename, HasSubstr("1111.1_"));
  EXPECT_EQ(entries[0].actual->epochs, 2);
  EXPECT_EQ(entries[0].components.at("gpu").epoch_durations_s->size(), 2u);
  std::string text;
  for (const auto& i : issues) text += i.file + ": " + i.message + "\n";
  EXPECT_THAT(text, HasSubstr("2222.2_2025-05-01T110000Z_carbontracker_output.log: no standard log with the same stem"));
  EXPECT_THAT(text, HasSubstr("3333.3_2025-05-01T120000Z_carbontracker.log: no output log with the same stem"));
}

TEST(PythonCompat, AggregateUsesActualForFinishedRunsAndSaysSo) {
  // Python: both runs' actual epochs read as 1 != 3, so it summed the predictions.
  const auto a = aggregate_consumption(kLogs / "python-v2");
  EXPECT_EQ(a.basis, AggregateBasis::actual);
  EXPECT_DOUBLE_EQ(a.energy_kwh, 0.012185397089);
  EXPECT_DOUBLE_EQ(a.co2eq_g, 1.746167402917);
  EXPECT_DOUBLE_EQ(a.equivalents.at("km travelled by car"), 0.016349882050);
  ASSERT_EQ(a.runs.size(), 1u);
  EXPECT_EQ(a.runs[0].basis, RunBasis::actual);

  const auto killed = aggregate_consumption(kLogs / "prediction-only");
  EXPECT_EQ(killed.basis, AggregateBasis::predicted);
  EXPECT_DOUBLE_EQ(killed.energy_kwh, 0.028966666667);

  const auto early = aggregate_consumption(kLogs / "early-stop");
  EXPECT_EQ(early.basis, AggregateBasis::actual);
  EXPECT_DOUBLE_EQ(early.energy_kwh, 0.001221866667);

  // Unpaired files are left out, as the Python tool's get_all_logs leaves them out.
  const auto mixed = aggregate_consumption(kLogs / "mismatched");
  EXPECT_EQ(mixed.basis, AggregateBasis::actual);
  EXPECT_DOUBLE_EQ(mixed.energy_kwh, 0.000965555556);
  ASSERT_EQ(mixed.runs.size(), 1u);

  const auto truncated = aggregate_consumption(kLogs / "truncated");
  EXPECT_EQ(truncated.basis, AggregateBasis::predicted);  // its actual block was cut off
}

TEST(PythonCompat, AggregateReadsOurEventLogsToo) {
  std::vector<ReadIssue> issues;
  const auto a = aggregate_consumption(kLogs / "ours", &issues);
  EXPECT_EQ(a.basis, AggregateBasis::actual);
  EXPECT_NEAR(a.energy_kwh, 0.000098584899, 5e-13);  // its output log's actual block (12 decimals)
  EXPECT_NEAR(a.co2eq_g, a.energy_kwh * 200.0, 1e-12);
  EXPECT_NEAR(a.equivalents.at("km travelled by car"), a.co2eq_g / 106.8, 1e-15);
  EXPECT_TRUE(issues.empty());
  const auto both = aggregate_consumption(kLogs / "ours-killed");
  EXPECT_EQ(both.basis, AggregateBasis::predicted);
}

TEST(PythonCompat, AggregateSentenceIsThePythonOne) {
  AggregateConsumption a;
  a.energy_kwh = 100.0;
  a.co2eq_g = 50000.0;
  EXPECT_EQ(aggregate_sentence(a),
            "The training of models in this work is estimated to use 100.0000000000000000 kWh of electricity "
            "contributing to 50.0000000000000000 kg of CO2eq. Measured by carbontracker "
            "(https://github.com/lfwa/carbontracker).");
  a.co2eq_g = 5000.0;
  a.equivalents["km travelled"] = 200.0;
  EXPECT_EQ(aggregate_sentence(a),
            "The training of models in this work is estimated to use 100.0000000000000000 kWh of electricity "
            "contributing to 5.0000000000000000 kg of CO2eq. This is equivalent to 200.0000000000000000 km travelled. "
            "Measured by carbontracker (https://github.com/lfwa/carbontracker).");
  EXPECT_EQ(print_aggregate(kLogs / "early-stop"),
            "The training of models in this work is estimated to use 0.0012218666670000 kWh of electricity "
            "contributing to 0.0001750934933330 kg of CO2eq. This is equivalent to 0.0016394521850000 km travelled "
            "by car. Measured by carbontracker (https://github.com/lfwa/carbontracker).");
}

}  // namespace
}  // namespace carbontracker::report::python_compat
