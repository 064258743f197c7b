// The golden harness itself: the diff shows the first changed region with its line numbers, and
// normalisation replaces only what it names.
#include "golden_files.hpp"

#include <gtest/gtest.h>

namespace carbontracker::golden {
namespace {

TEST(GoldenFiles, DiffShowsTheFirstChangedRegionWithContextAndLineNumbers) {
  const std::string expected = "a\nb\nc\nd\ne\nf\ng\nh\n";
  const std::string actual = "a\nb\nc\nd\nE\nf\ng\nH\n";
  const std::string d = first_difference(expected, actual, "x.log");
  EXPECT_EQ(d,
            "--- x.log (expected)\n+++ x.log (actual)\n@@ -2,6 +2,6 @@\n b\n c\n d\n-e\n+E\n f\n g\n"
            "(more differences further down)\n");
}

TEST(GoldenFiles, DiffShowsInsertedLinesAndAMissingFinalNewline) {
  EXPECT_EQ(first_difference("a\nb\n", "a\nnew\nb\n", "f"),
            "--- f (expected)\n+++ f (actual)\n@@ -1,3 +1,4 @@\n a\n+new\n b\n \n");
  const std::string d = first_difference("a\n", "a", "f");
  EXPECT_NE(d.find("\\ actual: no newline at end of file"), std::string::npos) << d;
}

TEST(GoldenFiles, NormaliserReplacesOnlyWhatItNames) {
  Normaliser n;
  n.literal("/tmp/ct-1", "<TMP>").pattern(R"re(("pid":)\d+)re", "$1<PID>");
  add_version_patterns(n);
  EXPECT_EQ(n.apply("/tmp/ct-1/logs x /tmp/ct-12 {\"pid\":42,\"n\":42}"),
            "<TMP>/logs x <TMP>2 {\"pid\":<PID>,\"n\":42}");
  EXPECT_EQ(n.apply("carbontracker version 1.2.3 (C++ carbontracker)\n{\"carbontracker_version\": \"1.2.3\"}"),
            "carbontracker version <VERSION> (C++ carbontracker)\n{\"carbontracker_version\": \"<VERSION>\"}");
  // A version elsewhere is content, not normalised.
  EXPECT_EQ(n.apply("needs 1.2.3"), "needs 1.2.3");
}

}  // namespace
}  // namespace carbontracker::golden
