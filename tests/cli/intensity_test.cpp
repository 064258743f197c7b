// Carbon intensity end to end: the real binary against a real HTTP server on 127.0.0.1 that
// serves the providers' documented shapes (here Energi Data Service and Electricity Maps),
// including the faults a demanding user's network produces. No test reaches the internet.
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "local_http_server.hpp"
#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::LocalHttpServer;
using testing::run_process;
using testing::TempDir;

using testing::kCli;
using testing::iso_minutes;

std::chrono::system_clock::time_point floor5(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::minutes>(t) -
         std::chrono::minutes(std::chrono::floor<std::chrono::minutes>(t).time_since_epoch().count() % 5);
}

// Energi Data Service answers built around the real "now": realised values for the last hour
// (100 g/kWh now), a prognosis from now on (80, 81, ...).
// Both price areas carry the same values, so DK1, DK2 and their mean all read the same.
json eds_records(const std::string& dataset) {
  const auto now = floor5(std::chrono::system_clock::now());
  json records = json::array();
  for (int i = 0; i < 12; ++i) {
    const auto t = dataset == "CO2Emis" ? now - std::chrono::minutes(5 * i) : now + std::chrono::minutes(5 * i);
    for (const char* area : {"DK1", "DK2"}) {
      records.push_back({{"Minutes5UTC", iso_minutes(t)}, {"Minutes5DK", iso_minutes(t)}, {"PriceArea", area},
                         {"CO2Emission", dataset == "CO2Emis" ? 100.0 + i : 80.0 + i}});
    }
  }
  return {{"total", records.size()}, {"dataset", dataset}, {"records", records}};
}

// Calls are counted by the server's request log; http.hang() makes it hang.
struct EdsServer {
  // Answer with this status instead; declared before the server, whose handlers read it.
  std::atomic<int> fail_status{0};
  LocalHttpServer http;

  EdsServer() {
    for (const std::string dataset : {"CO2Emis", "CO2EmisProg"}) {
      http.get("/dataset/" + dataset, [this, dataset](const httplib::Request&, httplib::Response& res) {
        if (fail_status > 0) {
          res.status = fail_status;
          res.set_content("{\"error\":\"unavailable\"}", "application/json");
          return;
        }
        res.set_content(eds_records(dataset).dump(), "application/json");
      });
    }
    http.start();
  }
  std::vector<std::string> env() const {
    return {"CARBONTRACKER_ENERGIDATASERVICE_URL=" + http.base_url(), "CARBONTRACKER_SYSFS_ROOT=/nonexistent",
            "CARBONTRACKER_PROCFS_ROOT=" + (testing::fixtures_dir() / "procfs/vm-xeon-generic").string(),
            "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1", "CARBONTRACKER_COUNTRY", "CARBONTRACKER_ZONE",
            "CARBONTRACKER_ELECTRICITYMAPS_TOKEN"};
  }
};

TEST(CliIntensity, DenmarkOfflineComesFromTheShippedTable) {
  auto r = run_process({kCli, "intensity", "--country", "DK", "--offline", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_NEAR(j["intensity_g_per_kwh"].get<double>(), 143.3, 0.01);
  EXPECT_EQ(j["kind"], "yearly average");
  EXPECT_NE(j["source"].get<std::string>().find("Ember"), std::string::npos);
  EXPECT_NE(j["why"].get<std::string>().find("--country"), std::string::npos);
}

TEST(CliIntensity, LiveValueAndForecastFromEnergiDataService) {
  EdsServer eds;
  auto r = run_process({kCli, "intensity", "--zone", "DK-DK2", "--forecast", "1", "--json"}, eds.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["intensity_g_per_kwh"].get<double>(), 100.0);
  EXPECT_EQ(j["kind"], "measured");
  EXPECT_NE(j["source"].get<std::string>().find("Energi Data Service"), std::string::npos) << j.dump(2);
  ASSERT_TRUE(j["forecast"].is_array());
  ASSERT_GE(j["forecast"].size(), 6u);
  for (const auto& p : j["forecast"]) {
    EXPECT_TRUE(p.contains("start") && p.contains("end") && p.contains("intensity_g_per_kwh"));
    EXPECT_EQ(p["start"].get<std::string>().back(), 'Z');  // ISO-8601 UTC
  }
  EXPECT_DOUBLE_EQ(j["forecast"][0]["intensity_g_per_kwh"].get<double>(), 80.0);
}

TEST(CliIntensity, AFailingProviderFallsBackToTheTableAndSaysWhy) {
  EdsServer eds;
  eds.fail_status = 500;
  auto r = run_process({kCli, "intensity", "--country", "DK", "--json"}, eds.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_NEAR(j["intensity_g_per_kwh"].get<double>(), 143.3, 0.01);
  ASSERT_FALSE(j["warnings"].empty());
  EXPECT_NE(j["warnings"][0].get<std::string>().find("500"), std::string::npos) << j.dump(2);
  EXPECT_GE(eds.http.request_count(), 3u) << "5xx is retried";
}

TEST(CliIntensity, MalformedJsonIsAFaultNotACrash) {
  LocalHttpServer bad;
  bad.answer(R"(/dataset/.*)", 200, "{\"records\": [");
  bad.start();
  auto r = run_process({kCli, "intensity", "--zone", "DK-DK1", "--json"},
                       {"CARBONTRACKER_ENERGIDATASERVICE_URL=" + bad.base_url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["kind"], "yearly average");
  EXPECT_FALSE(j["warnings"].empty());
}

json run_summary(const std::vector<std::string>& extra_args, const std::vector<std::string>& env, const TempDir& dir,
                 const std::string& script, testing::ProcessResult* out = nullptr) {
  std::vector<std::string> a{kCli, "run", "--log-dir", (dir / "logs").string(), "--summary-json",
                             (dir / "s.json").string()};
  a.insert(a.end(), extra_args.begin(), extra_args.end());
  a.insert(a.end(), {"--", "/bin/sh", "-c", script});
  auto r = run_process(a, env);
  if (out) *out = r;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(testing::read_text(dir / "s.json"));
}

TEST(CliRunIntensity, TheReportAndSummaryNameTheLiveSource) {
  EdsServer eds;
  TempDir dir;
  testing::ProcessResult r;
  // The run lasts long enough for the background thread's first fetch to land.
  const json s = run_summary({"--country", "DK"}, eds.env(), dir, "sleep 1.5", &r);
  EXPECT_NE(s["total"]["intensity_source"].get<std::string>().find("Energi Data Service"), std::string::npos)
      << s["total"].dump(2) << r.err;
  EXPECT_NE(r.err.find("Energi Data Service"), std::string::npos) << r.err;
  // The provider's history went into the event log: the HTML report can say what other hours of
  // the day would have emitted.
  auto html = run_process({kCli, "report", (dir / "logs").string(), "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("what-if-hours"), std::string::npos);
  EXPECT_EQ(html.out.find("no hourly data"), std::string::npos);
}

TEST(CliRunIntensity, AHangingProviderDoesNotHoldUpTheRunAndTheTableIsUsed) {
  EdsServer eds;
  eds.http.hang(std::chrono::seconds{20});
  TempDir dir;
  testing::ProcessResult r;
  const auto t0 = std::chrono::steady_clock::now();
  const json s = run_summary({"--country", "DK"}, eds.env(), dir, "sleep 0.3", &r);
  const double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(took_s, 4.0) << "the hanging fetch runs on the background thread and is cancelled at the end";
  EXPECT_NE(s["total"]["intensity_source"].get<std::string>().find("Ember"), std::string::npos) << s.dump(2);
  EXPECT_NE(r.err.find("yearly average"), std::string::npos) << r.err;
}

TEST(CliRunIntensity, AnApiKeyNeverAppearsInOutputLogsOrTheProcessList) {
  const std::string token = "sekret-token-4f9a2c";
  LocalHttpServer em;
  em.answer(R"(/carbon-intensity/.*)", 401, "{\"message\":\"bad token\"}");
  em.start();
  TempDir dir;
  const std::vector<std::string> env{"CARBONTRACKER_ELECTRICITYMAPS_URL=" + em.base_url(),
                                     "CARBONTRACKER_SYSFS_ROOT=/nonexistent"};
  // The child reads the tracker's command line while it runs (its parent is the tracker).
  const std::string script = "cat /proc/$PPID/cmdline | tr '\\0' ' ' > " + (dir / "cmdline").string() + "; sleep 1.5";
  testing::ProcessResult r;
  const json s = run_summary({"--zone", "DE", "--api-keys", "{\"electricitymaps\": \"" + token + "\"}"}, env, dir,
                             script, &r);
  const std::string cmdline = testing::read_text(dir / "cmdline");
  EXPECT_EQ(cmdline.find(token), std::string::npos) << cmdline;
  EXPECT_NE(cmdline.find("***"), std::string::npos) << cmdline;
  EXPECT_EQ(r.out.find(token), std::string::npos);
  EXPECT_EQ(r.err.find(token), std::string::npos);
  EXPECT_EQ(s.dump().find(token), std::string::npos);
  for (const auto& e : std::filesystem::directory_iterator(dir / "logs")) {
    EXPECT_EQ(testing::read_text(e.path()).find(token), std::string::npos) << e.path();
  }
  EXPECT_NE(r.err.find("Electricity Maps"), std::string::npos) << "the failure is reported: " << r.err;
}

}  // namespace
}  // namespace carbontracker
