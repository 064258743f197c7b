#include "io/fs.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace carbontracker::io {
namespace {

using carbontracker::testing::run_unprivileged;
using carbontracker::testing::TempDir;
using carbontracker::testing::write_file;

TEST(Fs, ReadsNumbersLocaleIndependently) {
  TempDir dir;
  write_file(dir / "u", "123456789012\n");
  write_file(dir / "d", "2.3283064365386962890625e-10\n");
  EXPECT_EQ(*read_u64(dir / "u"), 123456789012u);
  EXPECT_DOUBLE_EQ(*read_double(dir / "d"), 2.3283064365386962890625e-10);
}

TEST(Fs, MissingFileIsNotFoundAndNamesThePath) {
  TempDir dir;
  auto r = read_u64(dir / "absent");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::not_found);
  EXPECT_NE(r.status().message().find("absent"), std::string::npos);
}

TEST(Fs, GarbageIsInvalidArgument) {
  TempDir dir;
  write_file(dir / "g", "12abc\n");
  auto r = read_u64(dir / "g");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::invalid_argument);
}

TEST(Fs, UnreadableFileIsPermissionDeniedEvenWhenTestsRunAsRoot) {
  TempDir dir;
  write_file(dir / "energy_uj", "1\n");
  ASSERT_EQ(::chmod((dir / "energy_uj").c_str(), 0400), 0);
  // Owned by the test user with mode 0400: unprivileged children cannot open it.
  const std::string out = run_unprivileged([&] {
    auto r = CounterFile::open(dir / "energy_uj");
    return std::string(to_string(r.status().code()));
  });
  if (::geteuid() == 0) {
    EXPECT_EQ(out, "permission denied");
  } else {
    // Non-root owner can still read 0400; make it 0000 to see the same thing.
    ASSERT_EQ(::chmod((dir / "energy_uj").c_str(), 0000), 0);
    auto r = CounterFile::open(dir / "energy_uj");
    EXPECT_EQ(r.status().code(), StatusCode::permission_denied);
  }
}

TEST(Fs, CounterFileRereadsFromTheStart) {
  TempDir dir;
  write_file(dir / "energy_uj", "100\n");
  auto f = CounterFile::open(dir / "energy_uj");
  ASSERT_TRUE(f) << f.status().to_string();
  EXPECT_EQ(*f->read_u64(), 100u);
  write_file(dir / "energy_uj", "98765\n");
  EXPECT_EQ(*f->read_u64(), 98765u);
}

TEST(Fs, ListDirIsSorted) {
  TempDir dir;
  write_file(dir / "b", "");
  write_file(dir / "a", "");
  write_file(dir / "c/x", "");
  auto names = list_dir(dir.path());
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace carbontracker::io
