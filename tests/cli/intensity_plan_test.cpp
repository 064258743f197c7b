// One intensity plan for `carbontracker intensity` and the tracker (tracker/intensity_setup.hpp):
// the command reads the configuration file ([api_keys] included) and the environment as `run`
// does, and for the same inputs both name the same source and the same reason. Real binary,
// real HTTP on 127.0.0.1 (an Electricity Maps stand-in that records the token it was sent).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

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
constexpr const char* kToken = "em-config-token-7c1d";

// The hour that holds now, as Electricity Maps writes it: "2026-12-07T12:00:00.000Z".
std::string this_hour() {
  const std::time_t s = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:00:00.000Z", &tm);
  return buf;
}

// Electricity Maps' /carbon-intensity/latest for any zone, answered only with the right token;
// every token it is sent is in the server's request log (the test checks which one arrived,
// never prints it).
struct EmServer {
  std::mutex mutex;
  std::filesystem::path answered_marker;  // written once a value was served (set before a run)
  LocalHttpServer http;                   // after what its handler touches

  EmServer() {
    http.get(R"(/carbon-intensity/latest)", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("auth-token") != kToken) {
        res.status = 401;
        res.set_content("{\"message\":\"bad token\"}", "application/json");
        return;
      }
      const json body{{"zone", req.get_param_value("zone")},
                      {"carbonIntensity", 321},
                      {"datetime", this_hour()},
                      {"updatedAt", this_hour()},
                      {"emissionFactorType", "lifecycle"},
                      {"isEstimated", false},
                      {"temporalGranularity", "hourly"}};
      res.set_content(body.dump(), "application/json");
      std::lock_guard lock(mutex);
      if (!answered_marker.empty()) testing::write_file(answered_marker, "served\n");
    });
    http.start();
  }
  bool got_token() const {
    for (const auto& r : http.requests()) {
      if (r.header("auth-token") == kToken) return true;
    }
    return false;
  }
  // No token, location or config from the developer's own environment.
  std::vector<std::string> env() const {
    return {"CARBONTRACKER_ELECTRICITYMAPS_URL=" + http.base_url(),
            "CARBONTRACKER_SYSFS_ROOT=/nonexistent",
            "CARBONTRACKER_PROCFS_ROOT=" + (testing::fixtures_dir() / "procfs/vm-xeon-generic").string(),
            "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1",
            "CARBONTRACKER_ELECTRICITYMAPS_TOKEN",
            "CARBONTRACKER_WATTTIME_USER",
            "CARBONTRACKER_WATTTIME_PASSWORD",
            "CARBONTRACKER_CONFIG",
            "CARBONTRACKER_COUNTRY",
            "CARBONTRACKER_ZONE",
            "CARBONTRACKER_CLOUD",
            "CARBONTRACKER_GB_POSTCODE",
            "CARBONTRACKER_PROVIDER",
            "CARBONTRACKER_INTENSITY_G_PER_KWH"};
  }
};

std::string config_with_key(const std::string& top) {
  return top + "\n[api_keys]\nelectricitymaps = \"" + std::string(kToken) + "\"\n";
}

json intensity_json(const std::vector<std::string>& args, const std::vector<std::string>& env,
                    testing::ProcessResult* out = nullptr) {
  std::vector<std::string> argv{kCli, "intensity", "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_process(argv, env);
  if (out) *out = r;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? json::parse(r.out) : json::object();
}

// The tracker's intensity at the end of a `run` (summary JSON's "intensity": source and why).
json run_intensity(const std::vector<std::string>& args, const std::vector<std::string>& env, const TempDir& dir,
                   const std::string& script, testing::ProcessResult* out = nullptr) {
  std::vector<std::string> argv{kCli, "run", "--pue", "1", "--log-dir", (dir / "logs").string(), "--summary-json",
                                (dir / "s.json").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", script});
  auto r = run_process(argv, env);
  if (out) *out = r;
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(testing::read_text(dir / "s.json"))["intensity"];
}

TEST(IntensityPlan, TheCommandSendsTheConfigFilesApiKey) {
  EmServer em;
  TempDir dir;
  testing::write_file(dir / "c.toml", config_with_key("zone = \"DE\""));
  testing::ProcessResult r;
  const json j = intensity_json({"--config", (dir / "c.toml").string()}, em.env(), &r);
  EXPECT_TRUE(em.got_token()) << "the [api_keys] token reached the provider";
  EXPECT_DOUBLE_EQ(j.value("intensity_g_per_kwh", 0.0), 321.0) << j.dump(2);
  EXPECT_NE(j.value("source", "").find("Electricity Maps"), std::string::npos) << j.dump(2);
  EXPECT_NE(j.value("provider", "").find("token from config api_keys"), std::string::npos) << j.dump(2);
  EXPECT_EQ(r.out.find(kToken), std::string::npos);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
}

TEST(IntensityPlan, TheCommandFindsTheFileThroughCarbontrackerConfig) {
  EmServer em;
  TempDir dir;
  testing::write_file(dir / "c.toml", config_with_key("country = \"Germany\""));
  auto env = em.env();
  env.push_back("CARBONTRACKER_CONFIG=" + (dir / "c.toml").string());
  const json j = intensity_json({}, env);
  EXPECT_TRUE(em.got_token());
  EXPECT_NE(j.value("source", "").find("Electricity Maps"), std::string::npos) << j.dump(2);
  EXPECT_NE(j.value("location", "").find("country DE from setting country"), std::string::npos) << j.dump(2);
}

TEST(IntensityPlan, AFlagWinsOverTheFileAndIsNamedAsTheFlag) {
  TempDir dir;
  testing::write_file(dir / "c.toml", "country = \"FR\"\n");
  const json j = intensity_json({"--config", (dir / "c.toml").string(), "--country", "DK", "--offline"},
                                EmServer().env());
  EXPECT_NE(j.value("why", "").find("yearly average for DK"), std::string::npos) << j.dump(2);
  EXPECT_NE(j.value("location", "").find("country DK from --country"), std::string::npos) << j.dump(2);
  EXPECT_NE(j.value("provider", "").find("--offline"), std::string::npos) << j.dump(2);
}

TEST(IntensityPlan, ABadConfigFileIsAnErrorNamingIt) {
  TempDir dir;
  testing::write_file(dir / "c.toml", "[api_keys]\nelectricitymap = \"x\"\n");
  auto r = run_process({kCli, "intensity", "--config", (dir / "c.toml").string()}, EmServer().env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("api_keys.electricitymap"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean \"electricitymaps\""), std::string::npos) << r.err;
}

TEST(IntensityPlan, AnEnvironmentLocationIsNamedAsTheVariableNotAsIgnored) {
  auto env = EmServer().env();
  env.push_back("CARBONTRACKER_COUNTRY=DK");
  const json j = intensity_json({"--offline"}, env);
  EXPECT_EQ(j.value("location", ""), "country DK from CARBONTRACKER_COUNTRY") << j.dump(2);
  TempDir dir;
  const json t = run_intensity({"--provider", "none"}, env, dir, "true");
  EXPECT_NE(t.value("why", "").find("country DK from CARBONTRACKER_COUNTRY"), std::string::npos) << t.dump(2);
  EXPECT_EQ(t.value("why", "").find("ignored"), std::string::npos) << t.dump(2);
}

// The same configuration file, given to both: the same source and the same why.
TEST(IntensityPlan, CommandAndTrackerAgreeOffline) {
  EmServer em;
  TempDir dir;
  for (const std::string& top : {std::string("zone = \"DE\""),          // no token: no live provider
                                 std::string("cloud = \"gcp:europe-west1\""),
                                 std::string("country = \"DK\"\nprovider = \"none\""),
                                 std::string("intensity_g_per_kwh = 123.5")}) {
    SCOPED_TRACE(top);
    testing::write_file(dir / "c.toml", top + "\n");
    const json cli = intensity_json({"--config", (dir / "c.toml").string()}, em.env());
    TempDir run_dir;
    const json tracker = run_intensity({"--config", (dir / "c.toml").string()}, em.env(), run_dir, "true");
    EXPECT_EQ(cli.value("source", "?"), tracker.value("source", "!"));
    EXPECT_EQ(cli.value("why", "?"), tracker.value("why", "!"));
    // The run's figure is energy-weighted over its samples: the same value up to rounding.
    EXPECT_NEAR(cli.value("intensity_g_per_kwh", -1.0), tracker.value("g_per_kwh", -2.0), 1e-9);
  }
}

TEST(IntensityPlan, CommandAndTrackerAgreeOnTheLiveProviderAndItsReason) {
  EmServer em;
  TempDir dir;
  testing::write_file(dir / "c.toml", config_with_key("zone = \"DE\""));
  const json cli = intensity_json({"--config", (dir / "c.toml").string()}, em.env());
  TempDir run_dir;
  testing::ProcessResult r;
  // The command runs until the service's first fetch was answered (at most 20 s), then a
  // moment more for the tracker to put the value in force.
  {
    std::lock_guard lock(em.mutex);
    em.answered_marker = run_dir / "served";
  }
  const std::string wait = "i=0; while [ ! -f " + (run_dir / "served").string() +
                           " ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; sleep 0.5";
  const json tracker = run_intensity({"--config", (dir / "c.toml").string()}, em.env(), run_dir, wait, &r);
  EXPECT_NE(tracker.value("source", "").find("Electricity Maps"), std::string::npos) << tracker.dump(2) << r.err;
  EXPECT_EQ(cli.value("source", "?"), tracker.value("source", "!"));
  // The run's why goes on with the sources it used over time (the table before the first fetch).
  const std::string cli_why = cli.value("why", "?");
  const std::string run_why = tracker.value("why", "!");
  EXPECT_EQ(run_why.substr(0, cli_why.size()), cli_why) << run_why;
  EXPECT_EQ(run_why.substr(cli_why.size()).rfind(" (sources used during the run: ", 0), 0u) << run_why;
  EXPECT_NE(cli_why.find("token from config api_keys"), std::string::npos) << cli.dump(2);
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
}

}  // namespace
}  // namespace carbontracker
