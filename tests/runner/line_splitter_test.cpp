// Pure parts of the runner: line splitting, control command parsing, PATH candidates, the
// child's environment.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runner/control_channel.hpp"
#include "runner/line_splitter.hpp"
#include "runner/spawn.hpp"

namespace carbontracker::runner {
namespace {

std::vector<std::string> split(LineSplitter& s, const std::vector<std::string>& chunks, bool finish = true) {
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view l) { lines.emplace_back(l); };
  for (const auto& c : chunks) s.feed(c, collect);
  if (finish) s.finish(collect);
  return lines;
}

TEST(LineSplitter, SplitsOnNewlineAndCarriageReturnWithoutEmptyLines) {
  LineSplitter s(100);
  EXPECT_EQ(split(s, {"a\nb\r\nc\rd\n\n\re"}), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(LineSplitter, JoinsLinesAcrossChunksAndKeepsBinaryBytes) {
  LineSplitter s(100);
  const std::string nul("x\0y", 3);
  EXPECT_EQ(split(s, {"Ep", "och 1", "\n", nul, "\xff\n"}), (std::vector<std::string>{"Epoch 1", nul + "\xff"}));
}

TEST(LineSplitter, ReportsTheLastLineWithoutSeparatorOnlyAtFinish) {
  LineSplitter s(100);
  EXPECT_TRUE(split(s, {"partial"}, false).empty());
  EXPECT_EQ(split(s, {}, true), (std::vector<std::string>{"partial"}));
  EXPECT_TRUE(split(s, {}, true).empty());  // finish resets
}

TEST(LineSplitter, CutsALongLineOnceAndSkipsItsRest) {
  LineSplitter s(4);
  EXPECT_EQ(split(s, {"abcdefgh", "ij\nxy\nabcd\n"}), (std::vector<std::string>{"abcd", "xy", "abcd"}));
  EXPECT_EQ(s.cut_lines(), 1U);  // "abcd" of exactly the limit is not cut
}

TEST(LineSplitter, ACutLineIsNotReportedAgainAtFinish) {
  LineSplitter s(3);
  EXPECT_EQ(split(s, {"abcdef"}), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(s.cut_lines(), 1U);
}

TEST(ControlCommand, ParsesCommandsWithOptionalSync) {
  auto c = parse_control_line("  epoch_start\t");
  EXPECT_EQ(c.kind, ControlCommand::Kind::epoch_start);
  EXPECT_FALSE(c.sync);
  c = parse_control_line("epoch_end sync");
  EXPECT_EQ(c.kind, ControlCommand::Kind::epoch_end);
  EXPECT_TRUE(c.sync);
  c = parse_control_line("epoch_end  sync ");
  EXPECT_EQ(c.kind, ControlCommand::Kind::epoch_end);
  EXPECT_TRUE(c.sync);
}

TEST(ControlCommand, UnknownCommandsStillHonourSync) {
  auto c = parse_control_line("checkpoint sync");
  EXPECT_EQ(c.kind, ControlCommand::Kind::unknown);
  EXPECT_TRUE(c.sync);  // the child waits for an ack whatever it sent
  c = parse_control_line("epoch_endsync");
  EXPECT_EQ(c.kind, ControlCommand::Kind::unknown);
  EXPECT_FALSE(c.sync);
  c = parse_control_line("epoch_end now");
  EXPECT_EQ(c.kind, ControlCommand::Kind::unknown);
  EXPECT_EQ(c.text, "epoch_end now");
  EXPECT_EQ(parse_control_line("sync").kind, ControlCommand::Kind::unknown);
}

TEST(ExecCandidates, FollowsExecvpRules) {
  EXPECT_EQ(exec_candidates("./train.sh", "/usr/bin"), (std::vector<std::string>{"./train.sh"}));
  EXPECT_EQ(exec_candidates("python", "/opt/bin::/usr/bin"),
            (std::vector<std::string>{"/opt/bin/python", "python", "/usr/bin/python"}));
  EXPECT_EQ(exec_candidates("python", nullptr), (std::vector<std::string>{"/bin/python", "/usr/bin/python"}));
  EXPECT_TRUE(exec_candidates("", "/usr/bin").empty());
}

TEST(ChildEnvironment, AppliesOverridesAndSetsPythonUnbufferedOnce) {
  std::string a = "PATH=/bin", b = "HOME=/root";
  char* base[] = {a.data(), b.data(), nullptr};
  auto env = build_child_env(base, {{"HOME", "/tmp"}, {"FOO", "x=y"}});
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "HOME=/tmp", "FOO=x=y", "PYTHONUNBUFFERED=1"}));
  env = build_child_env(base, {{"PYTHONUNBUFFERED", ""}});
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "HOME=/root", "PYTHONUNBUFFERED="}));
  std::string c = "PYTHONUNBUFFERED_X=1";
  char* base2[] = {c.data(), nullptr};
  EXPECT_EQ(build_child_env(base2, {}).back(), "PYTHONUNBUFFERED=1");  // a longer name is not the variable
}

}  // namespace
}  // namespace carbontracker::runner
