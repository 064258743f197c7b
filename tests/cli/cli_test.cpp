// End-to-end tests of the `carbontracker` binary: real child processes, real fixture files,
// the fake libnvidia-ml loaded through the product's dlopen path, real permission denial.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.hpp"
#include "test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::copy_tree;
using testing::fixtures_dir;
using testing::ProcessResult;
using testing::run_process;
using testing::run_unprivileged;
using testing::TempDir;
using testing::write_file;

using testing::kCli;
const std::string kFakeNvml = FAKE_NVML_LIBRARY;

// A fixed machine: env for the child. CUDA_VISIBLE_DEVICES and the fake's config are removed
// unless given, so the host's environment cannot change the result.
std::vector<std::string> machine(const std::string& sysfs, const std::string& procfs, const std::string& nvml,
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> env{"CARBONTRACKER_SYSFS_ROOT=" + sysfs, "CARBONTRACKER_PROCFS_ROOT=" + procfs,
                               "CARBONTRACKER_NVML_LIBRARY=" + nvml, "CUDA_VISIBLE_DEVICES",
                               "CARBONTRACKER_FAKE_NVML_CONFIG"};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::string sysfs(const std::string& name) { return (fixtures_dir() / "sysfs" / name).string(); }
std::string procfs(const std::string& name) { return (fixtures_dir() / "procfs" / name).string(); }

const json* device(const json& doc, const std::string& id) {
  for (const auto& d : doc["devices"]) {
    if (d.value("id", "") == id) return &d;
  }
  return nullptr;
}

std::vector<std::string> counted(const json& doc) {
  std::vector<std::string> ids;
  for (const auto& d : doc["devices"]) {
    if (d["counted"].get<bool>()) ids.push_back(d["id"]);
  }
  return ids;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

TEST(CliDevices, FindsExactlyTheRightZonesAndGpus) {
  auto r = run_process({kCli, "devices", "--json"},
                       machine(sysfs("intel-2socket"), procfs("xeon-gold-6248-2s"), kFakeNvml));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(counted(doc), (std::vector<std::string>{"powercap:intel-rapl:0", "powercap:intel-rapl:0:0",
                                                    "powercap:intel-rapl:1", "powercap:intel-rapl:1:0",
                                                    "nvml:GPU-fa4e0000-0000-4000-8000-000000000000",
                                                    "nvml:GPU-fa4e0000-0000-4000-8000-000000000001"}));
  for (const auto& d : doc["devices"]) {
    EXPECT_TRUE(d.contains("component") && d.contains("name") && d.contains("method") && d.contains("available"));
    if (!d["available"].get<bool>()) {
      EXPECT_FALSE(d.value("reason", "").empty()) << d.dump();
      EXPECT_FALSE(d.value("fix", "").empty()) << d.dump();
    }
  }
  const json* psys = device(doc, "powercap:intel-rapl:2");
  ASSERT_NE(psys, nullptr);
  EXPECT_TRUE((*psys)["available"].get<bool>());
  EXPECT_FALSE((*psys)["counted"].get<bool>());
  const json* gpu = device(doc, "nvml:GPU-fa4e0000-0000-4000-8000-000000000000");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ((*gpu)["method"], "counter");
  EXPECT_EQ((*gpu)["component"], "gpu");
  EXPECT_EQ(doc["summary"]["cpu"], "measured (energy counter)");
  EXPECT_EQ(doc["summary"]["gpu"], "measured (energy counter)");
  // perf's fixture PMU type does not exist in the real kernel: refused, with a reason.
  bool perf_refused = false;
  for (const auto& d : doc["devices"]) {
    if (d["source"] == "perf" && !d["available"].get<bool>()) perf_refused = true;
  }
  EXPECT_TRUE(perf_refused);
}

TEST(CliDevices, AVirtualMachineWithoutCountersSaysWhatItEstimates) {
  TempDir empty_sysfs;
  auto r = run_process({kCli, "devices"},
                       machine(empty_sysfs.path().string(), procfs("vm-xeon-generic"), "/nonexistent/libnvidia-ml.so.1"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no /sys/class/powercap"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no perf `power` PMU"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cannot load /nonexistent/libnvidia-ml.so.1"), std::string::npos) << r.out;  // NVML
  EXPECT_NE(r.out.find("unknown CPU model 'Intel(R) Xeon(R) Processor'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  cpu   estimated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  dram  estimated"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  gpu   not measured"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(" 0 J"), std::string::npos);
}

TEST(CliDevices, ThisMachineExplainsEveryRefusal) {
  auto r = run_process({kCli, "devices", "--json"}, {"CARBONTRACKER_SYSFS_ROOT", "CARBONTRACKER_PROCFS_ROOT"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  ASSERT_TRUE(doc["devices"].is_array());
  for (const auto& d : doc["devices"]) {
    if (!d["available"].get<bool>()) {
      EXPECT_FALSE(d.value("reason", "").empty()) << d.dump();
      EXPECT_FALSE(d.value("fix", "").empty()) << d.dump();
    }
  }
  for (const char* c : {"cpu", "dram", "gpu"}) EXPECT_TRUE(doc["summary"].contains(c));
  EXPECT_NE(doc["summary"]["cpu"], "not measured");  // a counter or, failing that, the estimate
}

TEST(CliDevices, RootOnlyEnergyFilesGiveTheFixAndFallBackToTheEstimate) {
  TempDir dir;
  const auto root = dir / "sys";
  copy_tree(fixtures_dir() / "sysfs" / "intel-2socket", root);
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:1", "intel-rapl:1:0", "intel-rapl:2"}) {
    ASSERT_EQ(::chmod((root / "class/powercap" / zone / "energy_uj").c_str(), ::geteuid() == 0 ? 0400 : 0000), 0);
  }
  const auto env = machine(root.string(), procfs("xeon-gold-6248-2s"), "/nonexistent/libnvidia-ml.so.1");
  const std::string out = run_unprivileged([&] {
    auto r = run_process({kCli, "devices", "--json"}, env);
    return r.exit_code == 0 ? r.out : "exit " + std::to_string(r.exit_code) + ": " + r.err;
  });
  const json doc = json::parse(out);
  const json* pkg = device(doc, "powercap:intel-rapl:0");
  ASSERT_NE(pkg, nullptr) << out;
  EXPECT_FALSE((*pkg)["available"].get<bool>());
  EXPECT_NE((*pkg)["reason"].get<std::string>().find("root"), std::string::npos);
  const std::string fix = (*pkg)["fix"];
  EXPECT_NE(fix.find("/sys/class/powercap/intel-rapl:0/energy_uj"), std::string::npos) << fix;
  EXPECT_NE(fix.find("udev"), std::string::npos) << fix;
  EXPECT_EQ(fix.find(root.string()), std::string::npos) << "the fix names the real /sys, not the fixture";
  EXPECT_EQ(doc["summary"]["cpu"], "estimated");
  EXPECT_EQ(doc["summary"]["dram"], "estimated");
}

TEST(CliMonitor, JsonLinesWithCountersAndALostGpu) {
  TempDir dir;
  write_file(dir / "gpus.conf",
             "gpu name=\"NVIDIA A100-SXM4-40GB\" energy_mj=5000 energy_step_mj=250\n"
             "gpu name=\"NVIDIA A100-SXM4-40GB\" energy_mj=9000 energy_step_mj=100 lost_after=3\n");
  auto r = run_process({kCli, "monitor", "--json", "--interval", "0.1", "--duration", "0.65"},
                       machine(sysfs("intel-2socket"), procfs("xeon-gold-6248-2s"), kFakeNvml,
                               {"CARBONTRACKER_FAKE_NVML_CONFIG=" + (dir / "gpus.conf").string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines.front()["type"], "channels");
  ASSERT_EQ(lines.front()["channels"].size(), 6u);
  std::size_t samples = 0;
  for (const auto& l : lines) samples += l["type"] == "sample" ? 1 : 0;
  EXPECT_GE(samples, 3u);
  const json& summary = lines.back();
  ASSERT_EQ(summary["type"], "summary");
  EXPECT_EQ(summary["estimated_energy_j"], 0.0);
  const auto& gpu0 = summary["channels"][4];
  const auto& gpu1 = summary["channels"][5];
  EXPECT_EQ(gpu0["health"]["state"], "ok");
  EXPECT_GT(gpu0["energy_j"].get<double>(), 0.0);
  // Each read adds exactly one step: energy is a whole number of 0.25 J steps.
  EXPECT_DOUBLE_EQ(std::fmod(gpu0["energy_j"].get<double>(), 0.25), 0.0);
  EXPECT_EQ(gpu1["health"]["state"], "lost");
  // Reads of GPU 1: the probe's, the sampler's baseline, the monitor's first mark (+0.1 J);
  // the fourth finds it lost. Its energy stops at the last good read.
  EXPECT_DOUBLE_EQ(gpu1["energy_j"].get<double>(), 0.1);
  bool warned = false;
  for (const auto& e : summary["events"]) warned |= e["message"].get<std::string>().find("is gone") != std::string::npos;
  EXPECT_TRUE(warned) << summary.dump();
}

TEST(CliMonitor, TextRowsLabelEstimates) {
  TempDir empty_sysfs;
  auto r = run_process({kCli, "monitor", "--interval", "0.1", "--duration", "0.35"},
                       machine(empty_sysfs.path().string(), procfs("vm-xeon-generic"), "/nonexistent/lib.so"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("W est"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("of which"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated"), std::string::npos) << r.out;
}

TEST(CliMonitor, StopsEarlyOnSigterm) {
  TempDir empty_sysfs;
  const auto env = machine(empty_sysfs.path().string(), procfs("vm-xeon-generic"), "/nonexistent/lib.so");
  // No duration: runs until signalled. `timeout` sends SIGTERM after 0.5 s.
  std::vector<std::string> argv{"/usr/bin/timeout", "--preserve-status", "0.5", kCli, "monitor", "--interval", "0.1"};
  auto r = run_process(argv, env);
  EXPECT_EQ(r.exit_code, 0) << "the monitor handles SIGTERM and exits cleanly; " << r.err;
  EXPECT_NE(r.out.find("Energy over"), std::string::npos) << "summary printed after the signal: " << r.out;
}

TEST(CliCommon, HelpAndVersionEverywhere) {
  for (std::vector<std::string> sub : {std::vector<std::string>{}, {"devices"}, {"monitor"}}) {
    auto argv = sub;
    argv.insert(argv.begin(), kCli);
    argv.push_back("--help");
    auto h = run_process(argv);
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << h.out;
    argv.back() = "--version";
    auto v = run_process(argv);
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find("carbontracker "), std::string::npos) << v.out;
  }
}

TEST(CliCommon, ErrorsGoToStderrWithANonZeroExit) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"frobnicate"}, {"monitor", "--interval", "-1"}, {"devices", "--sim-cpu", "X"},
        {"devices", "--components", "tpu"}, {}}) {
    args.insert(args.begin(), kCli);
    auto r = run_process(args);
    EXPECT_NE(r.exit_code, 0) << args.back();
    EXPECT_FALSE(r.err.empty()) << args.back();
    EXPECT_TRUE(r.out.empty()) << args.back() << ": " << r.out;
  }
  auto r = run_process({kCli, "devices", "--sim-cpu", "X"});
  EXPECT_NE(r.err.find("--sim-cpu-tdp"), std::string::npos) << r.err;
}

TEST(CliCommon, OutputIgnoresACommaDecimalLocale) {
  TempDir empty_sysfs;  // estimates print decimals: 3.25 W, 0.375 W/GiB
  const auto env = machine(empty_sysfs.path().string(), procfs("vm-xeon-generic"), kFakeNvml);
  auto c = run_process({kCli, "devices"}, [&] { auto e = env; e.push_back("LC_ALL=C"); return e; }());
  auto de = run_process({kCli, "devices"}, [&] { auto e = env; e.push_back("LC_ALL=de_DE.UTF-8"); return e; }());
  ASSERT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.out, de.out);
  EXPECT_NE(c.out.find("0.375 W/GiB"), std::string::npos) << c.out;
}

}  // namespace
}  // namespace carbontracker
