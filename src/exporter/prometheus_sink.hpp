// The tracker's Prometheus output: an inline sink (outputs/sink.hpp) that keeps a MetricsStore
// current from the run events and the sampler's power points. It owns no thread and does no
// I/O: the HTTP server (exporter/metrics_server.hpp, owned by the tracker) and the Pushgateway
// sink read the store.
//
// Contract
//  - RunStarted fixes the channels (RunStartEvent::channels order) and the intensity; each
//    power point (sampler thread) updates cumulative energy per channel, mean power over the
//    last interval and the CO2eq so far (each joule x PUE x the intensity in force); EpochEnded
//    counts epochs; PredictionMade (robust forecast) sets the predicted energy; IntensityChanged
//    the intensity; RunFinished sets the run's final totals. Every update publishes a new
//    snapshot.
//  - Counters only grow: a value that would go down (the final totals after a later power point)
//    keeps the larger one, so rate() never sees a false reset.
//  - Cheap: an update copies a few numbers per channel under the sink's own mutex (shared by the
//    sampler and training threads, held for microseconds) and swaps a pointer.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "exporter/metrics_store.hpp"
#include "outputs/sink.hpp"

namespace carbontracker::exporter {

// Labels every series carries: host, job_id, rank (in that order), and extra info labels.
struct RunLabels {
  std::string host;
  std::string job_id;  // empty: not in a job
  std::string rank;    // empty: not in a job
  Labels info;         // for carbontracker_info besides version (mode, launcher)
};

// basis label of an intensity kind: "yearly average" -> "yearly_average".
std::string intensity_basis(IntensityKind kind);

// The metric labels of a channel (component, device = the channel id, method).
ChannelMetrics channel_metrics(const ChannelInfo& channel);

class PrometheusSink final : public outputs::Sink {
 public:
  PrometheusSink(std::shared_ptr<MetricsStore> store, RunLabels labels);

  [[nodiscard]] std::string name() const override { return "Prometheus metrics"; }
  void on_event(const outputs::RunEvent& event) override;
  [[nodiscard]] bool wants_power() const override { return true; }
  void on_power(double t_s, std::span<const double> energy_j) override;

 private:
  void publish_locked();

  std::shared_ptr<MetricsStore> store_;
  RunLabels labels_;
  std::mutex mutex_;
  MetricsSnapshot state_;
  double pue_ = 1.0;
  std::vector<double> last_point_t_s_;  // per channel: its last finite point (sampler thread)
  std::vector<double> last_energy_j_;
  bool finished_ = false;
};

}  // namespace carbontracker::exporter
