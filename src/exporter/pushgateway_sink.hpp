// The Pushgateway output, for runs shorter than a scrape interval: at the run's end, PUT the
// final metrics (the MetricsStore the Prometheus sink keeps, rendered) to
//   <url>/metrics/job/carbontracker/node/<host>/rank/<rank>
// (grouping key job, node, rank; a PUT replaces the group, so the last run of a rank on a node
// is what the Pushgateway shows).
//
// Contract
//  - Deferred (outputs/sink.hpp): the push runs on the sink list's delivery thread, never on
//    the training thread, bounded by the request's timeouts (io::HttpClient). It must be added
//    after the PrometheusSink that fills the store, so the store holds the final values when
//    RunFinished reaches it.
//  - A failed push is never an exception. wait_for_push() gives its outcome to the tracker, which
//    waits for it (bounded) at the run's end and reports a failure once as a warning; status()
//    stays ok, so the sink list does not report it a second time.
//  - Path segments are URL-encoded; a value with a '/' (or an empty one) uses the
//    Pushgateway's `<label>@base64/<base64url>` form.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.hpp"
#include "exporter/metrics_store.hpp"
#include "io/http_client.hpp"
#include "outputs/sink.hpp"

namespace carbontracker::exporter {

// "<base>/metrics/job/carbontracker/node/<host>/rank/<rank>", base without a trailing '/'.
std::string pushgateway_url(const std::string& base, const std::string& host, const std::string& rank,
                            const std::string& job_id = "");

// Checks a `pushgateway` setting: an http:// or https:// URL.
Status check_pushgateway_url(const std::string& url);

class PushgatewaySink final : public outputs::Sink {
 public:
  PushgatewaySink(std::shared_ptr<const MetricsStore> store, std::string url, std::unique_ptr<io::HttpClient> http);

  [[nodiscard]] std::string name() const override { return "the Pushgateway push"; }
  [[nodiscard]] outputs::Delivery delivery() const override { return outputs::Delivery::deferred; }
  void on_event(const outputs::RunEvent& event) override;
  void shutdown(std::chrono::milliseconds timeout) override;

  // The push itself (tests; on_event calls it at RunFinished).
  Status push();
  // Any thread: the push's outcome once it has run, or a Status saying it did not end within
  // `timeout` (it was not reached, or is still in flight).
  Status wait_for_push(std::chrono::milliseconds timeout);

 private:
  std::shared_ptr<const MetricsStore> store_;
  std::string url_;
  std::unique_ptr<io::HttpClient> http_;
  bool pushed_ = false;  // delivery thread
  std::mutex mutex_;
  std::condition_variable done_cv_;
  std::optional<Status> outcome_;
};

}  // namespace carbontracker::exporter
