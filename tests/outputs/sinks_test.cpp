// The sinks of the outputs module on their own (issue 13): the dispatcher (outputs/sink_list.hpp:
// order, isolation of a throwing sink, deferred delivery, shutdown with a timeout), the event log
// sink and the summary sink, writing to a temporary folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "outputs/event_log_sink.hpp"
#include "outputs/results_json.hpp"
#include "outputs/sink_list.hpp"
#include "outputs/summary_sink.hpp"
#include "test_support.hpp"

namespace carbontracker::outputs {
namespace {

using carbontracker::testing::TempDir;
using carbontracker::testing::read_text;

const WallTime kWall{std::chrono::seconds(1'700'000'000)};

// Appends "<name>:<what>" to a shared journal for every call (any thread).
struct Journal {
  std::mutex mutex;
  std::vector<std::string> lines;
  void add(std::string s) {
    std::lock_guard lock(mutex);
    lines.push_back(std::move(s));
  }
  std::vector<std::string> take() {
    std::lock_guard lock(mutex);
    return lines;
  }
};

std::string what(const RunEvent& e) {
  if (const auto* n = std::get_if<Note>(&e)) return n->text;
  if (const auto* ep = std::get_if<EpochEnded>(&e)) return "epoch " + std::to_string(ep->epoch->index);
  return "event " + std::to_string(e.index());
}

class JournalSink : public Sink {
 public:
  JournalSink(std::string name, Journal& j, Delivery d = Delivery::inline_call) : name_(std::move(name)), j_(j), d_(d) {}
  std::string name() const override { return name_; }
  Delivery delivery() const override { return d_; }
  void on_event(const RunEvent& e) override { j_.add(name_ + ":" + what(e)); }
  void flush() override { j_.add(name_ + ":flush"); }
  void shutdown(std::chrono::milliseconds) override { j_.add(name_ + ":shutdown"); }

 protected:
  std::string name_;
  Journal& j_;
  Delivery d_;
};

TEST(SinkList, EachEventReachesEverySinkInTheOrderTheyWereAdded) {
  Journal j;
  SinkList list;
  list.add(std::make_shared<JournalSink>("a", j));
  list.add(std::make_shared<JournalSink>("b", j));
  list.emit(Note{kWall, NoteLevel::log, "one"});
  list.emit(Note{kWall, NoteLevel::log, "two"});
  list.flush();
  list.shutdown(SinkList::kShutdownTimeout);
  list.emit(Note{kWall, NoteLevel::log, "after shutdown"});
  EXPECT_EQ(j.take(), (std::vector<std::string>{"a:one", "b:one", "a:two", "b:two", "a:flush", "b:flush", "a:shutdown",
                                                "b:shutdown"}));
  EXPECT_TRUE(list.take_failures().empty());
  EXPECT_FALSE(list.power_callback()) << "no sink wants power points";
}

class ThrowingSink : public JournalSink {
 public:
  using JournalSink::JournalSink;
  void on_event(const RunEvent& e) override {
    JournalSink::on_event(e);
    throw std::runtime_error("boom");
  }
};

TEST(SinkList, ASinkThatThrowsIsSwitchedOffAndReportedOnceTheOthersGoOn) {
  Journal j;
  SinkList list;
  list.add(std::make_shared<ThrowingSink>("bad", j));
  list.add(std::make_shared<JournalSink>("good", j));
  EXPECT_NO_THROW(list.emit(Note{kWall, NoteLevel::log, "one"}));
  EXPECT_NO_THROW(list.emit(Note{kWall, NoteLevel::log, "two"}));
  EXPECT_EQ(j.take(), (std::vector<std::string>{"bad:one", "good:one", "good:two"}));
  const auto failures = list.take_failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].sink, "bad");
  EXPECT_FALSE(failures[0].is_error);
  EXPECT_EQ(failures[0].status.code(), StatusCode::internal);
  EXPECT_NE(failures[0].status.message().find("the output 'bad' failed (boom) and was switched off"), std::string::npos)
      << failures[0].status.message();
  EXPECT_TRUE(list.take_failures().empty()) << "reported once";
}

class OutOfMemorySink : public JournalSink {
 public:
  using JournalSink::JournalSink;
  void on_event(const RunEvent&) override { throw std::bad_alloc(); }
};

TEST(SinkList, OutOfMemoryReachesTheCallerAndTheSinkStaysOn) {
  Journal j;
  SinkList list;
  list.add(std::make_shared<OutOfMemorySink>("oom", j));
  EXPECT_THROW(list.emit(Note{kWall, NoteLevel::log, "one"}), std::bad_alloc);
  EXPECT_THROW(list.emit(Note{kWall, NoteLevel::log, "two"}), std::bad_alloc);
  EXPECT_TRUE(list.take_failures().empty());
}

class FailingStatusSink : public JournalSink {
 public:
  FailingStatusSink(std::string name, Journal& j, bool is_error) : JournalSink(std::move(name), j), is_error_(is_error) {}
  Status status() const override { return bad_ ? Status(StatusCode::unavailable, name_ + " stopped") : Status(); }
  bool failure_is_error() const override { return is_error_; }
  bool bad_ = false;

 private:
  bool is_error_;
};

TEST(SinkList, AStatusThatTurnsBadIsReportedOnceErrorsFirstWhenAsked) {
  Journal j;
  SinkList list;
  auto warn_only = std::make_shared<FailingStatusSink>("logs", j, false);
  auto error = std::make_shared<FailingStatusSink>("summary", j, true);
  list.add(warn_only);
  list.add(error);
  EXPECT_TRUE(list.take_failures().empty());
  warn_only->bad_ = true;
  error->bad_ = true;
  auto errors = list.take_failures(true);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].sink, "summary");
  EXPECT_TRUE(errors[0].is_error);
  auto rest = list.take_failures();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].status.message(), "logs stopped");
  EXPECT_TRUE(list.take_failures().empty());
}

// Deferred, and blocked in every call until opened.
class GatedSink : public JournalSink {
 public:
  GatedSink(std::string name, Journal& j) : JournalSink(std::move(name), j, Delivery::deferred) {}
  void on_event(const RunEvent& e) override {
    wait();
    JournalSink::on_event(e);
  }
  void open() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }
  int waiting() {
    std::lock_guard lock(m_);
    return waiting_;
  }

 private:
  void wait() {
    std::unique_lock lock(m_);
    ++waiting_;
    cv_.wait(lock, [&] { return open_; });
  }
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

TEST(SinkList, ADeferredSinkGetsOwnedCopiesInOrderWhileEmitReturnsAtOnce) {
  Journal j;
  auto gated = std::make_shared<GatedSink>("slow", j);
  SinkList list;
  list.add(gated);
  list.add(std::make_shared<JournalSink>("fast", j));
  for (int i = 1; i <= 3; ++i) {
    EpochRecord rec;  // gone when emit returns: the deferred sink reads its copy
    rec.index = i;
    list.emit(EpochEnded{kWall, &rec});
  }
  list.flush();
  // All of it returned while the slow sink has not finished one event.
  EXPECT_EQ(j.take(), (std::vector<std::string>{"fast:epoch 1", "fast:epoch 2", "fast:epoch 3", "fast:flush"}));
  gated->open();
  list.shutdown(SinkList::kShutdownTimeout);
  // Once the gate opens, the delivery thread and shutdown()'s call of the inline sink run at the
  // same time: only each sink's own order is fixed.
  std::vector<std::string> fast, slow;
  for (const auto& entry : j.take()) (entry.starts_with("fast:") ? fast : slow).push_back(entry);
  EXPECT_EQ(fast, (std::vector<std::string>{"fast:epoch 1", "fast:epoch 2", "fast:epoch 3", "fast:flush", "fast:shutdown"}));
  EXPECT_EQ(slow, (std::vector<std::string>{"slow:epoch 1", "slow:epoch 2", "slow:epoch 3", "slow:flush", "slow:shutdown"}));
}

TEST(SinkList, ShutdownGivesUpOnADeferredSinkThatDoesNotFinishInTime) {
  Journal j;
  auto gated = std::make_shared<GatedSink>("stuck", j);
  {
    SinkList list;
    list.add(gated);
    list.emit(Note{kWall, NoteLevel::log, "one"});
    list.emit(Note{kWall, NoteLevel::log, "two"});
    list.shutdown(std::chrono::milliseconds(1));  // returns although "stuck" is blocked
    EXPECT_TRUE(j.take().empty());
  }
  // The list is gone; its delivery thread still holds the sink and finishes the call it is in,
  // then delivers nothing more.
  gated->open();
  while (gated.use_count() > 1) std::this_thread::yield();
  const auto seen = j.take();
  EXPECT_LE(seen.size(), 1u);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), "stuck:shutdown"), 0);
}

TEST(SinkList, ADeferredSinkThatFallsTooFarBehindLosesEventsAndThatIsReportedOnce) {
  Journal j;
  auto gated = std::make_shared<GatedSink>("slow", j);
  SinkList list;
  list.add(gated);
  // The first event may already be out of the queue (in the blocked call): kMaxQueued + 2 sent,
  // at least one dropped.
  for (std::size_t i = 0; i < SinkList::kMaxQueued + 2; ++i) list.emit(Note{kWall, NoteLevel::log, "n"});
  const auto failures = list.take_failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].sink, "deferred outputs");
  EXPECT_NE(failures[0].status.message().find("were not delivered to the deferred outputs"), std::string::npos)
      << failures[0].status.message();
  EXPECT_TRUE(list.take_failures().empty()) << "reported once";
  gated->open();
  list.shutdown(SinkList::kShutdownTimeout);
  const auto seen = j.take();
  EXPECT_GE(seen.size(), SinkList::kMaxQueued);
  EXPECT_LE(seen.size(), SinkList::kMaxQueued + 2);  // + its shutdown
  EXPECT_EQ(seen.back(), "slow:shutdown");
}

TEST(EventLogSink, WritesEachRunEventAsItsRecordAndThrottlesPowerPoints) {
  TempDir dir;
  const auto path = dir.path() / "run_carbontracker_events.jsonl";
  auto sink = EventLogSink::open(path);
  ASSERT_TRUE(sink) << sink.status().to_string();
  EXPECT_TRUE((*sink)->wants_power());
  EpochRecord epoch;
  epoch.index = 1;
  epoch.totals.duration_s = 10;
  Snapshot snap;
  snap.epochs = {epoch};
  snap.epochs_completed = 1;
  (*sink)->on_event(RunStarted{kWall, RunStartEvent{}, {}, 12, true, false});
  const double energy[] = {1.0, 2.0};
  (*sink)->on_power(0.0, energy);
  (*sink)->on_power(4.9, energy);  // within 5 s of the last point: not written
  (*sink)->on_power(5.0, energy);
  (*sink)->on_event(EpochEnded{kWall, &epoch});
  (*sink)->on_event(Note{kWall, NoteLevel::output, "not in the event log"});
  (*sink)->on_event(Warning{kWall, "GPU lost"});
  (*sink)->on_event(RunFinished{kWall, &snap, 1, std::nullopt});
  ASSERT_TRUE((*sink)->status().is_ok());
  std::vector<std::string> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u) << read_text(path);
  EXPECT_EQ(lines[0], encode(RunStartEvent{}));
  EXPECT_EQ(lines[1], encode(PowerEvent{0.0, {1.0, 2.0}}));
  EXPECT_EQ(lines[2], encode(PowerEvent{5.0, {1.0, 2.0}}));
  EXPECT_EQ(lines[3], encode(EpochEvent{epoch}));
  EXPECT_EQ(lines[4], encode(WarningEvent{"GPU lost"}));
  EXPECT_EQ(lines[5], encode(RunEndEvent{1, TotalsRecord::of(snap.epochs_total), TotalsRecord::of(snap.whole_run),
                                         std::nullopt, false}));
}

TEST(EventLogSink, AnExistingFileIsNotOverwritten) {
  TempDir dir;
  const auto path = dir.path() / "events.jsonl";
  carbontracker::testing::write_file(path, "someone else's\n");
  auto sink = EventLogSink::open(path);
  EXPECT_FALSE(sink);
  EXPECT_EQ(read_text(path), "someone else's\n");
}

TEST(SummarySink, WritesTheSummaryAtRunFinishedOnly) {
  TempDir dir;
  const auto path = dir.path() / "summary.json";
  SummarySink sink(path);
  EXPECT_TRUE(sink.failure_is_error());
  Snapshot snap;
  snap.finished = true;
  sink.on_event(Warning{kWall, "not a reason to write"});
  EXPECT_FALSE(std::filesystem::exists(path));
  sink.on_event(RunFinished{kWall, &snap, 1, std::nullopt});
  EXPECT_TRUE(sink.status().is_ok());
  EXPECT_EQ(read_text(path), summary_json_text(snap) + "\n");
}

TEST(SummarySink, APathThatCannotBeWrittenIsAStatusNeverAThrow) {
  TempDir dir;
  SummarySink sink(dir.path() / "no such folder" / "summary.json");
  Snapshot snap;
  EXPECT_NO_THROW(sink.on_event(RunFinished{kWall, &snap, 1, std::nullopt}));
  EXPECT_FALSE(sink.status().is_ok());
  EXPECT_NE(sink.status().message().find("could not write the summary"), std::string::npos)
      << sink.status().to_string();
}

}  // namespace
}  // namespace carbontracker::outputs
