// Errors a person can act on (docs/cli.md): the real binary, run as a child process, with real
// configuration files, real programs on a PATH of the test's making, and a real HTTP server on
// 127.0.0.1 that answers slowly but correctly.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "local_http_server.hpp"
#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::LocalHttpServer;
using testing::ProcessResult;
using testing::run_process;
using testing::TempDir;
using testing::write_file;

using testing::kCli;
using testing::iso_minutes;
using testing::count_of;

// A machine without counters or GPUs (estimates only), no location, no configuration file and
// no network: every run is quick and reads nothing of the host's.
std::vector<std::string> quiet_machine(std::vector<std::string> extra = {}) {
  std::vector<std::string> env{"CARBONTRACKER_SYSFS_ROOT=/nonexistent",
                               "CARBONTRACKER_PROCFS_ROOT=" + (testing::fixtures_dir() / "procfs/vm-xeon-generic").string(),
                               "CARBONTRACKER_NVML_LIBRARY=/nonexistent/libnvidia-ml.so.1",
                               "CARBONTRACKER_CONFIG",
                               "CARBONTRACKER_COUNTRY",
                               "CARBONTRACKER_ZONE",
                               "CARBONTRACKER_ELECTRICITYMAPS_TOKEN",
                               "CARBONTRACKER_ENERGIDATASERVICE_URL=http://127.0.0.1:9"};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

void make_executable(const std::filesystem::path& path, const std::string& script) {
  write_file(path, script);
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
}

// --- unknown commands --------------------------------------------------------------------

TEST(CliErrors, AMistypedCommandIsNamedWithTheClosestOneAndNothingIsMeasured) {
  TempDir dir;
  const auto env = quiet_machine({"CARBONTRACKER_LOG_DIR=" + (dir / "logs").string()});
  auto r = run_process({kCli, "reprot", (dir / "logs").string()}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("carbontracker: unknown command 'reprot'; did you mean 'report'?"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("CarbonTracker"), std::string::npos) << "no tracker report: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "logs")) << "nothing was measured, no log written";

  // After the Python form's options too.
  auto py = run_process({kCli, "--log_dir", (dir / "logs").string(), "moniter"}, env);
  EXPECT_EQ(py.exit_code, 2) << py.err;
  EXPECT_NE(py.err.find("unknown command 'moniter'; did you mean 'monitor'?"), std::string::npos) << py.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "logs"));
}

TEST(CliErrors, AFutureCommandIsNamedAsNotInThisVersion) {
  TempDir dir;
  auto r = run_process({kCli, "plan", "--epochs", "10"}, quiet_machine({"CARBONTRACKER_LOG_DIR=" + (dir / "logs").string()}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown command 'plan'; this version has no 'plan' command"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("report"), std::string::npos) << "the commands that exist are listed: " << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "logs"));
}

TEST(CliErrors, RealProgramsKeepThePythonFormEvenWhenNamedLikeACommand) {
  TempDir dir;
  const auto bin = dir / "bin";
  std::filesystem::create_directories(bin);
  make_executable(bin / "reprot", "#!/bin/sh\necho ran-reprot \"$@\"\n");
  const auto logs = (dir / "logs").string();
  // On PATH: the program runs, measured as the Python tool would.
  auto on_path = run_process({kCli, "--log_dir", logs, "reprot", "x"},
                             quiet_machine({"PATH=" + bin.string() + ":/usr/bin:/bin", "CARBONTRACKER_INTENSITY_G_PER_KWH=100"}));
  EXPECT_EQ(on_path.exit_code, 0) << on_path.err;
  EXPECT_NE(on_path.out.find("ran-reprot x"), std::string::npos) << on_path.out;
  EXPECT_TRUE(std::filesystem::exists(logs));
  // Given as a path: never a subcommand, wherever it is.
  auto by_path = run_process({kCli, "--log_dir", logs, (bin / "reprot").string()},
                             quiet_machine({"CARBONTRACKER_INTENSITY_G_PER_KWH=100"}));
  EXPECT_EQ(by_path.exit_code, 0) << by_path.err;
  EXPECT_NE(by_path.out.find("ran-reprot"), std::string::npos) << by_path.out;
  // A word far from every command is still a program to run (here: not found, 127).
  auto far = run_process({kCli, "--log_dir", logs, "frobnicate-xyz"}, quiet_machine({"CARBONTRACKER_INTENSITY_G_PER_KWH=100"}));
  EXPECT_EQ(far.exit_code, 127) << far.err;
}

// --- one exit code for usage errors ------------------------------------------------------

TEST(CliErrors, EveryUsageErrorExitsTwoAndHelpExitsZero) {
  TempDir dir;
  write_file(dir / "bad.toml", "epochs = \"many\"\n");
  const std::vector<std::vector<std::string>> usage_errors{
      {"--no-such-flag"},                                       // CLI11: extras (was 109)
      {},                                                       // no command at all (was 106)
      {"devices", "--components", "tpu"},                       // a bad value, after parsing
      {"monitor", "--interval", "abc"},                         // CLI11: conversion (was 103+)
      {"run", "--epochs"},                                      // a flag without its value
      {"run", "--epochs", "3"},                                 // no command to run
      {"run", "--epochs", "0", "--", "true"},                   // ConfigError
      {"run", "--config", (dir / "bad.toml").string(), "--", "true"},  // a bad configuration file
      {"report", "--format", "docx", dir.path().string()},      // not one of the choices
  };
  for (auto args : usage_errors) {
    const std::string what = args.empty() ? "(none)" : args.front() + " " + (args.size() > 1 ? args[1] : "");
    args.insert(args.begin(), kCli);
    auto r = run_process(args, quiet_machine());
    EXPECT_EQ(r.exit_code, 2) << what << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << what;
  }
  for (const std::vector<std::string>& args : {std::vector<std::string>{kCli, "--help"}, {kCli, "run", "--help"},
                                              {kCli, "--version"}, {kCli, "report", "--version"}}) {
    auto r = run_process(args);
    EXPECT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
    EXPECT_FALSE(r.out.empty());
  }
}

TEST(CliErrors, AnOptionWithNothingAfterItsEqualsSignIsAUsageErrorNotTheNextWord) {
  // CLI11 took the next word as the value: `run --log-dir= -- true` made a directory named `--`
  // and ran, logging there.
  TempDir dir;
  const std::string cli = kCli;
  auto r = run_process({"/bin/sh", "-c", "cd '" + dir.path().string() + "' && exec '" + cli + "' run --log-dir= -- true"},
                       quiet_machine());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--log-dir= has no value after '='; nothing was run"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "--"));
  auto report = run_process({kCli, "report", "--format=", dir.path().string()}, quiet_machine());
  EXPECT_EQ(report.exit_code, 2) << report.err;
  EXPECT_NE(report.err.find("--format= has no value"), std::string::npos) << report.err;
  // After the command's `--`, an empty `--x=` is the command's own argument.
  auto theirs = run_process({kCli, "run", "--log-dir", (dir / "logs").string(), "--", "/bin/echo", "--lr="},
                            quiet_machine({"CARBONTRACKER_INTENSITY_G_PER_KWH=100"}));
  EXPECT_EQ(theirs.exit_code, 0) << theirs.err;
  EXPECT_NE(theirs.out.find("--lr="), std::string::npos) << theirs.out;
}

TEST(CliErrors, AForgottenSeparatorBeforeTheCommandGetsAHintAndNothingRuns) {
  TempDir dir;
  const auto ran = dir / "ran";
  const std::string script = (dir / "train.sh").string();
  make_executable(script, "#!/bin/sh\necho \"$@\" > " + ran.string() + "\n");
  const auto env = quiet_machine({"CARBONTRACKER_INTENSITY_G_PER_KWH=100"});
  const auto logs = (dir / "logs").string();
  // The command's own option is unknown to carbontracker ...
  auto unknown = run_process({kCli, "run", "--log-dir", logs, "--epochs", "3", script, "--lr", "0.1"}, env);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("hint: put -- before the command: carbontracker run --log-dir " + logs + " --epochs 3 -- " +
                             script + " --lr 0.1"),
            std::string::npos)
      << unknown.err;
  // ... or one carbontracker knows, which would have been taken from the command silently.
  auto known = run_process({kCli, "run", "--log-dir", logs, script, "--epochs", "5"}, env);
  EXPECT_EQ(known.exit_code, 2) << known.err;
  EXPECT_NE(known.err.find("-- " + script + " --epochs 5"), std::string::npos) << known.err;
  EXPECT_FALSE(std::filesystem::exists(ran)) << "the command did not run";
  EXPECT_FALSE(std::filesystem::exists(logs)) << "nothing was measured";

  // A missing command: the hint says where it goes.
  auto none = run_process({kCli, "run", "--epochs", "3"}, env);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("after --"), std::string::npos) << none.err;

  // With --, or with no options of its own, the command runs as given.
  auto with_sep = run_process({kCli, "run", "--log-dir", logs, "--", script, "--lr", "0.1"}, env);
  EXPECT_EQ(with_sep.exit_code, 0) << with_sep.err;
  EXPECT_EQ(testing::read_text(ran), "--lr 0.1\n");
  auto plain = run_process({kCli, "run", "--log-dir", logs, script, "plain", "-1"}, env);
  EXPECT_EQ(plain.exit_code, 0) << "a negative number is no option: " << plain.err;
  EXPECT_EQ(testing::read_text(ran), "plain -1\n");

  // A mistyped option of ours gets the closest one.
  auto typo = run_process({kCli, "run", "--log-dir", logs, "--epohcs", "3", "--", script}, env);
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("hint: unknown option --epohcs; did you mean --epochs?"), std::string::npos) << typo.err;
}

// --- the configuration file --------------------------------------------------------------

struct ConfigCase {
  std::string toml;
  std::vector<std::string> expected;  // every piece must be in stderr
};

TEST(CliErrors, UnknownKeysInAnyTableOfTheConfigFileAreNamedWithTheClosestValidKey) {
  TempDir dir;
  const std::string secret = "sekret-value-83hd";
  const std::vector<ConfigCase> cases{
      {"epochs = 3\n[api_keys]\nelectricitymap = \"" + secret + "\"\n",
       {"unknown key \"api_keys.electricitymap\"", "c.toml:3", "did you mean \"electricitymaps\"", "watttime_user"}},
      {"epoch = 3\n", {"unknown setting \"epoch\"", "c.toml:1", "did you mean \"epochs\""}},
      {"[budget]\nmax_energy_kwh = 2.0\n", {"unknown table \"budget\"", "c.toml:1", "[api_keys]"}},
      {"api_key = { electricitymaps = \"" + secret + "\" }\n", {"unknown table \"api_key\"", "did you mean \"api_keys\""}},
  };
  for (const auto& c : cases) {
    write_file(dir / "c.toml", c.toml);
    auto r = run_process({kCli, "run", "--config", (dir / "c.toml").string(), "--log-dir", (dir / "logs").string(), "--",
                          "/bin/sh", "-c", "echo ran"},
                         quiet_machine());
    EXPECT_EQ(r.exit_code, 2) << c.toml << r.err;
    for (const auto& piece : c.expected) EXPECT_NE(r.err.find(piece), std::string::npos) << piece << " in: " << r.err;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "a key's value is a secret: " << r.err;
    EXPECT_EQ(r.out.find("ran"), std::string::npos) << "the command did not start";
  }
  // A key of 100 kB is named, not echoed whole.
  write_file(dir / "c.toml", std::string(100000, 'k') + " = 1\n");
  auto huge = run_process({kCli, "run", "--config", (dir / "c.toml").string(), "--", "true"}, quiet_machine());
  EXPECT_EQ(huge.exit_code, 2);
  EXPECT_NE(huge.err.find("unknown setting \"kkkk"), std::string::npos) << huge.err.substr(0, 300);
  EXPECT_LT(huge.err.size(), 1000u);
  // The valid ids, in any case, are accepted.
  write_file(dir / "c.toml", "[api_keys]\nElectricityMaps = \"x\"\nwatttime_user = \"u\"\nwatttime_password = \"p\"\n");
  auto ok = run_process({kCli, "run", "--config", (dir / "c.toml").string(), "--intensity", "100", "--log-dir",
                         (dir / "logs").string(), "--", "true"},
                        quiet_machine());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(CliErrors, AConfigPathThatIsADirectoryOrMissingSaysExactlyThat) {
  TempDir dir;
  std::filesystem::create_directories(dir / "conf");
  auto as_dir = run_process({kCli, "run", "--config", (dir / "conf").string(), "--", "true"}, quiet_machine());
  EXPECT_EQ(as_dir.exit_code, 2);
  EXPECT_NE(as_dir.err.find((dir / "conf").string() + " is a directory, not a file"), std::string::npos) << as_dir.err;
  write_file(dir / "conf" / "carbontracker.toml", "epochs = 3\n");
  as_dir = run_process({kCli, "run", "--config", (dir / "conf").string(), "--", "true"}, quiet_machine());
  EXPECT_NE(as_dir.err.find("give the file itself: " + (dir / "conf" / "carbontracker.toml").string()), std::string::npos)
      << as_dir.err;

  auto missing = run_process({kCli, "run", "--config", (dir / "nope.toml").string(), "--", "true"}, quiet_machine());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find((dir / "nope.toml").string() + " does not exist"), std::string::npos) << missing.err;
  // The same through the environment variable.
  auto from_env = run_process({kCli, "run", "--", "true"},
                              quiet_machine({"CARBONTRACKER_CONFIG=" + (dir / "nope.toml").string()}));
  EXPECT_EQ(from_env.exit_code, 2);
  EXPECT_NE(from_env.err.find("does not exist"), std::string::npos) << from_env.err;
}

// --- a run shorter than the first intensity fetch ---------------------------------------

// Energi Data Service, healthy but slow (http.hang(delay)): correct answers after the delay.
struct SlowEds {
  std::atomic<int> answered{0};  // before the server: its handlers count here
  LocalHttpServer http;

  SlowEds() {
    for (const std::string dataset : {"CO2Emis", "CO2EmisProg"}) {
      http.get("/dataset/" + dataset, [this, dataset](const httplib::Request&, httplib::Response& res) {
        const auto now = std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now());
        json records = json::array();
        for (int i = 0; i < 24; ++i) {
          const auto t = dataset == "CO2Emis" ? now - std::chrono::minutes(5 * i) : now + std::chrono::minutes(5 * i);
          for (const char* area : {"DK1", "DK2"}) {
            records.push_back({{"Minutes5UTC", iso_minutes(t)}, {"Minutes5DK", iso_minutes(t)}, {"PriceArea", area},
                               {"CO2Emission", 120.0}});
          }
        }
        res.set_content(json{{"total", records.size()}, {"dataset", dataset}, {"records", records}}.dump(),
                        "application/json");
        ++answered;
      });
    }
    http.start();
  }
};

TEST(CliErrors, ARunShorterThanTheFirstFetchDoesNotCallAHealthyProviderFailed) {
  SlowEds eds;
  eds.http.hang(std::chrono::seconds{5});
  TempDir dir;
  auto r = run_process({kCli, "run", "--country", "DK", "--log-dir", (dir / "logs").string(), "--summary-json",
                        (dir / "s.json").string(), "--", "sleep", "0.2"},
                       quiet_machine({"CARBONTRACKER_ENERGIDATASERVICE_URL=" + eds.http.base_url()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(eds.answered.load(), 0) << "the run must end before the provider answers";
  EXPECT_EQ(r.err.find("failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("no carbon-intensity forecast"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the run ended before Energi Data Service had answered"), std::string::npos) << r.err;
  const json s = json::parse(testing::read_text(dir / "s.json"));
  EXPECT_EQ(s.dump().find("failed"), std::string::npos) << s.dump(2);
  EXPECT_NE(s["total"]["intensity_source"].get<std::string>().find("Ember"), std::string::npos)
      << "the offline table was in force, and is named: " << s["total"].dump(2);
  for (const auto& e : std::filesystem::directory_iterator(dir / "logs")) {
    EXPECT_EQ(testing::read_text(e.path()).find("failed"), std::string::npos) << e.path();
  }
}

// --- the preamble, once ------------------------------------------------------------------

TEST(CliErrors, ThePreambleIsPrintedOncePerRun) {
  TempDir dir;
  auto r = run_process({kCli, "run", "--intensity", "100", "--log-dir", (dir / "logs").string(), "--", "true"},
                       quiet_machine());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_of(r.err, "The following components were found"), 1u) << r.err;
  EXPECT_EQ(count_of(r.err, "estimated: "), 1u) << r.err;
  EXPECT_EQ(count_of(r.err, "Carbon intensity used: "), 1u) << r.err;
  EXPECT_EQ(count_of(r.err, "Actual consumption"), 1u) << r.err;
  // The output log keeps what the Python parser and our report reader need.
  std::string output_log;
  for (const auto& e : std::filesystem::directory_iterator(dir / "logs")) {
    if (e.path().filename().string().find("_carbontracker_output.log") != std::string::npos) {
      output_log = testing::read_text(e.path());
    }
  }
  EXPECT_NE(output_log.find("Actual consumption"), std::string::npos) << output_log;
  EXPECT_NE(output_log.find("Average carbon intensity during training was 100.00"), std::string::npos) << output_log;
  EXPECT_EQ(count_of(output_log, "Carbon intensity used: 100.00"), 1u) << output_log;
  auto report = run_process({kCli, "report", "--format", "json", (dir / "logs").string()});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  const json runs = json::parse(report.out)["runs"];
  ASSERT_EQ(runs.size(), 1u) << report.out;
  EXPECT_NEAR(runs[0]["intensity_g_per_kwh"].get<double>(), 100.0, 1e-9) << report.out;
}

}  // namespace
}  // namespace carbontracker
