// ChildRunner with real child processes: exit codes, command errors, byte-exact passthrough,
// epoch patterns, the child's environment, option validation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "runner_test_util.hpp"

namespace carbontracker::runner::test {
namespace {

using carbontracker::testing::write_file;

Captured run_sh(const std::string& script, Recorder& rec, std::optional<std::string> pattern = std::nullopt) {
  Capture cap;
  auto o = cap.options(sh(script));
  o.epoch_pattern = std::move(pattern);
  ChildRunner runner(o);
  return cap.run(runner, rec);
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

TEST(ChildRunner, PassesTheExitCodeThrough) {
  Recorder rec;
  EXPECT_EQ(run_sh("exit 0", rec).result.exit_code, 0);
  const auto c = run_sh("exit 3", rec);
  EXPECT_EQ(c.result.exit_code, 3);
  EXPECT_EQ(c.result.signal, 0);
  EXPECT_FALSE(c.result.stopped);
  EXPECT_TRUE(c.result.warnings.empty());
}

TEST(ChildRunner, AChildKilledByASignalGives128PlusTheSignal) {
  Recorder rec;
  const auto c = run_sh("kill -9 $$", rec);
  EXPECT_EQ(c.result.signal, 9);
  EXPECT_EQ(c.result.exit_code, 137);
  EXPECT_FALSE(c.result.killed_after_grace);
}

TEST(ChildRunner, ACommandNotFoundGives127AndNoObserverCall) {
  Capture cap;
  ChildRunner runner(cap.options({"carbontracker-test-no-such-command", "--flag"}));
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 127);
  ASSERT_EQ(c.result.warnings.size(), 1U);
  EXPECT_NE(c.result.warnings[0].find("'carbontracker-test-no-such-command': command not found"), std::string::npos)
      << c.result.warnings[0];
  EXPECT_TRUE(rec.events.empty());
  EXPECT_EQ(c.out, "");
}

// The first epoch must hold the command's first instruction: on_spawning() comes before the
// command has run at all (a start taken after the spawn lost a short command's first moments).
TEST(ChildRunner, OnSpawningComesBeforeTheCommandRuns) {
  struct SpawnRecorder : Recorder {
    std::filesystem::path witness;
    std::optional<bool> existed_at_spawning;
    void on_spawning() override {
      existed_at_spawning = std::filesystem::exists(witness);
      events.emplace_back("spawning");
    }
  };
  Capture cap;
  SpawnRecorder rec;
  rec.witness = cap.dir() / "ran";
  ChildRunner runner(cap.options(sh("touch '" + rec.witness.string() + "'")));
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  ASSERT_TRUE(rec.existed_at_spawning.has_value());
  EXPECT_FALSE(*rec.existed_at_spawning);
  EXPECT_TRUE(std::filesystem::exists(rec.witness));
  ASSERT_GE(rec.events.size(), 3U);
  EXPECT_EQ(rec.events[0], "spawning");
  EXPECT_EQ(rec.events[1], "started");
  EXPECT_EQ(rec.events[2], "start:start");
}

TEST(ChildRunner, ANonExecutableFileGives126) {
  Capture cap;
  const auto script = cap.dir() / "train.sh";
  write_file(script, "#!/bin/sh\necho never\n");
  ::chmod(script.c_str(), 0644);  // no x bit: refused even for root
  ChildRunner runner(cap.options({script.string()}));
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 126);
  EXPECT_TRUE(any_contains(c.result.warnings, "permission denied")) << ::testing::PrintToString(c.result.warnings);
  EXPECT_TRUE(rec.events.empty());

  ChildRunner dir_runner(cap.options({cap.dir().string()}));  // a directory is not executable either
  EXPECT_EQ(cap.run(dir_runner, rec).result.exit_code, 126);
  ChildRunner missing(cap.options({(cap.dir() / "missing").string()}));
  EXPECT_EQ(cap.run(missing, rec).result.exit_code, 127);
}

TEST(ChildRunner, RunsAnExecutableScriptWithoutShebangUnderShLikeExecvp) {
  Capture cap;
  const auto script = cap.dir() / "plain";
  write_file(script, "echo from-sh \"$1\"\n");
  ::chmod(script.c_str(), 0755);
  ChildRunner runner(cap.options({script.string(), "arg"}));
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_EQ(c.out, "from-sh arg\n");
}

TEST(ChildRunner, ResolvesThroughPathAndPassesArgumentsWithoutAShell) {
  Capture cap;
  ChildRunner runner(cap.options({"printf", "%s|%s|%s", "$HOME", "a b;*", "`id`"}));
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_EQ(c.out, "$HOME|a b;*|`id`");
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start"}));
  EXPECT_GT(rec.pid, 0);
}

TEST(ChildRunner, PassesBinaryOutputThroughByteForByte) {
  Recorder rec;
  const auto c = run_sh(R"(printf 'a\000b\377\r\n\033[1mX'; printf 'e\000\001' >&2)", rec, "zzz");
  EXPECT_EQ(c.out, std::string("a\0b\xff\r\n\x1b[1mX", 11));
  EXPECT_EQ(c.err, std::string("e\0\1", 3));
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST(ChildRunner, EmptyOutputWorks) {
  Recorder rec;
  const auto c = run_sh("true", rec, "Epoch");
  EXPECT_EQ(c.out, "");
  EXPECT_EQ(c.err, "");
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start"}));
}

TEST(ChildRunner, AVeryLongLineIsPassedWholeButCutForMatching) {
  // Line 1: "Epoch A" + 1.5 MiB + "Epoch hidden" + 0.5 MiB; line 2: "Epoch 1".
  const std::string script =
      "printf 'Epoch A'; head -c 1572864 /dev/zero | tr '\\0' x; printf 'Epoch hidden';"
      "head -c 524288 /dev/zero | tr '\\0' y; printf '\\nEpoch 1\\n'";
  Recorder rec;
  const auto c = run_sh(script, rec, "Epoch");
  const std::string expected = "Epoch A" + repeat('x', 1572864) + "Epoch hidden" + repeat('y', 524288) + "\nEpoch 1\n";
  EXPECT_EQ(c.out.size(), expected.size());
  EXPECT_TRUE(c.out == expected);
  // "Epoch A" (in the first MiB) and "Epoch 1" count; "Epoch hidden" (past 1 MiB) does not.
  EXPECT_EQ(rec.count("end:pattern"), 2);
  ASSERT_EQ(c.result.warnings.size(), 1U);
  EXPECT_NE(c.result.warnings[0].find("a line longer than 1 MiB was cut for pattern matching"), std::string::npos);
}

TEST(ChildRunner, CountsPatternEpochsOnStdoutAndStderr) {
  Recorder rec;
  const auto c = run_sh("echo 'Epoch 1/3'; echo 'Epoch 2/3' >&2; echo noise; echo 'epoch 9'; echo 'Epoch 3/3'", rec,
                        R"(^Epoch \d+/\d+)");
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start", "end:pattern", "start:pattern",
                                                  "end:pattern", "start:pattern", "end:pattern", "start:pattern"}));
  EXPECT_EQ(c.out, "Epoch 1/3\nnoise\nepoch 9\nEpoch 3/3\n");
  EXPECT_EQ(c.err, "Epoch 2/3\n");
}

TEST(ChildRunner, CountsCarriageReturnProgressLinesAndAFinalLineWithoutNewline) {
  Recorder rec;
  // Two lines reach 100%; CRLF is one separator, not two; "val 100%" has no newline at all.
  const auto c = run_sh(R"(printf 'train 10%%\rtrain 55%%\rtrain 100%%\r\nval 3%%\rval 100%%')", rec, "100%");
  EXPECT_EQ(rec.count("end:pattern"), 2);
  EXPECT_EQ(c.out, "train 10%\rtrain 55%\rtrain 100%\r\nval 3%\rval 100%");
}

TEST(ChildRunner, AMatchEndsAtMostOneEpochPerLine) {
  Recorder rec;
  run_sh("echo 'Epoch 1 Epoch 2'", rec, "Epoch");
  EXPECT_EQ(rec.count("end:pattern"), 1);
}

TEST(ChildRunner, WithoutPatternTheWholeCommandIsOneOpenEpoch) {
  Capture cap;
  auto o = cap.options(sh("echo 'Epoch 1'; echo 'Epoch 2'"));
  o.control_channel = false;
  ChildRunner runner(o);
  Recorder rec;
  cap.run(runner, rec);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start"}));
}

TEST(ChildRunner, SetsPythonUnbufferedUnlessGivenAndAddsExtraEnvironment) {
  Capture cap;
  auto o = cap.options(sh(R"(printf '%s|%s|%s' "$PYTHONUNBUFFERED" "$FOO" "${CARBONTRACKER_CONTROL:+set}")"));
  o.extra_env = {{"FOO", "bar baz"}};
  ChildRunner runner(o);
  Recorder rec;
  EXPECT_EQ(cap.run(runner, rec).out, "1|bar baz|set");

  Capture cap2;
  auto o2 = cap2.options(sh(R"(printf '%s|%s' "$PYTHONUNBUFFERED" "${CARBONTRACKER_CONTROL-unset}")"));
  o2.extra_env = {{"PYTHONUNBUFFERED", "0"}};
  o2.control_channel = false;
  ChildRunner runner2(o2);
  EXPECT_EQ(cap2.run(runner2, rec).out, "0|unset");
}

TEST(ChildRunner, KeepsDrainingTheChildWhenItsOutputPipeIsBroken) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // nobody reads our stdout any more (e.g. `carbontracker run ... | head -1` finished)
  Capture cap;
  auto o = cap.options(sh("for i in 1 2 3; do echo \"Epoch $i\"; done; echo done >&2"));
  o.output_fd = fds[1];
  o.epoch_pattern = "Epoch";
  ChildRunner runner(o);
  Recorder rec;
  const auto c = cap.run(runner, rec);  // SIGPIPE would kill the test process here
  ::close(fds[1]);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_EQ(rec.count("end:pattern"), 3);
  EXPECT_EQ(c.err, "done\n");
  EXPECT_TRUE(any_contains(c.result.warnings, "cannot pass the command's stdout through"));
}

TEST(ChildRunner, AnObserverExceptionStopsTheChildWithAWarning) {
  Recorder rec;
  rec.on_start = [](EpochSource s) {
    if (s == EpochSource::pattern) throw std::runtime_error("budget exceeded: 12 g CO2eq");
  };
  const auto c = run_sh("echo 'Epoch 1'; exec sleep 5", rec, "Epoch");
  EXPECT_TRUE(c.result.stopped);
  EXPECT_EQ(c.result.stop_reason, "on_epoch_start failed: budget exceeded: 12 g CO2eq");
  EXPECT_EQ(c.result.signal, SIGTERM);
  EXPECT_LT(c.elapsed_s, 2.0);
  ASSERT_EQ(c.result.warnings.size(), 1U);
  EXPECT_NE(c.result.warnings[0].find("on_epoch_start failed: budget exceeded"), std::string::npos);
}

TEST(ChildRunnerOptions, AnInvalidPatternThrowsNamingTheOption) {
  RunOptions o;
  o.argv = {"true"};
  o.epoch_pattern = R"(Epoch (\d+)";
  try {
    ChildRunner runner(o);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("--epoch-pattern"), std::string::npos) << what;
    EXPECT_NE(what.find("missing )"), std::string::npos) << what;  // RE2's own message
  }
}

TEST(ChildRunnerOptions, RejectsPatternsMatchingEmptyLinesEmptyCommandsAndBadIntervals) {
  RunOptions o;
  o.argv = {"true"};
  o.epoch_pattern = "x*";
  EXPECT_THROW(ChildRunner{o}, std::invalid_argument);
  o.epoch_pattern.reset();
  o.tick_interval_s = 0;
  EXPECT_THROW(ChildRunner{o}, std::invalid_argument);
  o.tick_interval_s = 1;
  o.grace_period_s = -1;
  EXPECT_THROW(ChildRunner{o}, std::invalid_argument);
  o.grace_period_s = 1;
  o.argv.clear();
  EXPECT_THROW(ChildRunner{o}, std::invalid_argument);
}

}  // namespace
}  // namespace carbontracker::runner::test
