#include "outputs/sink_list.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <system_error>
#include <thread>

#include <fmt/format.h>

namespace carbontracker::outputs {

struct SinkList::Entry {
  std::shared_ptr<Sink> sink;
  std::string name;
  bool deferred = false;
  bool wants_power = false;
  bool failure_is_error = false;
  std::atomic<bool> off{false};    // switched off after a throw (any thread)
  std::optional<Status> failure;   // Shared::mutex: a throw, or a deferred sink's bad status
  bool reported = false;           // training thread
};

struct SinkList::Shared {
  std::vector<std::unique_ptr<Entry>> entries;
  bool has_deferred = false;  // fixed by add(): a delivery thread and a queue are needed
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::unique_ptr<OwnedRunEvent>> queue;  // null: flush
  bool stopping = false;
  bool abandoned = false;   // shutdown timed out: deliver nothing more
  bool done = false;        // the delivery thread has shut the deferred sinks down
  std::size_t dropped = 0;
  bool dropped_reported = false;
  std::chrono::milliseconds shutdown_timeout{0};
  std::thread thread;

  // Switches the sink off and keeps why. Never throws (called on the delivery and sampler threads
  // too): out of memory for the message still switches the sink off.
  void switch_off(Entry& e, std::string_view what) noexcept {
    e.off = true;
    try {
      Status st(StatusCode::internal,
                fmt::format("the output '{}' failed ({}) and was switched off; the run and the other outputs go on",
                            e.name, what),
                "a bug in that output: please report it with this message");
      std::lock_guard lock(mutex);
      e.failure = std::move(st);
    } catch (...) {
    }
  }

  // One call into a sink, a throw turned into switch_off. Inline: std::bad_alloc passes.
  template <class F>
  void call(Entry& e, bool pass_bad_alloc, F&& f) {
    if (e.off) return;
    try {
      f(*e.sink);
    } catch (const std::bad_alloc&) {
      if (pass_bad_alloc) throw;
      switch_off(e, "out of memory");
    } catch (const std::exception& x) {
      switch_off(e, x.what());
    } catch (...) {
      switch_off(e, "an exception that is not a std::exception");
    }
  }

  // f on each inline sink, in the order added (training thread; std::bad_alloc passes).
  template <class F>
  void call_inline(F&& f) {
    for (auto& e : entries) {
      if (!e->deferred) call(*e, true, f);
    }
  }

  void deliver_deferred(const OwnedRunEvent* item) noexcept {
    for (auto& e : entries) {
      if (!e->deferred) continue;
      if (item) {
        call(*e, false, [&](Sink& s) { s.on_event(item->event()); });
      } else {
        call(*e, false, [](Sink& s) { s.flush(); });
      }
      if (e->off) continue;
      std::optional<Status> bad;
      call(*e, false, [&](Sink& s) {
        if (Status st = s.status(); !st.is_ok()) bad = std::move(st);
      });
      if (bad) {
        std::lock_guard lock(mutex);
        if (!e->failure) e->failure = std::move(*bad);
      }
    }
  }

  static void run(const std::shared_ptr<Shared>& s) noexcept {
    std::unique_lock lock(s->mutex);
    for (;;) {
      s->cv.wait(lock, [&] { return !s->queue.empty() || s->stopping; });
      if (s->abandoned) return;
      if (s->queue.empty()) break;  // stopping, all delivered
      std::unique_ptr<OwnedRunEvent> item = std::move(s->queue.front());
      s->queue.pop_front();
      lock.unlock();
      s->deliver_deferred(item.get());
      item.reset();
      lock.lock();
    }
    const auto timeout = s->shutdown_timeout;
    lock.unlock();
    for (auto& e : s->entries) {
      if (e->deferred) s->call(*e, false, [&](Sink& sink) { sink.shutdown(timeout); });
    }
    lock.lock();
    s->done = true;
    s->cv.notify_all();
  }
};

SinkList::SinkList() : shared_(std::make_shared<Shared>()) {}

SinkList::~SinkList() { shutdown(kShutdownTimeout); }

void SinkList::add(std::shared_ptr<Sink> sink) {
  if (!sink) return;
  auto e = std::make_unique<Entry>();
  e->name = sink->name();
  e->deferred = sink->delivery() == Delivery::deferred;
  e->wants_power = !e->deferred && sink->wants_power();
  e->failure_is_error = sink->failure_is_error();
  e->sink = std::move(sink);
  shared_->has_deferred = shared_->has_deferred || e->deferred;
  shared_->entries.push_back(std::move(e));
}

void SinkList::start_delivery() {
  started_ = true;
  if (!shared_->has_deferred) return;
  try {
    shared_->thread = std::thread([s = shared_] { Shared::run(s); });
  } catch (const std::system_error& e) {  // no thread to be had: the deferred sinks are off
    for (auto& entry : shared_->entries) {
      if (entry->deferred) shared_->switch_off(*entry, std::string("no delivery thread: ") + e.what());
    }
  }
}

void SinkList::emit(const RunEvent& event) {
  if (shut_) return;
  if (!started_) start_delivery();
  auto& s = *shared_;
  s.call_inline([&](Sink& sink) { sink.on_event(event); });
  if (!s.has_deferred) return;
  auto owned = std::make_unique<OwnedRunEvent>(event);
  std::lock_guard lock(s.mutex);
  if (s.queue.size() >= kMaxQueued) {
    ++s.dropped;
    return;
  }
  s.queue.push_back(std::move(owned));
  s.cv.notify_one();
}

void SinkList::flush() {
  if (shut_) return;
  auto& s = *shared_;
  s.call_inline([](Sink& sink) { sink.flush(); });
  if (!s.has_deferred || !started_) return;
  std::lock_guard lock(s.mutex);
  if (s.queue.size() < kMaxQueued) s.queue.push_back(nullptr);
  s.cv.notify_one();
}

std::vector<SinkList::Failure> SinkList::take_failures(bool errors_only) {
  std::vector<Failure> out;
  auto& s = *shared_;
  for (auto& e : s.entries) {
    if (e->reported || (errors_only && !e->failure_is_error)) continue;
    std::optional<Status> failure;
    {
      std::lock_guard lock(s.mutex);
      failure = e->failure;
    }
    if (!failure && !e->deferred && !e->off) {
      s.call(*e, true, [&](Sink& sink) {
        if (Status st = sink.status(); !st.is_ok()) failure = std::move(st);
      });
      if (e->off) {  // status() threw
        std::lock_guard lock(s.mutex);
        failure = e->failure;
      }
    }
    if (!failure) continue;
    e->reported = true;
    out.push_back({e->name, std::move(*failure), e->failure_is_error});
  }
  if (!errors_only) {
    std::lock_guard lock(s.mutex);
    if (s.dropped > 0 && !s.dropped_reported) {
      s.dropped_reported = true;
      out.push_back({"deferred outputs",
                     Status(StatusCode::unavailable,
                            fmt::format("{} run event(s) were not delivered to the deferred outputs: they fell more "
                                        "than {} events behind",
                                        s.dropped, kMaxQueued),
                            "make the slow output faster, or deliver it inline"),
                     false});
    }
  }
  return out;
}

std::function<void(double, std::span<const double>)> SinkList::power_callback() {
  std::vector<Entry*> wanting;
  for (auto& e : shared_->entries) {
    if (e->wants_power) wanting.push_back(e.get());
  }
  if (wanting.empty()) return {};
  return [s = shared_, wanting](double t_s, std::span<const double> energy_j) {
    for (Entry* e : wanting) s->call(*e, false, [&](Sink& sink) { sink.on_power(t_s, energy_j); });
  };
}

void SinkList::shutdown(std::chrono::milliseconds timeout) {
  if (shut_) return;
  shut_ = true;
  auto& s = *shared_;
  for (auto& e : s.entries) {
    if (e->deferred) continue;
    try {
      s.call(*e, true, [&](Sink& sink) { sink.shutdown(timeout); });
    } catch (...) {  // out of memory while closing: nothing left to tell
    }
  }
  if (!s.thread.joinable()) return;
  bool finished = false;
  {
    std::unique_lock lock(s.mutex);
    s.shutdown_timeout = timeout;
    s.stopping = true;
    s.cv.notify_all();
    finished = s.cv.wait_for(lock, timeout, [&] { return s.done; });
    if (!finished) s.abandoned = true;
  }
  try {
    if (finished) {
      s.thread.join();
    } else {
      s.thread.detach();  // it holds shared_ and returns after the call it is blocked in
    }
  } catch (const std::system_error&) {  // cannot happen for a joinable thread; never thrown from here
  }
}

}  // namespace carbontracker::outputs
