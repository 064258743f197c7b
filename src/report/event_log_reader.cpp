#include "core/units.hpp"
#include "report/event_log_reader.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "outputs/event_codec.hpp"
#include "report/text_util.hpp"

namespace carbontracker::report {
namespace {

using nlohmann::json;

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::optional<double> num(const json& o, const char* key) {
  const json* v = member(o, key);
  if (v && v->is_number()) return v->get<double>();
  return std::nullopt;
}

std::optional<int> integer(const json& o, const char* key) {
  const json* v = member(o, key);
  if (v && v->is_number_integer() && v->get<long long>() >= 0 && v->get<long long>() < (1LL << 31)) {
    return static_cast<int>(v->get<long long>());
  }
  return std::nullopt;
}

std::string str(const json& o, const char* key) {
  const json* v = member(o, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

bool flag(const json& o, const char* key, bool fallback) {
  const json* v = member(o, key);
  return v && v->is_boolean() ? v->get<bool>() : fallback;
}

const json& object(const json& o, const char* key) {
  static const json empty = json::object();
  const json* v = member(o, key);
  return v && v->is_object() ? *v : empty;
}

// Why o[key] cannot be counted as an energy (or CO2eq), or nullopt when it can: "null", "NaN"
// (a writer that put a bare NaN into the line, read back as a string by read_event_log), "-5
// (negative)". Absent: "missing" when `required`. `null_ok`: null means "not known" (CO2eq).
std::optional<std::string> bad_value(const json& o, const char* key, bool required, bool null_ok) {
  const json* v = member(o, key);
  if (!v) return required ? std::optional<std::string>("missing") : std::nullopt;
  if (v->is_null()) return null_ok ? std::nullopt : std::optional<std::string>("null");
  if (v->is_string()) {
    const std::string t = v->get<std::string>();
    // "NaN", "Infinity", "-Infinity": a bare one restored by restore_non_finite, or written as text.
    if (t == "NaN" || t == "-NaN" || t == "Infinity" || t == "-Infinity") return t;
    return "\"" + t.substr(0, 40) + "\" (not a number)";
  }
  if (!v->is_number()) return std::string("not a number");
  const double d = v->get<double>();
  if (!std::isfinite(d)) return fmt::format("{}", d);
  if (d < 0) return fmt::format("{} (negative)", d);
  return std::nullopt;
}

Consumption consumption_from(const json& totals, std::optional<int> epochs) {
  Consumption c;
  c.epochs = epochs;
  c.duration_s = num(totals, "duration_s").value_or(std::nan(""));
  c.energy_kwh = num(totals, "energy_kwh").value_or(std::nan(""));
  c.co2eq_g = num(totals, "co2eq_g").value_or(std::nan(""));
  if (std::isfinite(c.co2eq_g)) c.equivalents["km travelled by car"] = c.co2eq_g / kCarGramsPerKmForEvents;
  return c;
}

class EventReader {
 public:
  EventReader(const std::string& file, std::vector<ReadIssue>* issues) : file_(file), issues_(issues, file, 50) {}

  void record(const outputs::DecodedLine& d, int line) {
    using outputs::EventType;
    using outputs::kEventLogVersion;
    ++records_;
    const json& r = d.record;
    if (d.version && *d.version > kEventLogVersion && !newer_) {
      newer_ = true;
      issues_.add(line, "event log version " + std::to_string(*d.version) + " is newer than this reader (" +
                            std::to_string(kEventLogVersion) + "): only the keys of version " +
                            std::to_string(kEventLogVersion) + " are read");
    }
    // No type: a later version's records, ignored by design.
    if (!d.type) return;
    switch (*d.type) {
      case EventType::run_start: run_start(r); break;
      case EventType::power: power(r, line); break;
      case EventType::epoch: epoch(object(r, "epoch"), line); break;
      case EventType::prediction: prediction(r, line); break;
      case EventType::warning:
        if (const auto m = str(r, "message"); !m.empty()) run_.warnings.push_back(m);
        break;
      case EventType::budget:
        if (str(object(r, "event"), "outcome") == "stopped") run_.stopped_by_budget = true;
        break;
      case EventType::run_end: run_end(r, line); break;
      case EventType::intensity_history: {
        const auto it = r.find("points");
        if (it != r.end() && it->is_array()) {
          for (const auto& p : *it) {
            if (!p.is_object()) continue;
            const auto a = num(p, "start_unix_s"), b = num(p, "end_unix_s"), g = num(p, "g_per_kwh");
            if (a && b && g && *b > *a) run_.intensity_history.push_back({*a, *b, *g, str(p, "kind")});
          }
        }
        break;
      }
    }
  }

  std::optional<RunData> finish() {
    if (records_ == 0) return std::nullopt;
    if (!run_.measured_energy_j && !run_.epochs.empty()) {
      run_.measured_energy_j = measured_j_;
      run_.estimated_energy_j = estimated_j_;
    }
    // The average intensity over the completed epochs (a live provider may change it mid-run).
    double kwh = 0, g = 0;
    bool all_co2 = !run_.epochs.empty();
    for (const auto& e : run_.epochs) {
      if (e.facility_energy_j && e.co2eq_g) {
        kwh += kwh_from_j(*e.facility_energy_j);
        g += *e.co2eq_g;
      } else {
        all_co2 = false;
      }
    }
    if (run_.actual && run_.actual->energy_kwh > 0 && std::isfinite(run_.actual->co2eq_g)) {
      run_.intensity_g_per_kwh = run_.actual->co2eq_g / run_.actual->energy_kwh;
    } else if (all_co2 && kwh > 0) {
      run_.intensity_g_per_kwh = g / kwh;
    } else {
      run_.intensity_g_per_kwh = start_intensity_;
    }
    if (run_.finished && monitor_epochs_ && completed_ < *monitor_epochs_) run_.early_stop = true;
    return std::move(run_);
  }

  detail::IssueSink& issues() { return issues_; }

 private:
  void run_start(const json& r) {
    run_.version = str(r, "carbontracker_version");
    run_.pue = num(r, "pue");
    monitor_epochs_ = integer(r, "monitor_epochs");
    const json& intensity = object(r, "intensity");
    start_intensity_ = num(intensity, "g_per_kwh");
    run_.intensity_source = str(intensity, "source");
    run_.intensity_kind = str(intensity, "kind");
    present_known_ = true;
    for (const auto& [name, comp] : object(r, "components").items()) {
      if (!flag(comp, "present", false)) continue;
      present_.insert(name);
      std::vector<std::string> names;
      if (const json* devices = member(comp, "devices"); devices && devices->is_array()) {
        for (const auto& d : *devices) names.push_back(str(d, "name"));
      }
      run_.devices[name] = std::move(names);
    }
    if (const json* channels = member(r, "channels"); channels && channels->is_array()) {
      for (const auto& c : *channels) {
        run_.channels.push_back({str(c, "id"), str(c, "component"), str(c, "name"), str(c, "method"), str(c, "source")});
      }
    }
  }

  void power(const json& r, int line) {
    PowerPoint p;
    const auto t = num(r, "t_s");
    const json* e = member(r, "energy_j");
    if (!t || !e || !e->is_array()) {
      issues_.add(line, "power record without t_s or energy_j; skipped");
      return;
    }
    p.t_s = *t;
    p.energy_j.reserve(e->size());
    for (const auto& v : *e) p.energy_j.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    run_.power.push_back(std::move(p));
  }

  void epoch(const json& e, int line) {
    EpochData d;
    d.index = integer(e, "index").value_or(static_cast<int>(run_.epochs.size()) + 1);
    d.complete = flag(e, "complete", true);
    d.duration_s = num(e, "duration_s").value_or(0.0);
    auto damaged = [&](const std::string& what) {
      if (d.damaged) return;
      d.damaged = ReadIssue{file_, line, "epoch " + std::to_string(d.index) + ": " + what};
      issues_.add(line, d.damaged->message + ": damaged; this epoch's energy is unknown and is not counted");
    };
    const json& energy = object(e, "energy_j");
    for (const auto& [name, v] : energy.items()) {
      if (name == "total") continue;
      // A component absent from the machine is written as 0 J: not a measurement.
      if (present_known_ && present_.count(name) == 0) continue;
      if (const auto bad = bad_value(energy, name.c_str(), false, false)) {
        damaged("energy_j." + name + " is " + *bad);
        continue;
      }
      const double j = v.get<double>();
      if (present_known_ || j != 0) d.energy_j[name] = j;
    }
    if (const auto bad = bad_value(e, "facility_energy_j", false, false)) damaged("facility_energy_j is " + *bad);
    else d.facility_energy_j = num(e, "facility_energy_j");
    if (const auto bad = bad_value(e, "co2eq_g", false, true)) damaged("co2eq_g is " + *bad);
    else d.co2eq_g = num(e, "co2eq_g");
    d.intensity_g_per_kwh = num(e, "intensity_g_per_kwh");
    d.estimated_energy_j = num(e, "estimated_energy_j");
    measured_j_ += num(e, "measured_energy_j").value_or(0.0);
    estimated_j_ += d.estimated_energy_j.value_or(0.0);
    run_.epochs.push_back(std::move(d));
  }

  void prediction(const json& r, int line) {
    const json& f = object(r, "forecast");
    ForecastData p;
    p.after_epochs = integer(f, "after_epochs").value_or(0);
    p.epochs = integer(f, "epochs").value_or(0);
    const double nan = std::nan("");
    p.duration_s = num(f, "duration_s").value_or(nan);
    p.energy_kwh = num(f, "energy_kwh").value_or(nan);
    p.energy_kwh_low = num(f, "energy_kwh_low").value_or(nan);
    p.energy_kwh_high = num(f, "energy_kwh_high").value_or(nan);
    p.co2eq_g = num(f, "co2eq_g").value_or(nan);
    p.co2eq_g_low = num(f, "co2eq_g_low").value_or(nan);
    p.co2eq_g_high = num(f, "co2eq_g_high").value_or(nan);
    p.intensity_g_per_kwh = num(f, "intensity_g_per_kwh").value_or(nan);
    if (flag(r, "printed", false) && !run_.printed_prediction) {
      run_.printed_prediction = static_cast<int>(run_.predictions.size());
      Consumption c = consumption_from(f, p.epochs);
      mark_damaged(c, f, line, "the printed prediction");
      run_.predicted = std::move(c);
    }
    run_.predictions.push_back(p);
  }

  // A total whose energy is missing, null, NaN or negative, or whose CO2eq is NaN or negative.
  void mark_damaged(Consumption& c, const json& totals, int line, const std::string& what) {
    std::string why;
    if (const auto bad = bad_value(totals, "energy_kwh", true, false)) why = "energy_kwh is " + *bad;
    else if (const auto bad2 = bad_value(totals, "co2eq_g", false, true)) why = "co2eq_g is " + *bad2;
    if (why.empty()) return;
    c.damaged = ReadIssue{file_, line, what + ": " + why};
    issues_.add(line, c.damaged->message + ": damaged; never added to a total");
  }

  void run_end(const json& r, int line) {
    run_.finished = true;
    completed_ = integer(r, "epochs").value_or(static_cast<int>(run_.epochs.size()));
    const json& total = object(r, "total");
    run_.actual = consumption_from(total, completed_);
    mark_damaged(*run_.actual, total, line, "the run's total (run_end)");
    run_.measured_energy_j = num(total, "measured_energy_j");
    run_.estimated_energy_j = num(total, "estimated_energy_j");
    const json& whole = object(r, "whole_run");
    run_.whole_run_duration_s = num(whole, "duration_s");
    run_.whole_run_energy_kwh = num(whole, "energy_kwh");
    run_.whole_run_co2eq_g = num(whole, "co2eq_g");
    if (flag(r, "stopped_by_budget", false)) run_.stopped_by_budget = true;
  }

  std::string file_;
  detail::IssueSink issues_;
  RunData run_;
  int records_ = 0;
  bool newer_ = false;
  bool present_known_ = false;
  std::set<std::string> present_;
  std::optional<int> monitor_epochs_;
  int completed_ = 0;
  std::optional<double> start_intensity_;
  double measured_j_ = 0, estimated_j_ = 0;
};

}  // namespace

std::optional<RunData> read_event_log(std::string_view text, const std::string& file, std::vector<ReadIssue>* issues) {
  EventReader reader(file, issues);
  int number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    const bool last_torn = nl == std::string_view::npos;
    std::string_view line = detail::trim(text.substr(0, nl));
    text.remove_prefix(last_torn ? text.size() : nl + 1);
    if (line.empty()) continue;
    auto decoded = outputs::decode_line(line, last_torn);
    if (const auto* why = std::get_if<std::string>(&decoded)) {
      reader.issues().add(number, *why);
      continue;
    }
    try {
      reader.record(std::get<outputs::DecodedLine>(decoded), number);
    } catch (const json::exception& e) {  // a key of an unexpected type that a check missed
      reader.issues().add(number, std::string("unexpected record layout (") + e.what() + "); skipped");
    }
  }
  std::optional<RunData> run = reader.finish();
  if (run) run->format = "carbontracker-cpp-events-v1";
  return run;
}

}  // namespace carbontracker::report
