// The C++ API from an installed carbontracker: a tracker on a simulated GPU, two epochs, the
// numbers from snapshot(), and a ConfigError caught by its type across the library boundary.
#include <carbontracker/tracker.hpp>
#include <carbontracker/version.hpp>

#include <chrono>
#include <iostream>
#include <thread>

int main() {
  carbontracker::Config cfg;
  cfg.epochs = 2;
  cfg.verbose = 0;
  cfg.sim_gpu = "Consumer GPU";
  cfg.sim_gpu_watts = 200;
  cfg.intensity_g_per_kwh = 100;
  {
    carbontracker::Tracker tracker(cfg);
    for (int e = 0; e < 2; ++e) {
      tracker.epoch_start();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      tracker.epoch_end();
    }
    tracker.stop();
    const carbontracker::Snapshot s = tracker.snapshot();
    std::cout << "cpp consumer: carbontracker " << carbontracker::kVersion << ", epochs " << s.epochs.size()
              << ", gpu energy " << (s.epochs_total.device_energy_j.gpu_j > 0 ? "positive" : "zero")
              << ", finished " << (s.finished ? "yes" : "no") << "\n";
  }
  cfg.pue = 0.5;
  try {
    carbontracker::Tracker bad(cfg);
    std::cout << "cpp consumer: pue 0.5 was accepted\n";
    return 1;
  } catch (const carbontracker::ConfigError& e) {
    std::cout << "cpp consumer: ConfigError for " << e.parameter() << "\n";
  }
  return 0;
}
