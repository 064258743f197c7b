// RunData values as the log reader fills them, for the HTML report tests: a run read from our
// event log (channels, power timeline, predictions; the CPU estimated) and one read from the
// Python carbontracker's text logs (epochs and printed blocks only).
#pragma once

#include "report/run_data.hpp"

namespace carbontracker::report::testing {

// 3 epochs of 6 s; power records every 5 s for 20 s: gpu 200 W (counter), cpu 50 W (estimated),
// dram 5 W (counter); PUE 1.5; intensity 143.3 g/kWh; two predictions, the first printed.
inline RunData event_log_run() {
  RunData r;
  r.file = "/logs/1234.1_2024-05-06T070809Z_carbontracker.jsonl";
  r.stem = "1234.1_2024-05-06T070809Z";
  r.format = "carbontracker-cpp-events-v1";
  r.version = "carbontracker version 0.1.0";
  r.pue = 1.5;
  r.devices = {{"gpu", {"NVIDIA A100-SXM4-40GB"}}, {"cpu", {"cpu:0"}}, {"dram", {"dram:0"}}};
  r.channels = {{"nvml:GPU-1", "gpu", "NVIDIA A100-SXM4-40GB", "counter", "nvml"},
                {"tdp:0", "cpu", "package-0", "estimated", "tdp-estimate"},
                {"powercap:intel-rapl:0:0", "dram", "dram (package-0)", "counter", "powercap"}};
  for (int i = 0; i <= 4; ++i) {
    const double t = 5.0 * i;
    r.power.push_back({t, {200 * t, 50 * t, 5 * t}});
  }
  for (int i = 1; i <= 3; ++i) {
    EpochData e;
    e.index = i;
    e.duration_s = 6;
    e.energy_j = {{"total", 1530}, {"gpu", 1200}, {"cpu", 300}, {"dram", 30}};
    e.facility_energy_j = 1530 * 1.5;
    e.estimated_energy_j = 300;
    e.intensity_g_per_kwh = 143.3 + i;
    e.co2eq_g = *e.facility_energy_j / 3.6e6 * *e.intensity_g_per_kwh;
    r.epochs.push_back(e);
  }
  ForecastData f;
  f.after_epochs = 1;
  f.epochs = 10;
  f.duration_s = 60;
  f.energy_kwh = 10 * 2295 / 3.6e6;
  f.energy_kwh_low = f.energy_kwh * 0.9;
  f.energy_kwh_high = f.energy_kwh * 1.2;
  f.intensity_g_per_kwh = 143.3;
  f.co2eq_g = f.energy_kwh * 143.3;
  f.co2eq_g_low = f.energy_kwh_low * 143.3;
  f.co2eq_g_high = f.energy_kwh_high * 143.3;
  r.predictions = {f, f};
  r.predictions[1].after_epochs = 2;
  r.printed_prediction = 0;
  r.intensity_g_per_kwh = 143.3;
  r.intensity_source = "Ember yearly electricity data 2024 via Our World in Data (CC BY 4.0)";
  r.intensity_kind = "yearly average";
  r.actual = Consumption{.epochs = 3,
                         .duration_s = 18,
                         .energy_kwh = 3 * 2295 / 3.6e6,
                         .co2eq_g = 3 * 2295 / 3.6e6 * 144,
                         .equivalents = {},
                         .damaged = {}};
  r.measured_energy_j = 3 * 1230;
  r.estimated_energy_j = 3 * 300;
  r.whole_run_energy_kwh = 0.0021;
  r.whole_run_duration_s = 21;
  r.finished = true;
  return r;
}

// What the Python carbontracker v1.x logs give: 2 of 10 epochs, average power x duration, the
// printed prediction, no PUE, no channels, no timeline, no intensity of its own.
inline RunData python_log_run() {
  RunData r;
  r.file = "/logs/99.7_2021-01-01T000000Z_carbontracker_output.log";
  r.std_file = "/logs/99.7_2021-01-01T000000Z_carbontracker.log";
  r.stem = "99.7_2021-01-01T000000Z";
  r.format = "carbontracker-python-v1";
  r.devices = {{"gpu", {"Tesla V100"}}, {"cpu", {"cpu:0", "cpu:1"}}};
  for (int i = 1; i <= 2; ++i) {
    EpochData e;
    e.index = i;
    e.duration_s = 100;
    e.energy_j = {{"gpu", 25000}, {"cpu", 5000}};
    r.epochs.push_back(e);
  }
  r.predicted = Consumption{
      .epochs = 10, .duration_s = 1000, .energy_kwh = 10 * 30000 * 1.58 / 3.6e6, .co2eq_g = 50, .equivalents = {},
      .damaged = {}};
  return r;
}

}  // namespace carbontracker::report::testing
