// Epoch markers: named groups (epoch number, planned total), repeats of one epoch number dropped
// (tqdm's doubled 100% line), ANSI colours and backspaces ignored, start patterns; and ChildRunner
// with a start pattern (set-up discarded, start+end pairs) on real children.
#include <gtest/gtest.h>

#include <stdexcept>

#include "runner/command_line.hpp"
#include "runner/epoch_markers.hpp"
#include "runner_test_util.hpp"

namespace carbontracker::runner::test {
namespace {

TEST(EpochMarkers, NamedGroupsGiveTheEpochAndTheTotal) {
  EpochMarkers m(R"(^Epoch (?P<epoch>\d+)/(?P<total>\d+))", std::nullopt);
  const auto a = m.match("Epoch 3/10 loss 0.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, EpochMarker::Kind::end);
  EXPECT_EQ(a->epoch, 3);
  EXPECT_EQ(a->total, 10);
  EXPECT_FALSE(m.match("noise"));
}

TEST(EpochMarkers, ARepeatOfTheSameEpochNumberIsDroppedAndCounted) {
  EpochMarkers m(R"(^epoch (?P<epoch>\d+): 100%\|)", std::nullopt);
  EXPECT_TRUE(m.match("epoch 1: 100%|####| 10/10 [1.0it/s]"));
  EXPECT_FALSE(m.match("epoch 1: 100%|####| 10/10 [0.9it/s]"));  // close() draws it again
  EXPECT_TRUE(m.match("epoch 2: 100%|####| 10/10"));
  EXPECT_TRUE(m.match("epoch 1: 100%|####| 10/10"));  // a second fit counting again: counts
  EXPECT_EQ(m.matched(), 3u);
  EXPECT_EQ(m.repeats(), 1u);
}

TEST(EpochMarkers, WithoutAnEpochGroupEveryMatchCounts) {
  EpochMarkers m("100%", std::nullopt);
  EXPECT_TRUE(m.match("100%"));
  EXPECT_TRUE(m.match("100%"));
  EXPECT_EQ(m.repeats(), 0u);
}

TEST(EpochMarkers, AnsiColoursAndBackspacesAreIgnored) {
  EpochMarkers m(R"(^\d+/\d+ ━+ \d+s .*val_loss)", std::nullopt);
  EXPECT_TRUE(m.match("\b\b\b\b8/8 \x1b[32m━━━━━\x1b[0m 1s 25ms/step - loss: 0.1 - val_loss: 0.5"));
  EXPECT_FALSE(m.match("\x1b[1A7/8 \x1b[32m━━━━\x1b[0m 1s 25ms/step - loss: 0.1"));
}

TEST(EpochMarkers, AStartPatternWinsOnALineBothMatch) {
  EpochMarkers m("Epoch", R"(^Epoch (?P<epoch>\d+)/(?P<total>\d+)$)");
  const auto s = m.match("Epoch 1/5");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, EpochMarker::Kind::start);
  const auto e = m.match("end of Epoch 1");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, EpochMarker::Kind::end);
}

TEST(EpochMarkers, BadPatternsNameTheirOption) {
  auto message = [](std::optional<std::string> end, std::optional<std::string> start) {
    try {
      EpochMarkers m(std::move(end), std::move(start));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(std::nullopt, "(unclosed").find("--epoch-start-pattern"), std::string::npos);
  EXPECT_NE(message(std::nullopt, "x*").find("matches an empty line"), std::string::npos);
  const auto typo = message(R"(Epoch (?P<epochs>\d+))", std::nullopt);
  EXPECT_NE(typo.find("--epoch-pattern"), std::string::npos) << typo;
  EXPECT_NE(typo.find("'epochs'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("'epoch'"), std::string::npos) << typo;
}

class TotalRecorder : public Recorder {
 public:
  std::vector<long> totals;
  void on_planned_epochs(long total) override {
    totals.push_back(total);
    events.push_back("total:" + std::to_string(total));
  }
};

TEST(ChildRunnerStartPattern, TheFirstStartEndsTheSetUpAndTheTotalComesFirst) {
  Capture cap;
  auto o = cap.options(sh("echo loading; echo 'Epoch 1/2'; echo step; echo 'Epoch 2/2'; echo step"));
  o.epoch_start_pattern = R"(^Epoch (?P<epoch>\d+)/(?P<total>\d+)$)";
  ChildRunner runner(o);
  TotalRecorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(c.result.exit_code, 0);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start", "total:2", "discard", "start:pattern",
                                                  "end:pattern", "start:pattern"}));
  EXPECT_EQ(c.result.markers, 2u);
  EXPECT_EQ(c.result.lines_read, 5u);
  EXPECT_TRUE(c.result.started);
}

TEST(ChildRunnerStartPattern, WithAnEndPatternTooEpochsArePairs) {
  Capture cap;
  auto o = cap.options(sh("echo 'Epoch 1'; echo done 1; echo checkpoint; echo 'Epoch 2'; echo done 2; echo done 2"));
  o.epoch_start_pattern = R"(^Epoch (?P<epoch>\d+)$)";
  o.epoch_pattern = R"(^done (?P<epoch>\d+))";
  ChildRunner runner(o);
  Recorder rec;
  const auto c = cap.run(runner, rec);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"started", "start:start", "discard", "start:pattern", "end:pattern",
                                                  "start:pattern", "end:pattern"}));
  EXPECT_EQ(c.result.repeated_markers, 1u);
}

TEST(CommandLine, SecretsAreMasked) {
  EXPECT_EQ(masked_command({"python", "train.py", "--api-key", "S1", "--Auth-Token=S2", "PASSWORD=S3", "--lr", "0.1",
                            "https://me:S4@host/x", "https://host/a:b@c"}),
            (std::vector<std::string>{"python", "train.py", "--api-key", "***", "--Auth-Token=***", "PASSWORD=***",
                                      "--lr", "0.1", "https://me:***@host/x", "https://host/a:b@c"}));
}

TEST(CommandLine, ACommandThatCannotStartIsFoundBeforehand) {
  carbontracker::testing::TempDir dir;
  carbontracker::testing::write_file(dir / "plain.txt", "echo hi\n");
  const auto missing = precheck_start("carbontracker-no-such-command", "/usr/bin:/bin");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->exit_code, 127);
  EXPECT_NE(missing->reason.find("command not found"), std::string::npos);
  const auto plain = precheck_start((dir / "plain.txt").string(), "/usr/bin:/bin");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->exit_code, 126);
  EXPECT_FALSE(precheck_start("sh", "/usr/bin:/bin"));
  EXPECT_FALSE(precheck_start("/bin/sh", nullptr));
}

}  // namespace
}  // namespace carbontracker::runner::test
