// The real engines from Debian (scripts/install-deps): promtool checks our exposition, a real
// Prometheus scrapes two `carbontracker monitor --prometheus` node exporters on 127.0.0.1 and
// its PromQL sum equals the fixtures' energy, and a real Pushgateway receives a short run's push.
// Each test starts and stops its engines (tests/exporter/engine_process.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine_process.hpp"
#include "exporter/metrics_text.hpp"
#include "exporter_test_util.hpp"
#include "fake_machine.hpp"

namespace carbontracker::testing {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";
constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kPushgateway = "/usr/bin/prometheus-pushgateway";

bool installed(const char* path) { return ::access(path, X_OK) == 0; }

int url_port(const std::string& text) {
  std::smatch m;
  const std::regex re(R"(Prometheus metrics at http://127\.0\.0\.1:(\d+)/metrics)");
  return std::regex_search(text, m, re) ? std::stoi(m[1]) : -1;
}

std::string get_body(int port, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2);
  c.set_read_timeout(5);
  auto r = c.Get(path.c_str());
  return r && r->status == 200 ? r->body : std::string();
}

void expect_promtool_clean(const std::string& text) {
  const auto r = run_process({kPromtool, "check", "metrics"}, {}, text);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\n" << text;
  EXPECT_EQ(r.out + r.err, "") << text;
}

TEST(PrometheusEngines, PromtoolFindsNothingInTheExposition) {
  if (!installed(kPromtool)) GTEST_SKIP() << "promtool not installed (scripts/install-deps)";
  // Every metric family, as a tracker in a job shows them.
  exporter::MetricsSnapshot s;
  s.target = {{"host", "node1"}, {"job_id", "42"}, {"rank", "0"}};
  s.info = {{"version", "0.1.0"}, {"mode", "tracker"}, {"launcher", "slurm"}};
  s.channels.push_back({"cpu", "powercap:intel-rapl:0", "counter", 12.5, 50.0});
  s.channels.push_back({"gpu", "nvml:GPU-1", "counter", 1000.25, 250.0});
  s.co2eq_g = 0.5;
  s.intensity = exporter::IntensityMetrics{473.0, "yearly_average"};
  s.epochs = 3;
  s.prediction = exporter::PredictionMetrics{1e6, 9e5, 1.2e6};
  expect_promtool_clean(exporter::render_metrics_text(s));
}

TEST(PrometheusEngines, PrometheusSumsTwoNodeExportersToTheFixturesEnergy) {
  if (!installed(kPrometheus)) GTEST_SKIP() << "prometheus not installed (scripts/install-deps)";
  TempDir dir;
  FakeMachine a(1, false), b(1, false);
  auto monitor = [&](const FakeMachine& m, const std::string& node) {
    auto env = m.env();
    env.push_back("CARBONTRACKER_NODE=" + node);
    return std::make_unique<EngineProcess>(
        "monitor-" + node,
        std::vector<std::string>{CARBONTRACKER_CLI, "monitor", "--prometheus", "127.0.0.1:0", "--interval", "0.2"}, env,
        dir.path());
  };
  auto ma = monitor(a, "nodeA");
  auto mb = monitor(b, "nodeB");
  int pa = -1, pb = -1;
  ASSERT_TRUE(eventually([&] { return (pa = url_port(ma->err())) > 0 && (pb = url_port(mb->err())) > 0; },
                         std::chrono::seconds(10)))
      << ma->err() << mb->err();
  // promtool on what a node exporter really serves.
  if (installed(kPromtool)) expect_promtool_clean(scrape(pa).body);

  const int prom_port = free_port();
  write_file(dir / "prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                     "scrape_configs:\n  - job_name: carbontracker\n    static_configs:\n"
                                     "      - targets: ['127.0.0.1:" + std::to_string(pa) + "', '127.0.0.1:" +
                                         std::to_string(pb) + "']\n");
  EngineProcess prom("prometheus",
                     {kPrometheus, "--config.file=" + (dir / "prometheus.yml").string(),
                      "--storage.tsdb.path=" + (dir / "data").string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
                     {}, dir.path());
  ASSERT_TRUE(eventually([&] { return get_body(prom_port, "/-/ready").size() > 0; }, std::chrono::seconds(20)))
      << prom.err();

  // Energy on the fixtures: 50 J on node A's GPU, 80 J on node B's (RAPL counters stay still).
  write_file(a.gpu(0), "1050000\n");
  write_file(b.gpu(0), "1080000\n");
  const double expected_j = 130.0;
  ASSERT_TRUE(eventually([&] {
    return sum_of(scrape(pa).body, "carbontracker_energy_joules_total") +
               sum_of(scrape(pb).body, "carbontracker_energy_joules_total") == expected_j;
  }, std::chrono::seconds(10)));

  double promql = -1;
  std::string last;
  const bool matched = eventually([&] {
    last = get_body(prom_port, "/api/v1/query?query=sum%20by%20(job)%20(carbontracker_energy_joules_total)");
    const auto j = nlohmann::json::parse(last, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success" || j["data"]["result"].size() != 1) return false;
    const auto& r = j["data"]["result"][0];
    if (r["metric"].value("job", "") != "carbontracker") return false;
    promql = std::stod(r["value"][1].get<std::string>());
    return std::abs(promql - expected_j) <= 0.01 * expected_j;
  }, std::chrono::seconds(20));
  EXPECT_TRUE(matched) << "PromQL sum " << promql << " J, expected " << expected_j << " J; last answer: " << last
                       << prom.err();
  // Both exporters were scraped, each with its host label and no job/instance of its own.
  const auto hosts = nlohmann::json::parse(
      get_body(prom_port, "/api/v1/query?query=count%20by%20(host)%20(carbontracker_info)"), nullptr, false);
  ASSERT_FALSE(hosts.is_discarded());
  EXPECT_EQ(hosts["data"]["result"].size(), 2u) << hosts.dump();
  EXPECT_EQ(prom.stop() & 0x7f, 0) << prom.err();  // ended by the SIGTERM, not killed
  EXPECT_EQ(WEXITSTATUS(ma->stop()), 0) << ma->err();
  EXPECT_EQ(WEXITSTATUS(mb->stop()), 0) << mb->err();
}

TEST(PrometheusEngines, PushgatewayReceivesAShortRunsPush) {
  if (!installed(kPushgateway)) GTEST_SKIP() << "prometheus-pushgateway not installed (scripts/install-deps)";
  TempDir dir;
  const int pg_port = free_port();
  // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: groups of earlier
  // runs would come back. This one keeps its groups in memory only.
  EngineProcess pg("pushgateway",
                   {kPushgateway, "--web.listen-address=127.0.0.1:" + std::to_string(pg_port), "--persistence.file="}, {},
                   dir.path());
  ASSERT_TRUE(eventually([&] { return get_body(pg_port, "/-/ready").size() > 0; }, std::chrono::seconds(20)))
      << pg.err();
  FakeMachine m(1, false);
  auto env = m.env();
  for (const char* v : {"CARBONTRACKER_NODE=nodeP", "CARBONTRACKER_JOB_ID=jobP", "RANK=0", "LOCAL_RANK=0",
                        "WORLD_SIZE=1", "LOCAL_WORLD_SIZE=1"}) {
    env.emplace_back(v);
  }
  env.emplace_back("CARBONTRACKER_RUN_DIR=" + (dir / "run").string());  // its own claims
  // A run far shorter than any scrape interval: 40 J on the GPU, then it ends and pushes.
  const auto r = run_process({CARBONTRACKER_CLI, "run", "--prometheus", "127.0.0.1:0", "--pushgateway",
                              "http://127.0.0.1:" + std::to_string(pg_port), "--update-interval", "0.1", "--", "/bin/sh",
                              "-c", "sleep 0.2; echo 1040000 > " + m.gpu(0).string() + "; sleep 0.2"},
                             env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GT(url_port(r.out + r.err), 0) << r.out << r.err;
  EXPECT_EQ(count_of(r.out + r.err, "Prometheus metrics at"), 1u);
  const std::string pushed = get_body(pg_port, "/metrics");
  std::string gpu_lines;
  std::istringstream in(pushed);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("carbontracker_energy_joules_total{", 0) == 0 && line.find("component=\"gpu\"") != std::string::npos) {
      gpu_lines += line + "\n";
    }
  }
  ASSERT_FALSE(gpu_lines.empty()) << pushed;
  for (const char* label : {"job=\"carbontracker\"", "node=\"nodeP\"", "rank=\"0\"", "job_id=\"jobP\"", "host=\"nodeP\""}) {
    EXPECT_NE(gpu_lines.find(label), std::string::npos) << label << " in " << gpu_lines;
  }
  EXPECT_DOUBLE_EQ(sum_of(gpu_lines, "carbontracker_energy_joules_total"), 40.0) << gpu_lines;
  EXPECT_NE(pushed.find("push_time_seconds{"), std::string::npos);
  // The group's last push did not fail.
  std::istringstream lines(pushed);
  bool failure_line = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("push_failure_time_seconds{", 0) == 0 && line.find("node=\"nodeP\"") != std::string::npos) {
      failure_line = true;
      EXPECT_EQ(line.substr(line.rfind(' ') + 1), "0") << line;
    }
  }
  EXPECT_TRUE(failure_line) << pushed;
  EXPECT_EQ(pg.stop() & 0x7f, 0) << pg.err();
}

// A Pushgateway that is not there: the run ends normally and says once that the push failed.
TEST(PrometheusEngines, AFailedPushIsAWarningNotAFailure) {
  FakeMachine m(1, false);
  const int closed = free_port();
  const auto r = run_process({CARBONTRACKER_CLI, "run", "--pushgateway", "http://127.0.0.1:" + std::to_string(closed),
                              "--", "/bin/true"},
                             m.env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(count_of(r.out + r.err, "the Pushgateway push failed"), 1u) << r.out << r.err;
}

// `run --prometheus 127.0.0.1:0 -- cmd`: the flag from the key registry works, the URL is printed
// once, and the command does not inherit the listening socket (it would hold the port).
TEST(PrometheusEngines, RunServesAndItsCommandInheritsNoSocket) {
  FakeMachine m(1, false);
  const auto r = run_process({CARBONTRACKER_CLI, "run", "--prometheus", "127.0.0.1:0", "--", "/bin/sh", "-c",
                              "ls -l /proc/self/fd"},
                             m.env());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(count_of(r.out + r.err, "carbontracker: Prometheus metrics at http://127.0.0.1:"), 1u) << r.out << r.err;
  EXPECT_EQ(r.out.find("socket:"), std::string::npos) << r.out;
}

// A bad or taken address ends `monitor` before it prints a row: a usage error naming the fix.
TEST(PrometheusEngines, MonitorRefusesAnAddressItCannotServe) {
  FakeMachine m(1, false);
  auto r = run_process({CARBONTRACKER_CLI, "monitor", "--prometheus", "nonsense", "--duration", "1"}, m.env());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("invalid prometheus: \"nonsense\" has no port number"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  r = run_process({CARBONTRACKER_CLI, "monitor", "--prometheus", "192.0.2.1:9464", "--duration", "1"}, m.env());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot listen on 192.0.2.1:9464"), std::string::npos) << r.err;
}

// The CLI finds the /metrics plugin beside itself (CARBONTRACKER_HTTPD_LIBRARY removed), and only
// maps it, cpp-httplib and OpenSSL when it serves: `run`'s command reads its parent's maps.
TEST(PrometheusEngines, TheCliLoadsThePluginFromBesideItselfOnlyWhenItServes) {
  FakeMachine m(1, false);
  auto env = m.env();
  env.emplace_back("CARBONTRACKER_HTTPD_LIBRARY");  // removed: the search itself
  const std::string show_maps = "grep -E 'libcarbontracker_httpd|libcpp-httplib|libssl' /proc/$PPID/maps || true";
  auto r = run_process({CARBONTRACKER_CLI, "run", "--", "/bin/sh", "-c", show_maps}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("libcarbontracker_httpd"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("libcpp-httplib"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("libssl"), std::string::npos) << r.out;

  r = run_process({CARBONTRACKER_CLI, "run", "--prometheus", "127.0.0.1:0", "--", "/bin/sh", "-c", show_maps}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(count_of(r.out + r.err, "carbontracker: Prometheus metrics at http://127.0.0.1:"), 1u) << r.out << r.err;
  const std::string beside_cli =
      std::filesystem::path(CARBONTRACKER_CLI).parent_path().string() + "/libcarbontracker_httpd.so";
  EXPECT_NE(r.out.find(beside_cli), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("libcpp-httplib"), std::string::npos) << r.out;
}

// No plugin where it is looked for: a usage error naming it and the fix, before any row.
TEST(PrometheusEngines, MonitorWithoutThePluginIsAUsageError) {
  FakeMachine m(1, false);
  auto env = m.env();
  env.emplace_back("CARBONTRACKER_HTTPD_LIBRARY=/nonexistent/libcarbontracker_httpd.so");
  const auto r = run_process({CARBONTRACKER_CLI, "monitor", "--prometheus", "127.0.0.1:0", "--duration", "1"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("invalid prometheus: the Prometheus /metrics server needs libcarbontracker_httpd.so, not "
                       "found in /nonexistent/libcarbontracker_httpd.so"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("reinstall carbontracker, or set CARBONTRACKER_HTTPD_LIBRARY"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace carbontracker::testing
