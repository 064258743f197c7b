// The Pushgateway push: the grouping key's URL (plain, percent-encoded and base64 segments) and
// a real PUT over 127.0.0.1 (libcurl) carrying the rendered metrics; a failed push is a status.
#include <gtest/gtest.h>

#include <mutex>

#include "exporter/pushgateway_sink.hpp"
#include "local_http_server.hpp"

namespace carbontracker::exporter {
namespace {

TEST(PushgatewayUrl, GroupingKeyJobNodeRank) {
  EXPECT_EQ(pushgateway_url("http://pg:9091/", "node1", "3"), "http://pg:9091/metrics/job/carbontracker/node/node1/rank/3");
  EXPECT_EQ(pushgateway_url("http://pg:9091", "a b", ""),
            "http://pg:9091/metrics/job/carbontracker/node/a%20b/rank@base64/=");
  // A '/' cannot be percent-encoded in a path segment the Pushgateway splits: base64url.
  EXPECT_EQ(pushgateway_url("http://pg", "x/y", "0"), "http://pg/metrics/job/carbontracker/node@base64/eC95/rank/0");
  EXPECT_EQ(pushgateway_url("http://pg", "n1", "2", "4242"), "http://pg/metrics/job/carbontracker/job_id/4242/node/n1/rank/2");
  EXPECT_TRUE(check_pushgateway_url("http://127.0.0.1:9091").is_ok());
  EXPECT_FALSE(check_pushgateway_url("127.0.0.1:9091").is_ok());
  EXPECT_FALSE(check_pushgateway_url("ftp://x").is_ok());
}

TEST(PushgatewaySink, PutsTheFinalMetricsAtRunFinished) {
  std::mutex m;
  std::string path, body, method, type;
  testing::LocalHttpServer http;
  http.server().Put(R"(/metrics/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(m);
    path = req.path;
    body = req.body;
    method = req.method;
    type = req.get_header_value("Content-Type");
    res.status = 200;
  });
  http.start();
  auto store = std::make_shared<MetricsStore>();
  auto snap = std::make_shared<MetricsSnapshot>();
  snap->target = {{"host", "node1"}, {"job_id", "j"}, {"rank", "2"}};
  snap->channels.push_back({"gpu", "nvml:GPU-1", "counter", 123.0, std::nullopt});
  store->publish(snap);
  PushgatewaySink sink(store, http.base_url(), io::make_curl_http_client());
  EXPECT_EQ(sink.delivery(), outputs::Delivery::deferred);
  sink.on_event(outputs::Note{});
  {
    std::lock_guard lock(m);
    EXPECT_TRUE(path.empty());  // nothing before the run's end
  }
  Snapshot final;
  sink.on_event(outputs::RunFinished{{}, &final, 1, std::nullopt});
  EXPECT_TRUE(sink.wait_for_push(std::chrono::milliseconds(100)).is_ok());
  std::lock_guard lock(m);
  EXPECT_EQ(method, "PUT");
  EXPECT_EQ(path, "/metrics/job/carbontracker/job_id/j/node/node1/rank/2");
  EXPECT_EQ(type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(body, render_metrics_text(*snap));
}

TEST(PushgatewaySink, AFailedPushIsItsOutcome) {
  testing::LocalHttpServer http;
  http.server().Put(R"(/metrics/.*)", [](const httplib::Request&, httplib::Response& res) { res.status = 400; });
  http.start();
  auto store = std::make_shared<MetricsStore>();
  store->publish(std::make_shared<MetricsSnapshot>());
  PushgatewaySink sink(store, http.base_url(), io::make_curl_http_client());
  EXPECT_FALSE(sink.wait_for_push(std::chrono::milliseconds(1)).is_ok());  // not pushed yet
  Snapshot final;
  sink.on_event(outputs::RunFinished{{}, &final, 1, std::nullopt});
  const Status st = sink.wait_for_push(std::chrono::milliseconds(100));
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("Pushgateway"), std::string::npos);
  EXPECT_TRUE(sink.status().is_ok());  // reported by the tracker (wait_for_push), not twice
}

}  // namespace
}  // namespace carbontracker::exporter
