// CT_ERR_NO_MEMORY: nothing else can make allocation fail on demand, so this binary replaces
// the global operator new (which the library's allocations resolve to as well) with one that
// throws std::bad_alloc on the calling thread while armed.
#include <gtest/gtest.h>

#include <execinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "capi_test_support.hpp"
#include "sanitizers.hpp"

namespace {

thread_local bool t_fail_allocations = false;
// > 0: the allocation that brings it to 0 fails, once (a transient shortage); the others go on.
thread_local long t_fail_countdown = 0;
thread_local bool t_failed = false;  // the countdown's failure happened

void* allocate(std::size_t size) {
  if (t_fail_allocations) throw std::bad_alloc();
  if (t_fail_countdown > 0 && --t_fail_countdown == 0) {
    t_failed = true;
    throw std::bad_alloc();
  }
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

// Fails the n-th allocation on this thread within the scope, once.
class FailNth {
 public:
  explicit FailNth(long n) {
    t_failed = false;
    t_fail_countdown = n;
  }
  ~FailNth() { t_fail_countdown = 0; }
  FailNth(const FailNth&) = delete;
  FailNth& operator=(const FailNth&) = delete;
  [[nodiscard]] static bool fired() { return t_failed; }
};

}  // namespace

void* operator new(std::size_t size) { return allocate(size); }
void* operator new[](std::size_t size) { return allocate(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms too (std::stable_sort's buffer uses them): every new/delete pair has to meet
// in this file, or a sanitizer's own operator new hands out memory that std::free then releases.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

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

// ----- one failed allocation, at every allocation of a call in turn -----
//
// For n = 1, 2, ... a forked child makes the call with its n-th allocation failing, until a
// call makes fewer than n allocations. A child is used so that a crash (std::terminate, a
// signal) is seen and named with its n instead of ending the test binary.

std::string config_in(const testing::TempDir& dir) {
  return nlohmann::json{{"epochs", 3}, {"verbose", 0}, {"log_dir", (dir / "logs").string()},
                        {"summary_json", (dir / "summary.json").string()}, {"sim_gpu", "Sim GPU"},
                        {"sim_gpu_watts", 100}, {"intensity_g_per_kwh", 100}}
      .dump();
}

constexpr int kChecked = 0, kNotFired = 1, kWrongStatus = 2;  // child exit codes

// The status a call may return when one of its allocations fails: success (the failure was
// absorbed) or CT_ERR_NO_MEMORY saying "out of memory". Never a crash, never "invalid argument"
// (a bad log_dir), never an internal or tracker error.
bool acceptable(int rc, const ct_tracker* t) {
  if (rc == CT_OK) return true;
  return rc == CT_ERR_NO_MEMORY && std::string(ct_last_error(t)) == "out of memory";
}

struct Survey {
  long allocations = 0;              // of the call (the first n that did not fire)
  std::vector<std::string> problems;  // "n=12: wrong status", set-up failures
  std::vector<std::string> crashes;   // "n=57: killed by signal 6"
};

// Every 2nd allocation in a normal build, every 8th under a sanitizer (each run builds a whole
// tracker; every allocation of the three calls takes about 15 s in a normal build on the 2-vCPU
// CI machine). CARBONTRACKER_OOM_STRIDE=1 surveys every allocation.
#if CARBONTRACKER_TEST_ASAN || CARBONTRACKER_TEST_TSAN
constexpr long kDefaultStride = 8;
#else
constexpr long kDefaultStride = 2;
#endif
const long kStride = [] {
  const char* s = std::getenv("CARBONTRACKER_OOM_STRIDE");
  const long v = s ? std::atol(s) : 0;
  return v > 0 ? v : kDefaultStride;
}();

// A SIGSEGV says where it happened (addresses; `addr2line -f -C -i -e libcarbontracker.so.0.1.0
// <offset>` names the frames in the library).
void print_stack_and_die(int sig) {
  void* frames[64];
  const int n = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, n, STDERR_FILENO);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// `run(n)` makes the call with its n-th allocation failing and returns kChecked, kNotFired or
// kWrongStatus. One child runs n, n + 1, ... in turn, writing each n to a pipe before trying
// it; when it dies, the last n it wrote is the one that crashed, and a new child goes on after it.
template <class Run>
Survey survey(Run run) {
  Survey out;
  // Debugging one n under gdb: CARBONTRACKER_OOM_ONLY_N=537 runs just that one, in-process.
  if (const char* only = std::getenv("CARBONTRACKER_OOM_ONLY_N")) {
    const long n = std::atol(only);
    if (run(n) != kChecked) out.problems.push_back("n=" + std::to_string(n) + ": wrong status");
    return out;
  }
  long next = 1;
  while (next < 1000000) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
      out.problems.push_back("pipe failed");
      return out;
    }
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
      out.problems.push_back("fork failed");
      return out;
    }
    if (pid == 0) {
      ::close(pipe_fds[0]);
      ::signal(SIGSEGV, &print_stack_and_die);
      for (long n = next;; n += kStride) {
        if (::write(pipe_fds[1], &n, sizeof n) != sizeof n) std::_Exit(kWrongStatus);
        const int code = run(n);
        if (code == kNotFired) std::_Exit(kNotFired);
        if (code != kChecked) {
          const long wrong = -n;
          if (::write(pipe_fds[1], &wrong, sizeof wrong) != sizeof wrong) std::_Exit(kWrongStatus);
        }
      }
    }
    ::close(pipe_fds[1]);
    long last = next - 1;
    for (long v; ::read(pipe_fds[0], &v, sizeof v) == sizeof v;) {
      if (v < 0) {
        out.problems.push_back("n=" + std::to_string(-v) + ": wrong status (see stderr)");
      } else {
        last = v;
      }
    }
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == kNotFired) {
      out.allocations = last - 1;
      return out;
    }
    (WIFSIGNALED(status) ? out.crashes : out.problems)
        .push_back("n=" + std::to_string(last) + ": " +
                   (WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                        : "exit " + std::to_string(WEXITSTATUS(status))));
    next = last + kStride;
  }
  out.problems.push_back("no end in sight");
  return out;
}

// Every call that returned did so with CT_OK or CT_ERR_NO_MEMORY ("out of memory"), never as
// a bad log_dir, a tracker or an internal error, and the handle then stopped cleanly, and no
// process died. The crashes this used to find were all inside nlohmann::json's destructor
// (Debian 12's 3.11.2 allocates there, in a noexcept destructor): the tracker's records are now
// written by outputs::JsonWriter and the config read with the SAX parser, so no JSON value is
// built on these paths.
void expect_statuses_right(const char* call, const Survey& s, long at_least) {
  std::printf("%s: %ld allocations, each failed once: %zu wrong statuses, %zu crashes\n", call, s.allocations,
              s.problems.size(), s.crashes.size());
  EXPECT_GT(s.allocations, at_least) << call;
  EXPECT_TRUE(s.problems.empty()) << call << ": " << ::testing::PrintToString(s.problems);
  EXPECT_TRUE(s.crashes.empty()) << call << ": " << ::testing::PrintToString(s.crashes);
}

int report_wrong(const char* call, long n, int rc, const ct_tracker* t) {
  std::fprintf(stderr, "%s, allocation %ld failed: %s: %s\n", call, n, ct_status_string(rc), ct_last_error(t));
  return kWrongStatus;
}

TEST(CApiNoMemory, EachAllocationOfTrackerCreationCanFailAndIsReportedAsNoMemory) {
  FixedMachine machine;
  const std::string config = config_in(machine.dir());
  // One call before the survey, so the children it forks inherit what the library initialises
  // once per process (offline tables: some 40,000 allocations). Otherwise every child that
  // replaces a crashed one counts those again, and the survey ran for minutes.
  {
    ct_tracker* warm = nullptr;
    ASSERT_EQ(ct_tracker_new(config.c_str(), &warm), CT_OK) << ct_last_error(nullptr);
    ct_stop(warm);
    ct_tracker_free(warm);
  }
  const Survey s = survey([&](long n) {
    ct_tracker* t = nullptr;
    int rc = 0;
    bool fired = false;
    {
      FailNth fail(n);
      rc = ct_tracker_new(config.c_str(), &t);
      fired = FailNth::fired();
    }
    if (!fired) return rc == CT_OK ? kNotFired : report_wrong("ct_tracker_new", n, rc, nullptr);
    if (!acceptable(rc, nullptr) || (rc != CT_OK) != (t == nullptr)) return report_wrong("ct_tracker_new", n, rc, nullptr);
    if (t && ct_stop(t) != CT_OK) return report_wrong("ct_stop after ct_tracker_new", n, CT_ERR_INTERNAL, t);
    ct_tracker_free(t);
    return kChecked;
  });
  expect_statuses_right("ct_tracker_new", s, 100);
}

// The call with its n-th allocation failing, on a tracker set up by `setup`; then, memory
// back, the same tracker must stop cleanly and give its summary.
template <class Setup, class Call>
Survey survey_call(const char* name, const std::string& config, Setup setup, Call call) {
  return survey([&](long n) {
    ct_tracker* t = nullptr;
    if (ct_tracker_new(config.c_str(), &t) != CT_OK) return report_wrong("set-up", n, CT_ERR_INTERNAL, nullptr);
    if (!setup(t)) return report_wrong("set-up", n, CT_ERR_INTERNAL, t);
    int rc = 0;
    bool fired = false;
    {
      FailNth fail(n);
      rc = call(t);
      fired = FailNth::fired();
    }
    if (!fired) return rc == CT_OK ? kNotFired : report_wrong(name, n, rc, t);
    if (!acceptable(rc, t)) return report_wrong(name, n, rc, t);
    if (const int again = ct_stop(t); again != CT_OK) return report_wrong("ct_stop afterwards", n, again, t);
    char* out = nullptr;
    if (const int sum = ct_summary_json(t, &out); sum != CT_OK) return report_wrong("ct_summary_json", n, sum, t);
    ct_free(out);
    ct_tracker_free(t);
    return kChecked;
  });
}

TEST(CApiNoMemory, EachAllocationOfEpochEndCanFail) {
  FixedMachine machine;
  const Survey s = survey_call(
      "ct_epoch_end", config_in(machine.dir()), [](ct_tracker* t) { return ct_epoch_start(t) == CT_OK; },
      [](ct_tracker* t) { return ct_epoch_end(t); });
  expect_statuses_right("ct_epoch_end", s, 10);
}

TEST(CApiNoMemory, EachAllocationOfStopCanFail) {
  FixedMachine machine;
  const Survey s = survey_call(
      "ct_stop", config_in(machine.dir()),
      [](ct_tracker* t) {
        // One epoch, and one still open (reported as interrupted).
        return ct_epoch_start(t) == CT_OK && ct_epoch_end(t) == CT_OK && ct_epoch_start(t) == CT_OK;
      },
      [](ct_tracker* t) { return ct_stop(t); });
  expect_statuses_right("ct_stop", s, 10);
}

}  // namespace
}  // namespace carbontracker
