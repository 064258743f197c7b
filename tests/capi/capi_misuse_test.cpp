// The C API under hostile input and process tricks: malformed configurations that carry an api
// key or megabytes of text (no message may hold either), and a fork() after ct_tracker_new.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "capi_test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::FixedMachine;
using testing::TrackerPtr;

constexpr const char* kSecret = "sk-live-7f3a9c0d2e8b41";

// Valid UTF-8, as the JSON library checks it when serialising (it throws on invalid bytes).
bool valid_utf8(const std::string& text) {
  try {
    (void)json(text).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// ct_tracker_new on `config`, which must fail with CT_ERR_INVALID_ARGUMENT; the message.
std::string misuse_rejected(const std::string& config) {
  ct_tracker* t = nullptr;
  const int rc = ct_tracker_new(config.c_str(), &t);
  EXPECT_EQ(rc, CT_ERR_INVALID_ARGUMENT) << config.substr(0, 200);
  if (t) ct_tracker_free(t);
  return ct_last_error(nullptr);
}

class CApiMisuse : public ::testing::Test {
 protected:
  FixedMachine machine_;
};

TEST_F(CApiMisuse, MalformedConfigurationsNeverEchoTheApiKey) {
  const std::string s = kSecret;
  const std::vector<std::string> configs = {
      // Cut off inside or right after the key: the parser's "last read" excerpt is the key.
      R"({"api_keys": {"electricitymaps": ")" + s,
      R"({"api_keys": {"electricitymaps": ")" + s + R"("})",
      R"({"api_keys": {"electricitymaps": ")" + s + R"("}, "epochs": })",
      // A raw control character and an invalid UTF-8 byte inside the key.
      R"({"api_keys": {"electricitymaps": ")" + s + "\x01" + R"("}})",
      R"({"api_keys": {"electricitymaps": ")" + s + "\xff" + R"("}})",
      // Trailing garbage after a complete document.
      R"({"api_keys": {"electricitymaps": ")" + s + R"("}} trailing)",
      // The key pasted as a value elsewhere, and as a provider name.
      R"({"api_keys": {"electricitymaps": ")" + s + R"("}, "epochs": ")" + s + R"("})",
      R"({"api_keys": {"electricitymaps": ")" + s + R"("}, "provider": ")" + s + R"("})",
      R"({"api_keys": {"electricitymaps": ")" + s + R"(", "watttime": 5}})",
  };
  for (const auto& config : configs) {
    const std::string message = misuse_rejected(config);
    EXPECT_FALSE(message.empty()) << config;
    EXPECT_EQ(message.find(s), std::string::npos) << message;
    // Nor a recognisable part of it.
    EXPECT_EQ(message.find(s.substr(0, 12)), std::string::npos) << message;
    EXPECT_TRUE(valid_utf8(message)) << message;
    EXPECT_NE(message.find("; fix: "), std::string::npos) << message;
  }
}

TEST_F(CApiMisuse, AParseErrorStillSaysWhereTheJsonBroke) {
  const std::string message = misuse_rejected(R"({"epochs": 3,, "verbose": 0})");
  EXPECT_NE(message.find("config_json is not valid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("line 1, column 14"), std::string::npos) << message;
  EXPECT_EQ(message.find("last read"), std::string::npos) << message;
}

TEST_F(CApiMisuse, TenMegabyteValuesAndKeysAreNotEchoedWhole) {
  const std::string huge(10u << 20, 'x');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"epochs": ")" + huge + R"("})", "epochs"},
      {R"({"budget_action": ")" + huge + R"("})", "budget_action"},
      {R"({")" + huge + R"(": 1})", "unknown setting"},
      {R"({"api_keys": {")" + huge + R"(": 1}})", "api_keys"},
      {R"({"epochs": ")" + huge, "not valid JSON"},  // unterminated
      {R"({"epochs": [")" + huge + R"("]})", "epochs"},
  };
  for (const auto& [config, named] : cases) {
    const std::string message = misuse_rejected(config);
    EXPECT_LE(message.size(), 2100u) << message.substr(0, 300);
    EXPECT_NE(message.find(named), std::string::npos) << message.substr(0, 300);
    EXPECT_TRUE(valid_utf8(message));
  }
}

TEST_F(CApiMisuse, ALongMultiByteValueIsCutBetweenCharacters) {
  std::string value;
  for (int i = 0; i < 301; ++i) value += "\xc3\xa9";  // U+00E9, 2 bytes each; odd cut points
  const std::string message = misuse_rejected(R"({"epochs": ")" + value + R"("})");
  EXPECT_TRUE(valid_utf8(message)) << message;
  EXPECT_LT(message.size(), value.size()) << message;
  EXPECT_NE(message.find("(602 bytes)"), std::string::npos) << message;
}

// ----- fork() -----

std::string read_all(const std::filesystem::path& p) {
  std::string out;
  if (std::FILE* f = std::fopen(p.c_str(), "rb")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
  }
  return out;
}

using carbontracker::testing::count_of;

// Every log file of the run, concatenated.
std::string logs_in(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(dir)) all += read_all(e.path());
  return all;
}

TEST_F(CApiMisuse, AForkedChildGetsForkedFromEveryCallAndWritesNothing) {
  const auto log_dir = machine_.dir() / "logs";
  const std::string config = json{{"epochs", 3}, {"verbose", 0}, {"log_dir", log_dir.string()},
                                  {"sim_gpu", "Sim GPU"}, {"sim_gpu_watts", 100}}.dump();
  ct_tracker* raw = nullptr;
  ASSERT_EQ(ct_tracker_new(config.c_str(), &raw), CT_OK) << ct_last_error(nullptr);
  TrackerPtr t(raw);
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_discard(t.get()), CT_OK);  // logged, not flushed: in the stdio buffer now
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::alarm(30);  // a deadlocked child dies of SIGALRM instead of hanging the test
    int bad = 0;
    const auto expect_forked = [&](int rc, int bit) {
      if (rc != CT_ERR_FORKED) bad |= bit;
    };
    expect_forked(ct_epoch_end(t.get()), 1);
    expect_forked(ct_epoch_start(t.get()), 2);
    expect_forked(ct_epoch_discard(t.get()), 4);
    expect_forked(ct_stop(t.get()), 8);
    char* out = nullptr;
    expect_forked(ct_summary_json(t.get(), &out), 16);
    if (out != nullptr) bad |= 32;
    const std::string message = ct_last_error(t.get());
    if (message.find("fork() child") == std::string::npos || message.find("fix: ") == std::string::npos) bad |= 64;
    ct_tracker_free(t.release());  // releases the handle, writes nothing
    // What exit() does to stdio (flush every open stream), without the leak check a sanitizer
    // build runs at exit (the tracker is leaked here on purpose).
    std::fflush(nullptr);
    std::_Exit(bad);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "bit mask of the failed checks";

  // The parent carries on as if nothing had happened.
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK) << ct_last_error(t.get());
  ASSERT_EQ(ct_stop(t.get()), CT_OK) << ct_last_error(t.get());
  const std::string logs = logs_in(log_dir);
  EXPECT_EQ(count_of(logs, "Epoch 1 discarded"), 1u) << logs;
  EXPECT_EQ(count_of(logs, "Monitoring thread started."), 1u) << logs;
  EXPECT_EQ(count_of(logs, "\"type\":\"run_end\""), 1u) << logs;
  EXPECT_EQ(testing::summary_of(t.get())["epochs"].size(), 1u);
}

TEST_F(CApiMisuse, StatusStringOfForked) {
  EXPECT_EQ(std::string(ct_status_string(CT_ERR_FORKED)).rfind("CT_ERR_FORKED", 0), 0u);
}

}  // namespace
}  // namespace carbontracker
