#include "golden_machine.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <regex>
#include <stdexcept>
#include <vector>

#include "test_support.hpp"

namespace carbontracker::golden {

MonoTime SleepingClock::monotonic() const noexcept { return MonoTime(now_ns_.load()); }

std::chrono::system_clock::time_point SleepingClock::wall() const noexcept {
  // 2023-11-14T22:13:20Z at monotonic 0, as testing::FakeClock.
  return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)) +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(MonoTime(now_ns_.load()));
}

bool SleepingClock::wait_until(MonoTime, std::stop_token stop) noexcept {
  std::unique_lock lock(m_);
  cv_.wait(lock, stop, [] { return false; });
  return false;
}

void SleepingClock::advance_s(double seconds) { now_ns_ += from_seconds(seconds).count(); }

GoldenMachine::GoldenMachine(int verbose) : verbose_(verbose) {
  // Log lines carry local time, as Python's logging: pin the zone before any conversion.
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  std::filesystem::create_directories(dir_ / "sys");  // no powercap, no perf PMU
  nvml_.load_config("gpu name=\"NVIDIA H100 80GB HBM3\" energy_mj=1000000 energy_step_mj=0\n");
  ctx_->sysfs_root = dir_ / "sys";
  ctx_->procfs_root = testing::fixtures_dir() / "procfs" / "xeon-gold-6248-2s";
  ctx_->nvml_library = nvml_.path();
  ctx_->getenv = carbontracker::testing::fixed_env({});
}

Config GoldenMachine::config() const {
  Config c;
  c.epochs = 3;
  c.log_dir = dir_ / "logs";
  c.summary_json = dir_ / "summary.json";
  c.verbose = verbose_;
  c.sim_cpu = "Golden CPU";
  c.sim_cpu_tdp = 100;
  c.sim_cpu_util = 0.5;
  c.sim_gpu = "Golden GPU";
  c.sim_gpu_watts = 300;
  c.sim_gpu_util = 0.8;
  c.intensity_g_per_kwh = 250;
  return c;
}

TrackerEnvironment GoldenMachine::env() {
  TrackerEnvironment e;
  e.clock = &clock_;
  e.console = &console_;
  e.input = &input_;
  e.sensors = ctx_;
  return e;
}

std::map<std::string, std::string> GoldenMachine::outputs() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "logs")) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  // The common stem "<pid>.<id>_<time>": the pid is this process's, the id random.
  static const std::regex stem_re(R"re(^(\d+)\.(\d+)_\d{4}-\d\d-\d\dT\d{6}Z_carbontracker\.log$)re");
  std::string pid_id;
  for (const auto& n : names) {
    std::smatch m;
    if (std::regex_match(n, m, stem_re)) {
      EXPECT_EQ(m[1].str(), std::to_string(::getpid())) << n;
      pid_id = m[1].str() + "." + m[2].str() + "_";
    }
  }
  EXPECT_FALSE(pid_id.empty()) << "no <pid>.<id>_<time>_carbontracker.log in " << (dir_ / "logs");
  Normaliser norm;
  norm.literal(dir_.path().string(), "<TMP>")
      .literal(testing::fixtures_dir().string(), "<FIXTURES>")
      .literal(nvml_.path(), "<FAKE_NVML>")
      .literal(pid_id, "<PID>.<ID>_")
      .literal("\"pid\":" + std::to_string(::getpid()) + ",", "\"pid\":<PID>,");
  add_version_patterns(norm);

  std::map<std::string, std::string> out;
  out["console.txt"] = norm.apply(console_.str());
  std::string listing;
  for (const auto& n : names) {
    listing += norm.apply(n) + "\n";
    const std::size_t cut = n.find("_carbontracker");
    out[cut == std::string::npos ? n : n.substr(cut + 1)] = norm.apply(testing::read_text(dir_ / "logs" / n));
  }
  out["files.txt"] = listing;
  out["summary.json"] = norm.apply(testing::read_text(dir_ / "summary.json"));
  return out;
}

namespace {

// fd 2 into a file while the tracker runs: the API's console is the injected stream, so
// anything written to the process's stderr is a change too (pinned as "stderr.txt").
class StderrCapture {
 public:
  explicit StderrCapture(const std::filesystem::path& file) : file_(file) {
    std::fflush(stderr);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + file.string());
    saved_ = ::dup(2);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;
  std::string text() {
    restore();
    return testing::read_text(file_);
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  std::filesystem::path file_;
  int saved_ = -1;
};

std::map<std::string, std::string> run_once(int verbose, void (*body)(GoldenMachine&)) {
  testing::TempDir capture_dir;
  std::map<std::string, std::string> out;
  GoldenMachine m(verbose);
  {
    StderrCapture err(capture_dir / "stderr");
    body(m);
    out["stderr.txt"] = err.text();
  }
  auto files = m.outputs();
  out.insert(files.begin(), files.end());
  return out;
}

}  // namespace

void expect_golden_run(const std::string& scenario, void (*body)(GoldenMachine&)) {
  const std::map<std::string, std::string> v1 = run_once(1, body);
  const std::map<std::string, std::string> v2 = run_once(2, body);
  std::map<std::string, std::string> all;
  // "console.txt" -> "console_verbose1.txt"
  auto per_level = [](const std::string& name, int level) {
    return name.substr(0, name.size() - 4) + "_verbose" + std::to_string(level) + ".txt";
  };
  for (const auto& [name, text] : v1) {
    all[name == "console.txt" || name == "stderr.txt" ? per_level(name, 1) : name] = text;
  }
  for (const auto& [name, text] : v2) {
    if (name == "console.txt" || name == "stderr.txt") {
      all[per_level(name, 2)] = text;
    } else if (!v1.count(name) || v1.at(name) != text) {
      all["verbose2_" + name] = text;
    }
  }
  expect_golden(scenario, all);
}

}  // namespace carbontracker::golden
