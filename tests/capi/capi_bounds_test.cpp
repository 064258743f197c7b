// The C API's JSON meets the shared bounds (docs/configuration.md#bounds): numbers that overflow
// a double or a duration, strings with an embedded NUL and a log_file_prefix that would leave
// log_dir are CT_ERR_INVALID_ARGUMENT naming the key, never an internal error, a cut string or
// a file outside log_dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "capi_test_support.hpp"

namespace carbontracker {
namespace {

using nlohmann::json;
using testing::FixedMachine;

#define EXPECT_HAS(text, part) EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

std::string refused(const std::string& config) {
  ct_tracker* t = nullptr;
  const int rc = ct_tracker_new(config.c_str(), &t);
  EXPECT_EQ(rc, CT_ERR_INVALID_ARGUMENT) << config << ": " << ct_last_error(nullptr);
  if (t) ct_tracker_free(t);
  return ct_last_error(nullptr);
}

std::size_t files_under(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST(CApiBounds, OverflowingNumbersAreInvalidArgumentsNamingTheKey) {
  FixedMachine machine;
  EXPECT_HAS(refused(R"({"pue": 1e400})"), "\"pue\" overflows a double");
  EXPECT_HAS(refused(R"({"verbose": 0, "update_interval": -1e999})"), "\"update_interval\" overflows");
  // Finite, but a duration that would overflow the nanosecond clock: refused at configuration.
  EXPECT_HAS(refused(R"({"intensity_refresh_s": 1e10})"),
             "intensity_refresh_s (config_json): must be between 1 and 86400 s, got 10000000000");
  EXPECT_HAS(refused(R"({"max_duration_s": 1e300})"), "max_duration_s (config_json): must be greater than 0");
  EXPECT_HAS(refused(R"({"epochs": 100000000000000000000000000000})"), "epochs (config_json)");
  EXPECT_HAS(refused(R"({"epochs": 1e7, "epochs_before_pred": 2e7})"), "epochs");
}

TEST(CApiBounds, NulInsideAStringAndAPrefixLeavingLogDirAreRefused) {
  FixedMachine machine;
  const auto logs = machine.dir() / "logs";
  std::filesystem::create_directories(logs);
  const std::string dir = logs.string();
  for (const std::string key : {"log_file_prefix", "country", "components", "summary_json", "log_dir"}) {
    const std::string msg = refused(R"({"verbose": 0, "log_dir": ")" + dir + R"(", ")" + key + R"(": "a\u0000b"})");
    EXPECT_HAS(msg, key + " (config_json): contains a NUL character");
  }
  for (const std::string prefix : {"../escaped", "sub/dir", "/tmp/abs"}) {
    const std::string msg = refused(json{{"verbose", 0}, {"log_dir", dir}, {"log_file_prefix", prefix}}.dump());
    EXPECT_HAS(msg, "log_file_prefix (config_json): must not contain '/' or \"..\"");
  }
  EXPECT_EQ(files_under(machine.dir().path()), 0u) << "nothing was written, inside log_dir or outside it";

  // A plain prefix still works and its logs land inside log_dir.
  ct_tracker* t = nullptr;
  ASSERT_EQ(ct_tracker_new(json{{"verbose", 0}, {"log_dir", dir}, {"log_file_prefix", "ok.run"}}.dump().c_str(), &t),
            CT_OK)
      << ct_last_error(nullptr);
  EXPECT_EQ(ct_stop(t), CT_OK);
  ct_tracker_free(t);
  EXPECT_GT(files_under(logs), 0u);
  EXPECT_EQ(files_under(machine.dir().path()), files_under(logs));
}

}  // namespace
}  // namespace carbontracker
