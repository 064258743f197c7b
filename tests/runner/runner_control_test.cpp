// ChildRunner's control channel, request_stop, ticks and ask(), with real child processes.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "runner/control_channel.hpp"
#include "runner_test_util.hpp"

namespace carbontracker::runner::test {
namespace {

namespace fs = std::filesystem;

TEST(ControlChannel, MarksEpochsAndWarnsOncePerUnknownCommand) {
  Capture cap;
  const std::string script = R"sh(c="$CARBONTRACKER_CONTROL"
printf '%s\n' "$c" "$CARBONTRACKER_CONTROL_ACK"; stat -c %a "$(dirname "$c")"
echo epoch_start > "$c"; echo epoch_end > "$c"
echo epoch_start > "$c"; echo epoch_end > "$c"
echo bogus > "$c"; echo "bogus 2" > "$c"; echo other > "$c"; echo epoch_end > "$c")sh";
  ChildRunner runner(cap.options(sh(script)));
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  // The first explicit epoch_start replaces the implicit epoch opened at start (setup is not an epoch).
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start", "discard", "start:control",
                                                  "end:control", "start:control", "end:control"}));
  // bogus, other, and the epoch_end with no open epoch: one warning each.
  EXPECT_EQ(c.result.warnings.size(), 3U) << ::testing::PrintToString(c.result.warnings);
  EXPECT_TRUE(any_contains(c.result.warnings, "'bogus'"));
  EXPECT_TRUE(any_contains(c.result.warnings, "'other'"));
  EXPECT_TRUE(any_contains(c.result.warnings, "'epoch_end' with no epoch open"));

  std::istringstream lines(c.out);
  std::string control, ack, mode;
  std::getline(lines, control);
  std::getline(lines, ack);
  std::getline(lines, mode);
  EXPECT_EQ(mode, "700");
  EXPECT_EQ(fs::path(ack).parent_path(), fs::path(control).parent_path());
  EXPECT_FALSE(fs::exists(fs::path(control).parent_path())) << "the private directory is removed";
}

// TMPDIR for one scope (the channel's private directory is made under it).
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& value) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", value.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }
  ScopedTmpdir(const ScopedTmpdir&) = delete;
  ScopedTmpdir& operator=(const ScopedTmpdir&) = delete;

 private:
  std::optional<std::string> old_;
};

TEST(ControlChannel, AChannelThatCannotBeMadeIsAStatusAndTheRunGoesOnWithoutIt) {
  const std::string missing = "/nonexistent-carbontracker-test-dir";
  Capture cap;  // its files are made under the real TMPDIR
  ScopedTmpdir tmpdir(missing);
  const auto channel = ControlChannel::create();
  ASSERT_FALSE(channel);
  EXPECT_EQ(channel.status().code(), StatusCode::unavailable);
  const std::string& message = channel.status().message();
  EXPECT_EQ(message.rfind("cannot create a private directory " + missing + "/carbontracker-run-", 0), 0u) << message;
  EXPECT_TRUE(message.ends_with(": No such file or directory")) << message;

  ChildRunner runner(cap.options(sh("echo \"[${CARBONTRACKER_CONTROL-unset}]\"")));
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_EQ(c.out, "[unset]\n");
  EXPECT_TRUE(any_contains(c.result.warnings, "no control channel (cannot create a private directory " + missing))
      << ::testing::PrintToString(c.result.warnings);
  EXPECT_TRUE(any_contains(c.result.warnings, "); CARBONTRACKER_CONTROL is not set"));
}

TEST(ControlChannel, SyncMakesTheChildWaitUntilTheObserverHasReturned) {
  Capture cap;
  const auto marker = cap.dir() / "after_ack";
  const std::string wait_ack = R"(; read _ < "$CARBONTRACKER_CONTROL_ACK")";
  const std::string script = R"(echo 'epoch_end sync' > "$CARBONTRACKER_CONTROL")" + wait_ack + "; touch '" +
                             marker.string() + R"('; echo 'epoch_start sync' > "$CARBONTRACKER_CONTROL")" + wait_ack;
  ChildRunner runner(cap.options(sh(script)));
  Recorder rec;
  bool child_waited = false;
  rec.on_end = [&](EpochSource s) {
    if (s != EpochSource::control) return;
    // Give an un-synchronised child every chance to run ahead before we look.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    child_waited = !fs::exists(marker);
  };
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_TRUE(child_waited) << "the child went on before the epoch_end callback returned";
  EXPECT_TRUE(fs::exists(marker));
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start", "end:control", "start:control"}));
  EXPECT_TRUE(c.result.warnings.empty()) << ::testing::PrintToString(c.result.warnings);
}

TEST(ControlChannel, CommandsWrittenJustBeforeExitAreNotLost) {
  Capture cap;
  ChildRunner runner(cap.options(sh("printf 'epoch_start\\nepoch_end' > \"$CARBONTRACKER_CONTROL\"")));
  Recorder rec;
  cap.run(runner, rec);  // the last command has no newline: taken at the end
  EXPECT_EQ(rec.events,
            (std::vector<std::string>{"started", "start:start", "discard", "start:control", "end:control"}));
}

TEST(RequestStop, TerminatesAChildThatExitsOnSigterm) {
  Capture cap;
  auto o = cap.options(sh("trap 'echo got-term; exit 5' TERM; echo ready; while :; do sleep 0.05; done"));
  o.epoch_pattern = "ready";
  ChildRunner runner(o);
  Recorder rec;
  rec.on_start = [&](EpochSource s) {
    if (s == EpochSource::pattern) runner.request_stop("budget exceeded");
  };
  const auto c = cap.run(runner, rec);
  EXPECT_TRUE(c.result.stopped);
  EXPECT_EQ(c.result.stop_reason, "budget exceeded");
  EXPECT_EQ(c.result.exit_code, 5);
  EXPECT_FALSE(c.result.killed_after_grace);
  EXPECT_EQ(c.out, "ready\ngot-term\n");
  EXPECT_LT(c.elapsed_s, 1.5);
}

TEST(RequestStop, KillsAChildThatIgnoresSigtermAfterTheGracePeriod) {
  Capture cap;
  auto o = cap.options(sh("trap '' TERM; echo ready; while :; do sleep 0.05; done"));
  o.epoch_pattern = "ready";
  o.grace_period_s = 0.3;
  ChildRunner runner(o);
  Recorder rec;
  rec.on_start = [&](EpochSource s) {
    if (s == EpochSource::pattern) {
      runner.request_stop("user said no");
      runner.request_stop("second call keeps the first reason");
    }
  };
  const auto c = cap.run(runner, rec);
  EXPECT_TRUE(c.result.stopped);
  EXPECT_EQ(c.result.stop_reason, "user said no");
  EXPECT_TRUE(c.result.killed_after_grace);
  EXPECT_EQ(c.result.signal, 9);
  EXPECT_EQ(c.result.exit_code, 137);
  EXPECT_GE(c.elapsed_s, 0.3);
  EXPECT_LT(c.elapsed_s, 3.0);
}

TEST(Ticks, ArriveWhileTheChildIsSilent) {
  Capture cap;
  ChildRunner runner(cap.options({"sleep", "0.5"}));  // 50 ms ticks
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_GE(rec.ticks, 6);
  EXPECT_LE(rec.ticks, static_cast<int>(c.elapsed_s / 0.05) + 1);
}

// Without a tick the loop has no timeout of its own: over a silent second the calling thread
// wakes only for the spawn and the exit (50 ms ticks would be about 20 wake-ups).
TEST(Ticks, NoneWithoutATickIntervalAndTheLoopSleepsWhileTheChildIsSilent) {
  Capture cap;
  auto o = cap.options({"sleep", "1"});
  o.tick_interval_s.reset();
  ChildRunner runner(o);
  Recorder rec;
  rusage before{};
  ASSERT_EQ(::getrusage(RUSAGE_THREAD, &before), 0);
  const auto c = cap.run(runner, rec);
  rusage after{};
  ASSERT_EQ(::getrusage(RUSAGE_THREAD, &after), 0);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_EQ(rec.ticks, 0);
  EXPECT_GE(c.elapsed_s, 0.9);
  EXPECT_LE(after.ru_nvcsw - before.ru_nvcsw, 8) << "voluntary context switches of the run loop's thread";
}

// A stop's grace deadline still wakes the loop when there is no tick.
TEST(Ticks, WithoutATickAStopStillEscalatesToSigkillAfterTheGracePeriod) {
  Capture cap;
  // The stop is asked once the child says it ignores SIGTERM (before that, SIGTERM would end it).
  auto o = cap.options(sh("trap '' TERM; echo ready; sleep 5"));
  o.epoch_pattern = "^ready";
  o.tick_interval_s.reset();
  o.grace_period_s = 0.3;
  ChildRunner runner(o);
  Recorder rec;
  rec.on_start = [&](EpochSource s) {
    if (s == EpochSource::pattern) runner.request_stop("test stop");
  };
  const auto c = cap.run(runner, rec);
  EXPECT_TRUE(c.result.stopped);
  EXPECT_TRUE(c.result.killed_after_grace);
  EXPECT_EQ(c.result.exit_code, 137);
  EXPECT_LT(c.elapsed_s, 3.0);
}

// ask() while the child prints a line every 20 ms: the answer is written to the input pipe only
// after five more lines went through, so output must keep flowing while the question waits.
struct AskOutcome {
  int answers = 0;
  bool answer = false;
  int lines_while_waiting = 0;
  Captured captured;
  std::string left_in_input;
};

AskOutcome ask_with_input(const std::string& input, bool close_input) {
  int in[2];
  EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);  // the child must not hold the write end open
  Capture cap;
  auto o = cap.options(sh("i=0; while [ $i -lt 15 ]; do echo line $i; i=$((i+1)); sleep 0.02; done"));
  o.epoch_pattern = "^line";
  o.input_fd = in[0];
  ChildRunner runner(o);
  Recorder rec;
  AskOutcome r;
  int asked_at = -1;
  rec.on_start = [&](EpochSource s) {
    if (s != EpochSource::pattern) return;
    const int lines = static_cast<int>(rec.count("start:pattern"));
    if (asked_at < 0) {
      asked_at = lines;
      runner.ask("Budget exceeded. Continue (y/n)? ", [&](bool yes) {
        ++r.answers;
        r.answer = yes;
        r.lines_while_waiting = static_cast<int>(rec.count("start:pattern")) - asked_at;
      });
    } else if (lines == asked_at + 5) {
      if (!input.empty()) {
        EXPECT_EQ(::write(in[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
      }
      if (close_input) ::close(in[1]);
    }
  };
  r.captured = cap.run(runner, rec);
  if (!close_input) ::close(in[1]);
  char buf[64];
  const ssize_t n = ::read(in[0], buf, sizeof buf);
  if (n > 0) r.left_in_input.assign(buf, static_cast<std::size_t>(n));
  ::close(in[0]);
  EXPECT_EQ(r.captured.result.exit_code, 0);
  return r;
}

TEST(Ask, YesIsTrueAndOnlyTheAnswerLineIsConsumed) {
  const auto r = ask_with_input("yes\nrest", false);
  EXPECT_EQ(r.answers, 1);
  EXPECT_TRUE(r.answer);
  EXPECT_GE(r.lines_while_waiting, 5);
  EXPECT_EQ(r.captured.err, "Budget exceeded. Continue (y/n)? ");
  EXPECT_EQ(r.left_in_input, "rest");
}

TEST(Ask, NoIsFalse) {
  const auto r = ask_with_input(" N \n", false);
  EXPECT_EQ(r.answers, 1);
  EXPECT_FALSE(r.answer);
  EXPECT_GE(r.lines_while_waiting, 5);
}

TEST(Ask, GarbageRepromptsThenYes) {
  const auto r = ask_with_input("maybe\nY\n", false);
  EXPECT_EQ(r.answers, 1);
  EXPECT_TRUE(r.answer);
  EXPECT_EQ(r.captured.err, "Budget exceeded. Continue (y/n)? Input not recognized. Try again (y/n): ");
}

TEST(Ask, EndOfInputIsNo) {
  const auto r = ask_with_input("", true);
  EXPECT_EQ(r.answers, 1);
  EXPECT_FALSE(r.answer);
  EXPECT_GE(r.lines_while_waiting, 5);
}

}  // namespace
}  // namespace carbontracker::runner::test
