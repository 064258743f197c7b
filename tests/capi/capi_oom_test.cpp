// CT_ERR_NO_MEMORY: nothing else can make allocation fail on demand, so this binary replaces
// the global operator new (which the library's allocations resolve to as well) with one that
// throws std::bad_alloc on the calling thread while armed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "capi_test_support.hpp"

namespace {

thread_local bool t_fail_allocations = false;

void* allocate(std::size_t size) {
  if (t_fail_allocations) throw std::bad_alloc();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

// Arms the failure for the scope, on this thread only (the tracker's own threads go on).
class NoMemory {
 public:
  NoMemory() { t_fail_allocations = true; }
  ~NoMemory() { t_fail_allocations = false; }
  NoMemory(const NoMemory&) = delete;
  NoMemory& operator=(const NoMemory&) = delete;
};

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace carbontracker {
namespace {

using testing::FixedMachine;
using testing::TrackerPtr;

TEST(CApiNoMemory, TrackerCreationReportsNoMemory) {
  FixedMachine machine;
  ct_tracker* t = nullptr;
  int rc = 0;
  {
    NoMemory armed;
    rc = ct_tracker_new(R"({"epochs": 2, "verbose": 0})", &t);
  }
  EXPECT_EQ(rc, CT_ERR_NO_MEMORY);
  EXPECT_EQ(t, nullptr);
  EXPECT_STREQ(ct_last_error(nullptr), "out of memory");
}

TEST(CApiNoMemory, SummaryReportsNoMemoryAndTheTrackerCarriesOn) {
  FixedMachine machine;
  ct_tracker* raw = nullptr;
  ASSERT_EQ(ct_tracker_new(R"({"epochs": 2, "verbose": 0})", &raw), CT_OK) << ct_last_error(nullptr);
  TrackerPtr t(raw);
  ASSERT_EQ(ct_epoch_start(t.get()), CT_OK);
  ASSERT_EQ(ct_epoch_end(t.get()), CT_OK);
  char* out = reinterpret_cast<char*>(0x1);
  int rc = 0;
  {
    NoMemory armed;
    rc = ct_summary_json(t.get(), &out);
  }
  EXPECT_EQ(rc, CT_ERR_NO_MEMORY);
  EXPECT_EQ(out, nullptr);
  EXPECT_STREQ(ct_last_error(t.get()), "out of memory");
  // Memory is back: the same handle works.
  EXPECT_EQ(testing::summary_of(t.get())["epochs"].size(), 1u);
  EXPECT_EQ(ct_stop(t.get()), CT_OK);
}

}  // namespace
}  // namespace carbontracker
