// The text report sinks on their own (tracker/report_sink.hpp): the console's and the Python-format
// logs' share of each run event, written to a string stream and a temporary folder.
#include <gtest/gtest.h>

#include <sstream>

#include "outputs/carbontracker_log.hpp"
#include "test_support.hpp"
#include "tracker/report_sink.hpp"

namespace carbontracker {
namespace {

using outputs::CarbontrackerLog;
using outputs::NoteLevel;
using testing::TempDir;

const outputs::WallTime kWall{std::chrono::seconds(1'700'000'000)};

outputs::RunStarted started() {
  outputs::RunStarted e;
  e.wall = kWall;
  e.record.pue = 1.58;
  e.record.epochs_before_pred = 1;
  ChannelInfo gpu;
  gpu.id = "nvml:GPU-0";
  gpu.component = Component::gpu;
  gpu.name = "NVIDIA H100";
  gpu.source = "nvml";
  e.record.channels = {gpu};
  e.record.intensity = {250, "user setting", IntensityKind::fixed, "set in the configuration"};
  e.wanted = {Component::gpu};
  return e;
}

Snapshot final_snapshot(const EpochRecord& epoch) {
  Snapshot s;
  s.epochs = {epoch};
  s.epochs_completed = 1;
  s.epochs_total = epoch.totals;
  s.whole_run = epoch.totals;
  s.intensity = {250, "user setting", IntensityKind::fixed, "set in the configuration"};
  s.finished = true;
  return s;
}

EpochRecord epoch_one() {
  EpochRecord e;
  e.index = 1;
  e.totals.duration_s = 10;
  e.totals.device_energy_j.gpu_j = 3000;
  e.totals.facility_energy_j = 4740;
  e.totals.co2eq_g = 0.329;
  return e;
}

std::shared_ptr<tracker::ReportSink> console_sink(std::ostringstream& out, int verbose) {
  auto log = CarbontrackerLog::open(std::nullopt, &out, verbose);
  EXPECT_TRUE(log);
  return std::make_shared<tracker::ReportSink>("console", std::move(*log), true);
}

TEST(ReportSink, TheConsoleShowsOutputLinesPromptsAndWarningsButNotTheStdLog) {
  std::ostringstream out;
  auto sink = console_sink(out, 1);
  sink->on_event(started());
  sink->on_event(outputs::Note{kWall, NoteLevel::log, "std log only"});
  sink->on_event(outputs::Note{kWall, NoteLevel::output, "an output line"});
  sink->on_event(outputs::Warning{kWall, "a warning"});
  sink->on_event(outputs::OutputFailed{Status(StatusCode::unavailable, "the logs stopped")});
  const std::string text = out.str();
  EXPECT_NE(text.find("CarbonTracker: The following components were found: GPU with device(s) NVIDIA H100.\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("std log only"), std::string::npos) << text;
  EXPECT_NE(text.find("CarbonTracker: an output line\n"), std::string::npos) << text;
  EXPECT_NE(text.find("CarbonTracker: WARNING - a warning\n"), std::string::npos) << text;
  EXPECT_NE(text.find("CarbonTracker: WARNING - the logs stopped"), std::string::npos) << text;
  EXPECT_TRUE(sink->status().is_ok());
}

TEST(ReportSink, AtVerboseZeroOnlyPromptsAndWarningsReachTheConsole) {
  std::ostringstream out;
  auto sink = console_sink(out, 0);
  sink->on_event(started());
  sink->on_event(outputs::Note{kWall, NoteLevel::output, "quiet"});
  sink->on_event(outputs::Note{kWall, NoteLevel::prompt, "Continue training (y/n)?"});
  sink->on_event(outputs::Warning{kWall, "loud"});
  EXPECT_EQ(out.str(), "CarbonTracker: Continue training (y/n)?\nCarbonTracker: WARNING - loud\n");
}

TEST(ReportSink, TheLogFilesGetTheEpochBlockTheFinalReportAndTheWarnings) {
  TempDir dir;
  const outputs::LogNaming naming{dir.path(), "t", 42, 7, kWall};
  auto log = CarbontrackerLog::open(naming, nullptr, 1);
  ASSERT_TRUE(log) << log.status().to_string();
  tracker::ReportSink sink("carbontracker logs", std::move(*log), false);
  const EpochRecord epoch = epoch_one();
  const Snapshot snap = final_snapshot(epoch);
  sink.on_event(started());
  sink.on_event(outputs::EpochEnded{kWall, &epoch});
  sink.on_event(outputs::Warning{kWall, "a warning"});
  sink.on_event(outputs::OutputFailed{Status(StatusCode::unavailable, "not for the files")});
  sink.on_event(outputs::RunFinished{kWall, &snap, 1, std::nullopt});
  sink.flush();
  ASSERT_TRUE(sink.status().is_ok()) << sink.status().to_string();
  const std::string stem = naming.stem();
  const std::string std_log = testing::read_text(dir.path() / (stem + "_carbontracker.log"));
  const std::string output_log = testing::read_text(dir.path() / (stem + "_carbontracker_output.log"));
  const std::string err_log = testing::read_text(dir.path() / (stem + "_carbontracker_err.log"));
  EXPECT_NE(std_log.find(" - Epoch 1:\n"), std::string::npos) << std_log;
  EXPECT_NE(std_log.find(" - Duration: 0:00:10.00\n"), std::string::npos) << std_log;
  EXPECT_NE(std_log.find(" - Average power usage (W) for gpu: 300"), std::string::npos) << std_log;
  EXPECT_NE(std_log.find(" - Monitoring thread ended.\n"), std::string::npos) << std_log;
  EXPECT_NE(output_log.find("CarbonTracker: \nActual consumption for 1 epoch(s):\n"), std::string::npos) << output_log;
  EXPECT_NE(output_log.find("CarbonTracker: Finished monitoring.\n"), std::string::npos) << output_log;
  EXPECT_EQ(output_log.find("not for the files"), std::string::npos) << output_log;
  EXPECT_NE(err_log.find(" - MainThread - WARNING - a warning\n"), std::string::npos) << err_log;
}

TEST(ReportSink, RunModePrintsAnUpdatedPredictionOnlyOutsideThePrintedInterval) {
  std::ostringstream out;
  auto sink = console_sink(out, 1);
  auto s = started();
  s.open_ended = true;
  sink->on_event(s);
  Forecast first;
  first.after_epochs = 1;
  first.epochs = 10;
  first.energy_j = 36000;
  first.energy_j_low = 30000;
  first.energy_j_high = 40000;
  first.duration_s = 100;
  first.duration_s_low = 90;
  first.duration_s_high = 110;
  first.confidence = 0.9;
  const auto made = [](const Forecast& f, bool printed) {
    return outputs::PredictionMade{
        kWall, {printed, outputs::ForecastRecord::of(f), outputs::ForecastRecord::of(f), 1.58}, ""};
  };
  sink->on_event(made(first, true));
  Forecast inside = first;
  inside.after_epochs = 2;
  inside.energy_j = 39000;
  sink->on_event(made(inside, false));
  EXPECT_EQ(out.str().find("Updated prediction"), std::string::npos) << out.str();
  Forecast outside = first;
  outside.after_epochs = 3;
  outside.energy_j = 45000;
  sink->on_event(made(outside, false));
  EXPECT_NE(out.str().find("CarbonTracker: Updated prediction after 3 epoch(s) for 10 epoch(s):"), std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("outside the interval printed after 1 epoch(s)."), std::string::npos) << out.str();
}

}  // namespace
}  // namespace carbontracker
