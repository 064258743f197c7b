// The C API through libcarbontracker.so, as a C caller uses it: every function, every status
// code, NULL arguments, bad configurations, budget and user stops, and the summary JSON.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "capi_test_support.hpp"
#include "carbontracker/version.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::FixedMachine;
using testing::summary_of;
using testing::TrackerPtr;

#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

// A 20 ms "epoch": long enough for a simulated GPU to spend some joules.
void work() { std::this_thread::sleep_for(std::chrono::milliseconds(20)); }

// Makes a tracker or fails the test.
TrackerPtr make(const std::string& config) {
  ct_tracker* t = nullptr;
  const int rc = ct_tracker_new(config.c_str(), &t);
  EXPECT_EQ(rc, CT_OK) << ct_last_error(nullptr);
  EXPECT_EQ(rc == CT_OK, t != nullptr);
  return TrackerPtr(t);
}

// ct_tracker_new that must fail; returns the message.
std::string rejected(const std::string& config, int expected = CT_ERR_INVALID_ARGUMENT) {
  ct_tracker* t = reinterpret_cast<ct_tracker*>(0x1);  // must be reset to NULL
  const int rc = ct_tracker_new(config.c_str(), &t);
  EXPECT_EQ(rc, expected) << config;
  EXPECT_EQ(t, nullptr);
  if (t) ct_tracker_free(t);
  return ct_last_error(nullptr);
}

class CApi : public ::testing::Test {
 protected:
  FixedMachine machine_;
};

TEST(CApiStatic, VersionIsTheProjectVersion) {
  EXPECT_STREQ(ct_version(), kVersion);
  EXPECT_TRUE(std::regex_match(ct_version(), std::regex(R"(\d+\.\d+\.\d+)"))) << ct_version();
}

TEST(CApiStatic, EveryStatusHasANamedStringAndStableValue) {
  const std::pair<int, const char*> codes[] = {
      {CT_OK, "CT_OK"},
      {CT_STOP_BUDGET, "CT_STOP_BUDGET"},
      {CT_STOP_USER, "CT_STOP_USER"},
      {CT_ERR_INVALID_ARGUMENT, "CT_ERR_INVALID_ARGUMENT"},
      {CT_ERR_TRACKER, "CT_ERR_TRACKER"},
      {CT_ERR_INTERNAL, "CT_ERR_INTERNAL"},
      {CT_ERR_NULL, "CT_ERR_NULL"},
      {CT_ERR_NO_MEMORY, "CT_ERR_NO_MEMORY"},
      {CT_ERR_FORKED, "CT_ERR_FORKED"},
  };
  for (const auto& [code, name] : codes) {
    const std::string s = ct_status_string(code);
    EXPECT_EQ(s.rfind(name, 0), 0u) << s;
    // Stop orders positive, errors negative: callers test rc > 0 / rc < 0.
    if (std::string(name).starts_with("CT_STOP")) {
      EXPECT_GT(code, 0);
    }
    if (std::string(name).starts_with("CT_ERR")) {
      EXPECT_LT(code, 0);
    }
  }
  EXPECT_EQ(CT_OK, 0);
  EXPECT_EQ(CT_STOP_BUDGET, 1);
  EXPECT_EQ(CT_STOP_USER, 2);
  EXPECT_EQ(CT_ERR_INVALID_ARGUMENT, -1);
  EXPECT_EQ(CT_ERR_TRACKER, -2);
  EXPECT_EQ(CT_ERR_INTERNAL, -3);
  EXPECT_EQ(CT_ERR_NULL, -4);
  EXPECT_EQ(CT_ERR_NO_MEMORY, -5);
  EXPECT_EQ(CT_ERR_FORKED, -6);
  EXPECT_STREQ(ct_status_string(42), "unknown status");
  EXPECT_STREQ(ct_status_string(-42), "unknown status");
}

TEST_F(CApi, RunOfEpochsEndsInASummaryHoldingThem) {
  auto t = make(R"({"epochs": 3, "verbose": 0, "sim_gpu": "Sim GPU", "sim_gpu_watts": 300, "sim_gpu_util": 1.0,
                    "intensity_g_per_kwh": 100})");
  for (int e = 0; e < 3; ++e) {
    ASSERT_EQ(ct_epoch_start(t.get()), CT_OK) << ct_last_error(t.get());
    work();
    ASSERT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
  }
  ASSERT_EQ(ct_stop(t.get()), CT_OK) << ct_last_error(t.get());
  EXPECT_EQ(ct_stop(t.get()), CT_OK);  // idempotent
  EXPECT_STREQ(ct_last_error(t.get()), "");

  const json s = summary_of(t.get());
  ASSERT_EQ(s["epochs"].size(), 3u) << s.dump(2);
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(s["epochs"][e]["index"], e + 1);
    EXPECT_TRUE(s["epochs"][e]["complete"].get<bool>());
    // 300 W for at least 20 ms: at least 6 J of simulated GPU energy per epoch.
    EXPECT_GE(s["epochs"][e]["energy_j"]["gpu"].get<double>(), 6.0 * 0.99) << s["epochs"][e].dump();
  }
  EXPECT_EQ(s["total"]["epochs"], 3);
  EXPECT_EQ(s["carbontracker_version"], ct_version());
  EXPECT_TRUE(s["components"]["gpu"]["present"].get<bool>());
  EXPECT_NEAR(s["intensity"]["g_per_kwh"].get<double>(), 100.0, 1e-9);
  EXPECT_FALSE(s["stopped_by_budget"].get<bool>());
  EXPECT_FALSE(s["prediction"].is_null());
  // No "pue" in the config: the default 1.58 (the Python tool's PUE_2023); device energy beside.
  EXPECT_EQ(s["pue"], 1.58);
  EXPECT_DOUBLE_EQ(s["total"]["facility_energy_j"].get<double>(), s["total"]["energy_j"]["total"].get<double>() * 1.58);
  EXPECT_NEAR(s["prediction"]["device_energy_kwh"].get<double>() * 1.58, s["prediction"]["energy_kwh"].get<double>(),
              1e-12 * s["prediction"]["energy_kwh"].get<double>());
}

TEST_F(CApi, SummaryBeforeStopHoldsTheEpochsSoFar) {
  auto t = make(R"({"epochs": 5, "verbose": 0})");
  EXPECT_EQ(summary_of(t.get())["epochs"].size(), 0u);
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK);
  EXPECT_EQ(summary_of(t.get())["epochs"].size(), 1u);
  // Freed without ct_stop: ct_tracker_free stops it (the sanitizer build checks nothing leaks).
}

TEST_F(CApi, DiscardedEpochIsNotRecorded) {
  auto t = make(R"({"epochs": 3, "verbose": 0})");
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_discard(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK);
  ASSERT_EQ(ct_stop(t.get()), CT_OK);
  const json s = summary_of(t.get());
  ASSERT_EQ(s["epochs"].size(), 1u);
  EXPECT_EQ(s["epochs"][0]["index"], 1);
}

TEST_F(CApi, StopWithAnEpochOpenReportsItAsInterrupted) {
  auto t = make(R"({"epochs": 3, "verbose": 0})");
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_stop(t.get()), CT_OK);
  const json s = summary_of(t.get());
  EXPECT_EQ(s["epochs"].size(), 0u);
  ASSERT_FALSE(s["interrupted_epoch"].is_null());
  EXPECT_FALSE(s["interrupted_epoch"]["complete"].get<bool>());
}

TEST_F(CApi, ValuesOfEveryJsonTypeReachTheConfig) {
  const auto logs = machine_.dir() / "logs";
  std::filesystem::create_directories(logs);
  const auto summary_file = machine_.dir() / "summary.json";
  json config = {{"epochs", 2},
                 {"pue", 1.58},
                 {"interpretable", false},
                 {"verbose", "0"},  // a string is read like a file or environment value
                 {"log_dir", logs.string()},
                 {"log_file_prefix", "capi"},
                 {"summary_json", summary_file.string()},
                 {"budget_action", "warn"},
                 {"max_energy_kwh", 1e3},
                 {"intensity_g_per_kwh", 250},
                 {"api_keys", {{"electricitymaps", "not-used"}}}};
  auto t = make(config.dump());
  for (int e = 0; e < 2; ++e) {
    ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
    ASSERT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
  }
  ASSERT_EQ(ct_stop(t.get()), CT_OK) << ct_last_error(t.get());
  const json s = summary_of(t.get());
  EXPECT_EQ(s["pue"], 1.58);
  EXPECT_NEAR(s["intensity"]["g_per_kwh"].get<double>(), 250.0, 1e-9);
  EXPECT_EQ(s["intensity"]["kind"], "fixed");
  // summary_json wrote the same document; the logs carry the prefix.
  const json file = json::parse(testing::read_text(summary_file));
  EXPECT_EQ(file["epochs"], s["epochs"]);
  bool prefixed = false;
  for (const auto& f : std::filesystem::directory_iterator(logs)) prefixed |= f.path().filename().string().starts_with("capi");
  EXPECT_TRUE(prefixed);
}

TEST_F(CApi, AJobIdentitySetInTheConfigIsRecorded) {
  // A launcher carbontracker does not read: the caller names the job and the rank itself.
  const auto logs = machine_.dir() / "logs";
  const auto summary_file = machine_.dir() / "summary.json";
  ::setenv("CARBONTRACKER_RUN_DIR", (machine_.dir() / "run").c_str(), 1);
  json config = {{"epochs", 1},           {"verbose", 0},      {"log_dir", logs.string()},
                 {"summary_json", summary_file.string()}, {"sim_gpu", "Sim GPU"}, {"sim_gpu_watts", 100},
                 {"job_id", "capi-job"},   {"rank", 0},         {"local_rank", 0},
                 {"world_size", 1}};
  auto t = make(config.dump());
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  work();
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
  ASSERT_EQ(ct_stop(t.get()), CT_OK) << ct_last_error(t.get());
  ::unsetenv("CARBONTRACKER_RUN_DIR");
  const json file = json::parse(testing::read_text(summary_file));
  ASSERT_TRUE(file.contains("job")) << file.dump();
  EXPECT_EQ(file["job"]["job_id"], "capi-job");
  EXPECT_EQ(file["job"]["rank"], 0);
  EXPECT_EQ(file["job"]["world_size"], 1);
  EXPECT_EQ(file["job"]["gpus"].size(), 1u);  // the simulated GPU, counted by this process
  bool in_event_log = false;
  for (const auto& f : std::filesystem::directory_iterator(logs)) {
    if (f.path().string().ends_with("_events.jsonl")) {
      in_event_log |= testing::read_text(f.path()).find("\"job_id\":\"capi-job\"") != std::string::npos;
    }
  }
  EXPECT_TRUE(in_event_log);
}

TEST_F(CApi, NullArgumentsAreRefusedAndExplained) {
  ct_tracker* t = reinterpret_cast<ct_tracker*>(0x1);
  EXPECT_EQ(ct_tracker_new(nullptr, &t), CT_ERR_NULL);
  EXPECT_EQ(t, nullptr);
  EXPECT_HAS(ct_last_error(nullptr), "config_json is NULL");
  EXPECT_EQ(ct_tracker_new("{}", nullptr), CT_ERR_NULL);
  EXPECT_HAS(ct_last_error(nullptr), "out is NULL");

  const std::pair<int (*)(ct_tracker*), const char*> calls[] = {
      {ct_epoch_start, "ct_epoch_start"}, {ct_epoch_end, "ct_epoch_end"},
      {ct_epoch_discard, "ct_epoch_discard"}, {ct_stop, "ct_stop"}};
  for (const auto& [call, name] : calls) {
    EXPECT_EQ(call(nullptr), CT_ERR_NULL) << name;
    EXPECT_HAS(ct_last_error(nullptr), name);
  }
  char* out = reinterpret_cast<char*>(0x1);
  EXPECT_EQ(ct_summary_json(nullptr, &out), CT_ERR_NULL);
  EXPECT_EQ(out, nullptr);

  auto tracker = make(R"({"verbose": 0})");
  EXPECT_EQ(ct_summary_json(tracker.get(), nullptr), CT_ERR_NULL);
  EXPECT_HAS(ct_last_error(tracker.get()), "out is NULL");
  // NULL is ignored where freeing.
  ct_free(nullptr);
  ct_tracker_free(nullptr);
  EXPECT_STREQ(ct_last_error(nullptr), ct_last_error(tracker.get()));
}

TEST_F(CApi, BadJsonIsAnInvalidArgument) {
  EXPECT_HAS(rejected(R"({"epochs": 3)"), "config_json is not valid JSON");
  EXPECT_HAS(rejected(""), "config_json is not valid JSON");
  EXPECT_HAS(rejected("epochs=3"), "fix:");
  EXPECT_HAS(rejected("[1, 2]"), "config_json must be a JSON object, not array");
  EXPECT_HAS(rejected("3"), "must be a JSON object");
}

TEST_F(CApi, UnknownKeyIsNamed) {
  const std::string msg = rejected(R"({"epochs": 3, "epoch": 3})");
  EXPECT_HAS(msg, "unknown setting \"epoch\" (config_json)");
  EXPECT_HAS(msg, "fix: see docs/configuration.md");
}

TEST_F(CApi, BadValuesNameTheKeyAndTheFix) {
  std::string msg = rejected(R"({"epochs": "many"})");
  EXPECT_HAS(msg, "epochs (config_json): expected int, got \"many\"");
  EXPECT_HAS(msg, "fix: give epochs as int");
  EXPECT_HAS(rejected(R"({"epochs": 2.5})"), "epochs (config_json): expected int, got \"2.5\"");
  EXPECT_HAS(rejected(R"({"interpretable": "maybe"})"), "interpretable");
  EXPECT_HAS(rejected(R"({"budget_action": "panic"})"), "budget_action");
  EXPECT_HAS(rejected(R"({"log_dir": null})"), "\"log_dir\" is null; fix: give log_dir a value, or leave the key out");
  EXPECT_HAS(rejected(R"({"components": ["gpu"]})"), "\"components\" must be a number, a boolean or a string, not array");
  EXPECT_HAS(rejected(R"({"pue": {"value": 1.5}})"), "not object");
  // Valid types, invalid values: the shared bounds (tracker/config_bounds.hpp), then the tracker's own checks.
  msg = rejected(R"({"pue": 0.5})");
  EXPECT_HAS(msg, "pue (config_json): must be between 1 and 5, got 0.5; fix:");
  EXPECT_HAS(rejected(R"({"epochs": 0})"), "epochs (config_json): must be between 1 and");
  EXPECT_HAS(rejected(R"({"sim_gpu": "G"})"), "invalid sim_gpu_watts");
  const auto missing = machine_.dir() / "no" / "such" / "dir" / "s.json";
  EXPECT_HAS(rejected(json{{"summary_json", missing.string()}}.dump()), "invalid summary_json");
}

TEST_F(CApi, ApiKeysMustBeStringsAndStayOutOfMessages) {
  EXPECT_HAS(rejected(R"({"api_keys": "abc"})"), "\"api_keys\" must be an object");
  const std::string msg = rejected(R"({"api_keys": {"electricitymaps": 12345}})");
  EXPECT_HAS(msg, "api_keys.electricitymaps must be a string");
  EXPECT_EQ(msg.find("12345"), std::string::npos) << msg;
  const std::string other = rejected(R"({"api_keys": {"electricitymaps": "SECRET-TOKEN"}, "pue": "x"})");
  EXPECT_HAS(other, "pue");
  EXPECT_EQ(other.find("SECRET-TOKEN"), std::string::npos) << other;
}

// 300 W simulated for 20 ms predicts far more than 1e-9 kWh for 10 epochs.
constexpr const char* kOverBudget =
    R"({"epochs": 10, "verbose": 0, "sim_gpu": "Sim GPU", "sim_gpu_watts": 300, "max_energy_kwh": 1e-9, "budget_action": "%s"%s})";

std::string over_budget(const std::string& action, const std::string& more = "") {
  std::string s = kOverBudget;
  s.replace(s.find("%s"), 2, action);
  s.replace(s.find("%s"), 2, more);
  return s;
}

TEST_F(CApi, BudgetStopEndsTheRunWithStopBudget) {
  auto t = make(over_budget("stop"));
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  work();
  ASSERT_EQ(ct_epoch_end(t.get()), CT_STOP_BUDGET) << ct_last_error(t.get());
  EXPECT_HAS(ct_last_error(t.get()), "over the budget max_energy_kwh");
  EXPECT_STREQ(ct_last_error(nullptr), ct_last_error(t.get()));
  // The tracker has finished: later epoch calls do nothing, stop is a no-op.
  EXPECT_EQ(ct_epoch_start(t.get()), CT_OK);
  EXPECT_EQ(ct_epoch_end(t.get()), CT_OK);
  EXPECT_EQ(ct_stop(t.get()), CT_OK);
  const json s = summary_of(t.get());
  EXPECT_TRUE(s["stopped_by_budget"].get<bool>());
  ASSERT_EQ(s["epochs"].size(), 1u);
  ASSERT_EQ(s["budget_events"].size(), 1u);
  EXPECT_EQ(s["budget_events"][0]["limit"], "max_energy_kwh");
  EXPECT_EQ(s["budget_events"][0]["outcome"], "stopped");
}

// The tracker reads the answer from the process's stdin.
class StdinAnswers {
 public:
  explicit StdinAnswers(const std::string& text) : buf_(text), old_(std::cin.rdbuf(&buf_)) {}
  ~StdinAnswers() { std::cin.rdbuf(old_); }
  StdinAnswers(const StdinAnswers&) = delete;
  StdinAnswers& operator=(const StdinAnswers&) = delete;

 private:
  std::stringbuf buf_;
  std::streambuf* old_;
};

TEST_F(CApi, AskBudgetAnsweredNoIsTheUsersStop) {
  StdinAnswers answers("n\n");
  auto t = make(over_budget("ask"));
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  work();
  ASSERT_EQ(ct_epoch_end(t.get()), CT_STOP_USER) << ct_last_error(t.get());
  EXPECT_HAS(ct_last_error(t.get()), "max_energy_kwh");
  EXPECT_TRUE(summary_of(t.get())["stopped_by_budget"].get<bool>());
}

TEST_F(CApi, AskBudgetAnsweredYesContinues) {
  StdinAnswers answers("y\n");
  auto t = make(over_budget("ask"));
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  work();
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
  EXPECT_EQ(summary_of(t.get())["epochs"].size(), 2u);
}

TEST_F(CApi, StopAndConfirmAnsweredNoIsTheUsersStop) {
  StdinAnswers answers("no\n");
  auto t = make(R"({"epochs": 3, "verbose": 0, "stop_and_confirm": true})");
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_end(t.get()), CT_STOP_USER);
  EXPECT_HAS(ct_last_error(t.get()), "the user chose to stop training");
  EXPECT_FALSE(summary_of(t.get())["stopped_by_budget"].get<bool>());
}

// The summary path becomes a directory after construction (one already there is refused by
// ct_tracker_new): writing it fails at the end, an internal failure the caller hears of once.
TEST_F(CApi, FailureToWriteTheSummaryIsATrackerError) {
  const auto summary = machine_.dir() / "summary.json";
  // 3 epochs: ct_stop, not the end of the last epoch, finishes the run.
  auto t = make(json{{"epochs", 3}, {"verbose", 0}, {"summary_json", summary.string()}}.dump());
  std::filesystem::create_directories(summary);
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK);
  ASSERT_EQ(ct_stop(t.get()), CT_ERR_TRACKER);
  EXPECT_HAS(ct_last_error(t.get()), "could not write the summary");
  EXPECT_HAS(ct_last_error(t.get()), "ignore_errors=true");
  EXPECT_EQ(ct_stop(t.get()), CT_OK);  // reported once
}

TEST_F(CApi, IgnoreErrorsTurnsTheTrackerErrorIntoAWarning) {
  const auto summary = machine_.dir() / "summary.json";
  auto t = make(json{{"verbose", 0}, {"ignore_errors", true}, {"summary_json", summary.string()}}.dump());
  std::filesystem::create_directories(summary);  // after construction, which would refuse it
  ASSERT_EQ(ct_stop(t.get()), CT_OK) << ct_last_error(t.get());
  const json s = summary_of(t.get());
  bool warned = false;
  for (const auto& w : s["warnings"]) warned |= w.get<std::string>().find("could not write the summary") != std::string::npos;
  EXPECT_TRUE(warned) << s["warnings"].dump();
}

TEST_F(CApi, LastErrorIsPerHandleAndPerThread) {
  auto a = make(R"({"verbose": 0})");
  auto b = make(R"({"verbose": 0})");
  ASSERT_EQ(ct_summary_json(a.get(), nullptr), CT_ERR_NULL);
  EXPECT_HAS(ct_last_error(a.get()), "out is NULL");
  EXPECT_STREQ(ct_last_error(b.get()), "");
  // Another thread's failure does not show in this thread's ct_last_error(NULL).
  rejected("not json");
  std::string other_thread;
  std::thread([&] {
    EXPECT_EQ(ct_tracker_new(R"({"nope": 1})", nullptr), CT_ERR_NULL);
    ct_tracker* t = nullptr;
    EXPECT_EQ(ct_tracker_new(R"({"nope": 1})", &t), CT_ERR_INVALID_ARGUMENT);
    other_thread = ct_last_error(nullptr);
  }).join();
  EXPECT_HAS(other_thread, "unknown setting \"nope\"");
  EXPECT_HAS(ct_last_error(nullptr), "not valid JSON");
}

constexpr int kThreads = 3, kEpochs = 4;

TEST_F(CApi, HandlesOnDifferentThreadsAreIndependent) {
  std::vector<std::string> summaries(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, &summaries] {
      auto t = make(json{{"epochs", kEpochs}, {"verbose", 0}, {"sim_gpu", "G"}, {"sim_gpu_watts", 100 * (i + 1)}}.dump());
      if (!t) return;
      for (int e = 0; e < kEpochs; ++e) {
        EXPECT_EQ(ct_epoch_start(t.get()), CT_OK);
        work();
        EXPECT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
      }
      EXPECT_EQ(ct_stop(t.get()), CT_OK);
      summaries[i] = summary_of(t.get()).dump();
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_FALSE(summaries[i].empty());
    const json s = json::parse(summaries[i]);
    EXPECT_EQ(s["epochs"].size(), static_cast<std::size_t>(kEpochs));
    EXPECT_EQ(s["components"]["gpu"]["devices"][0]["name"], "G");
  }
}

}  // namespace
}  // namespace carbontracker
