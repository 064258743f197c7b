#include "tracker/run_mode.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>

#include "core/units.hpp"
#include "emissions/emissions.hpp"
#include "outputs/python_format.hpp"
#include "tracker/tracker_impl.hpp"

namespace carbontracker {
namespace {

// As Tracker::Impl::guarded (tracker.cpp): an internal failure never reaches the caller as a
// stray exception; with ignore_errors it is a warning, without a TrackerError.
template <class F>
void guarded(Tracker::Impl& s, const char* what, F&& body) {
  try {
    body();
  } catch (const TrackerError&) {
    throw;
  } catch (const std::exception& e) {
    const std::string msg = fmt::format("internal error in {}: {}", what, e.what());
    if (!s.config.ignore_errors) throw TrackerError("carbontracker: " + msg + " (set ignore_errors=true to carry on)");
    try {
      s.warn(msg + "; monitoring continues where it can");
    } catch (...) {
    }
  }
}

}  // namespace

namespace tracker {

std::string time_text(double s) { return s < 60 ? fmt::format("{:.2f} s", s) : outputs::report_time(s); }

std::string figures_text(const Totals& t) {
  return fmt::format("{}, {:.9f} kWh, {:.6f} g CO2eq", time_text(t.duration_s), kwh_from_j(t.facility_energy_j), t.co2eq_g);
}

std::string command_line_text(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](unsigned char c) {
      return std::isalnum(c) != 0 || std::string_view("-_./=:,+@%*").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (plain) {
      line += a;
      continue;
    }
    line += '\'';
    for (const char c : a) {
      if (c == '\'') line += "'\\''";
      else if (c == '\n') line += "\\n";
      else if (c == '\r') line += "\\r";
      else line += c;
    }
    line += '\'';
  }
  return line;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], 0 if invalid (overlongs and surrogates included).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

std::vector<std::string> utf8_safe(std::vector<std::string> argv) {
  for (auto& a : argv) {
    std::string cut_note;
    if (a.size() > kMaxRecordedArgBytes) {
      cut_note = fmt::format("...[+{} bytes]", a.size() - kMaxRecordedArgBytes);
      a.resize(kMaxRecordedArgBytes);
    }
    std::string out;
    for (std::size_t i = 0; i < a.size();) {
      const std::size_t n = utf8_sequence(a, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(a, i, n);
        i += n;
      }
    }
    a = std::move(out) + cut_note;
  }
  return argv;
}

}  // namespace tracker

bool Tracker::Impl::forecast_possible(int after_epochs) const {
  if (!env.open_ended && !(env.monitor_until_stop && config.monitor_epochs == -1)) return true;
  // More epochs seen than planned: a forecast "for N epochs" would be below what ran already.
  return planned_known && after_epochs <= config.epochs;
}

Totals Tracker::Impl::open_epoch_totals() {
  const Sampler::Mark now = sampler->mark();
  return emissions::window_totals(channels, {&*epoch_mark, &now}, sampler->in_use(), config.pue);
}

void Tracker::set_planned_epochs(int epochs) {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "set_planned_epochs", [&] {
    if (s.stopped || (s.planned_known && epochs == s.config.epochs)) return;
    if (epochs < 1) {
      s.warn(fmt::format("a planned epoch count of {} was ignored: it must be at least 1", epochs));
      return;
    }
    s.config.epochs = epochs;
    s.planned_known = true;
    if (s.config.monitor_epochs == -1) s.derived.monitor_epochs = epochs;
    s.note(outputs::NoteLevel::log, fmt::format("Planned epochs: {} (from the command's output).", epochs));
    std::lock_guard lock(s.mutex);
    s.snap.planned_epochs = epochs;
  });
}

void Tracker::add_warning(const std::string& message) {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "add_warning", [&] {
    s.warn(message);
    s.sinks.flush();
  });
}

void Tracker::set_prediction_note(std::string note) {
  if (impl_->fork_guard.forked_child()) return;
  impl_->prediction_note = std::move(note);
}

void Tracker::mark_work_start() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "mark_work_start", [&] {
    if (s.stopped || s.epoch_mark || s.epoch_counter > 0) return;
    s.last_end_mark = s.sampler->mark();
    s.last_end_wall = s.now_wall();
  });
}

void Tracker::epoch_start_continuing() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "epoch_start", [&] {
    if (s.stopped || s.epoch_mark || !s.last_end_mark) {
      epoch_start_unguarded();
      return;
    }
    s.surface_errors();
    ++s.epoch_counter;
    s.epoch_mark = *s.last_end_mark;
    s.epoch_wall_start = s.last_end_wall;
    s.last_end_mark.reset();
  });
}

void Tracker::end_setup() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "end_setup", [&] {
    if (s.stopped || !s.epoch_mark) return;
    const Sampler::Mark now = s.sampler->mark();
    const Totals setup = s.whole_run_until(now);  // from the tracker's start: all of it is set-up
    s.epoch_mark.reset();
    s.last_end_mark = now;
    s.last_end_wall = s.now_wall();
    --s.epoch_counter;
    s.prediction_note.clear();  // epoch 1 no longer includes the start-up
    s.note(outputs::NoteLevel::log,
           "Set-up before the first epoch: " + tracker::figures_text(setup) + " (in the whole run, not an epoch).");
    std::lock_guard lock(s.mutex);
    s.snap.setup = setup;
  });
}

void Tracker::end_last_epoch() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "end_last_epoch", [&] {
    s.work_ended = true;
    if (s.stopped || !s.epoch_mark) return;
    s.end_epoch();
  });
}

void Tracker::end_wrap_up() {
  auto& s = *impl_;
  if (s.fork_guard.forked_child()) return;
  guarded(s, "end_wrap_up", [&] {
    s.work_ended = true;
    if (s.stopped || !s.epoch_mark) return;
    const Totals wrap_up = s.open_epoch_totals();
    s.epoch_mark.reset();
    --s.epoch_counter;
    s.note(outputs::NoteLevel::log, "After the last planned epoch (wrap-up): " + tracker::figures_text(wrap_up) +
                                        " (in the whole run, not an epoch).");
    std::lock_guard lock(s.mutex);
    s.snap.wrap_up = wrap_up;
  });
}

void Tracker::abandon(const std::string& reason) {
  auto& s = *impl_;
  if (s.fork_guard.forked_child() || s.stopped) return;
  guarded(s, "abandon", [&] {
    s.stopped = true;
    s.work_ended = true;
    s.epoch_mark.reset();
    s.sampler->stop();
    s.intensity->stop();
    s.warn("Not measured: " + reason + ". No consumption is reported for this run.");
    s.emit(outputs::RunAbandoned{s.now_wall(), reason});
    {
      std::lock_guard lock(s.mutex);
      s.snap.finished = true;
    }
    s.sinks.flush();
    s.note_log_status();
  });
}

}  // namespace carbontracker
