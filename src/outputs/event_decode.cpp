// The reading half of outputs/event_codec.hpp: a line back into the typed record the tracker
// wrote. nlohmann::json parses (the writing half never builds JSON values: see json_writer.hpp).
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/units.hpp"
#include "outputs/event_codec.hpp"

namespace carbontracker::outputs {
namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

double num(const json& o, const char* key) {
  const json* v = member(o, key);
  return v && v->is_number() ? v->get<double>() : kNaN;
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

std::vector<std::string> strings(const json& o, const char* key) {
  std::vector<std::string> out;
  const json* v = member(o, key);
  if (!v || !v->is_array()) return out;
  for (const auto& s : *v) {
    if (s.is_string()) out.push_back(s.get<std::string>());
  }
  return out;
}

// The enum whose to_string is `s`, if any.
template <typename E, int N>
std::optional<E> enum_from(const std::string& s) {
  for (int i = 0; i < N; ++i) {
    if (to_string(static_cast<E>(i)) == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// Why o[key] cannot be counted as an energy (or CO2eq), or nullopt when it can: "null", "NaN"
// (a bare NaN, read back as a string by decode()), "-5 (negative)". Absent: "missing" when
// `required`. `null_ok`: null means "not known" (CO2eq).
std::optional<std::string> bad_value(const json& o, const char* key, bool required, bool null_ok) {
  const json* v = member(o, key);
  if (!v) return required ? std::optional<std::string>("missing") : std::nullopt;
  if (v->is_null()) return null_ok ? std::nullopt : std::optional<std::string>("null");
  if (v->is_string()) {
    const std::string t = v->get<std::string>();
    if (t == "NaN" || t == "-NaN" || t == "Infinity" || t == "-Infinity") return t;
    return "\"" + t.substr(0, 40) + "\" (not a number)";
  }
  if (!v->is_number()) return std::string("not a number");
  const double d = v->get<double>();
  if (!std::isfinite(d)) return fmt::format("{}", d);
  if (d < 0) return fmt::format("{} (negative)", d);
  return std::nullopt;
}

class Decoder {
 public:
  explicit Decoder(Decoded* out) : out_(out) {}

  // An energy or CO2eq, as num(); a FieldIssue too when it is present but unusable.
  double energy(const json& o, const char* key, const std::string& path, bool required, bool null_ok) {
    if (auto bad = bad_value(o, key, required, null_ok)) out_->damaged.push_back({path, std::move(*bad)});
    return num(o, key);
  }

  Totals totals(const json& t, const std::string& prefix) {
    Totals x;
    x.duration_s = num(t, "duration_s");
    const json& e = object(t, "energy_j");
    x.device_energy_j.cpu_j = energy(e, "cpu", prefix + "energy_j.cpu", false, false);
    x.device_energy_j.dram_j = energy(e, "dram", prefix + "energy_j.dram", false, false);
    x.device_energy_j.gpu_j = energy(e, "gpu", prefix + "energy_j.gpu", false, false);
    x.device_energy_j.psys_j = energy(e, "psys", prefix + "energy_j.psys", false, false);
    x.measured_j = num(t, "measured_energy_j");
    x.estimated_j = num(t, "estimated_energy_j");
    x.facility_energy_j = energy(t, "facility_energy_j", prefix + "facility_energy_j", false, false);
    x.co2eq_g = energy(t, "co2eq_g", prefix + "co2eq_g", false, true);
    return x;
  }

  EpochRecord epoch(const json& e, const std::string& prefix) {
    EpochRecord r;
    r.index = integer(e, "index").value_or(-1);
    r.complete = flag(e, "complete", true);
    r.start_s = num(e, "start_s");
    r.intensity_g_per_kwh = num(e, "intensity_g_per_kwh");
    if (const json* c = member(e, "channel_energy_j"); c && c->is_array()) {
      for (const auto& v : *c) r.channel_energy_j.push_back(v.is_number() ? v.get<double>() : kNaN);
    }
    r.notes = strings(e, "notes");
    r.totals = totals(e, prefix);
    return r;
  }

  TotalsRecord totals_record(const json& t, const std::string& prefix) {
    TotalsRecord r;
    r.totals = totals(t, prefix);
    r.energy_kwh = energy(t, "energy_kwh", prefix + "energy_kwh", true, false);
    return r;
  }

  ForecastRecord forecast(const json& f, const std::string& prefix) {
    ForecastRecord r;
    Forecast& x = r.forecast;
    x.method = enum_from<ForecastMethod, 2>(str(f, "method")).value_or(ForecastMethod::robust);
    x.after_epochs = integer(f, "after_epochs").value_or(0);
    x.epochs = integer(f, "epochs").value_or(0);
    x.confidence = num(f, "confidence");
    x.duration_s = num(f, "duration_s");
    x.duration_s_low = num(f, "duration_s_low");
    x.duration_s_high = num(f, "duration_s_high");
    r.energy_kwh = energy(f, "energy_kwh", prefix + "energy_kwh", true, false);
    r.energy_kwh_low = num(f, "energy_kwh_low");
    r.energy_kwh_high = num(f, "energy_kwh_high");
    x.energy_j = (r.energy_kwh) * kJoulesPerKwh;
    x.energy_j_low = (r.energy_kwh_low) * kJoulesPerKwh;
    x.energy_j_high = (r.energy_kwh_high) * kJoulesPerKwh;
    x.co2eq_g = energy(f, "co2eq_g", prefix + "co2eq_g", false, true);
    x.co2eq_g_low = num(f, "co2eq_g_low");
    x.co2eq_g_high = num(f, "co2eq_g_high");
    x.intensity_g_per_kwh = num(f, "intensity_g_per_kwh");
    return r;
  }

  RunStartEvent run_start(const json& r) {
    RunStartEvent e;
    e.carbontracker_version = str(r, "carbontracker_version");
    e.pid = integer(r, "pid").value_or(0);
    if (const json* j = member(r, "job"); j && j->is_object()) {
      JobRecord job;
      job.id = str(*j, "job_id");
      job.launcher = str(*j, "launcher");
      job.host = str(*j, "host");
      job.node = str(*j, "node");
      job.rank = integer(*j, "rank");
      job.local_rank = integer(*j, "local_rank");
      job.world_size = integer(*j, "world_size");
      job.local_world_size = integer(*j, "local_world_size");
      job.restart = integer(*j, "restart").value_or(0);
      job.host_measurer = flag(*j, "host_measurer", false);
      job.gpus = strings(*j, "gpus");
      job.notes = strings(*j, "notes");
      e.job = std::move(job);
    }
    e.start_unix_s = num(r, "start_unix_s");
    e.epochs = integer(r, "epochs");
    e.command = strings(r, "command");
    e.epochs_before_pred = integer(r, "epochs_before_pred").value_or(-1);
    e.monitor_epochs = integer(r, "monitor_epochs").value_or(-1);
    e.update_interval_s = num(r, "update_interval_s");
    e.pue = num(r, "pue");
    const json& intensity = object(r, "intensity");
    // A kind this reader does not know is reported as the most cautious one.
    e.intensity = {num(intensity, "g_per_kwh"), str(intensity, "source"),
                   enum_from<IntensityKind, 6>(str(intensity, "kind")).value_or(IntensityKind::assumed),
                   str(intensity, "why")};
    if (const json* components = member(r, "components"); components && components->is_object()) {
      e.present.emplace();
      for (const auto& [name, comp] : components->items()) {
        const auto c = component_from_string(name);
        if (!c || !flag(comp, "present", false)) continue;
        RunStartEvent::PresentComponent p{*c, {}};
        if (const json* devices = member(comp, "devices"); devices && devices->is_array()) {
          for (const auto& d : *devices) p.devices.push_back(str(d, "name"));
        }
        e.present->push_back(std::move(p));
      }
    }
    if (const json* channels = member(r, "channels"); channels && channels->is_array()) {
      for (const auto& c : *channels) {
        const auto component = component_from_string(str(c, "component"));
        const auto method = enum_from<Method, 4>(str(c, "method"));
        if (!component || !method) continue;
        ChannelInfo info;
        info.id = str(c, "id");
        info.component = *component;
        info.method = *method;
        info.name = str(c, "name");
        info.source = str(c, "source");
        info.uuid = str(c, "uuid");
        info.path = str(c, "path");
        info.notes = strings(c, "notes");
        e.channels.push_back(std::move(info));
      }
    }
    return e;
  }

  std::optional<Event> record(EventType type, const json& r) {
    switch (type) {
      case EventType::run_start: return run_start(r);
      case EventType::power: {
        const json* e = member(r, "energy_j");
        if (!member(r, "t_s") || !member(r, "t_s")->is_number() || !e || !e->is_array()) {
          out_->problem = "power record without t_s or energy_j; skipped";
          return std::nullopt;
        }
        PowerEvent p{num(r, "t_s"), {}};
        p.energy_j.reserve(e->size());
        for (const auto& v : *e) p.energy_j.push_back(v.is_number() ? v.get<double>() : kNaN);
        return p;
      }
      case EventType::epoch: return EpochEvent{epoch(object(r, "epoch"), "epoch.")};
      case EventType::prediction:
        return PredictionEvent{flag(r, "printed", false), forecast(object(r, "forecast"), "forecast."),
                               forecast(object(r, "paper"), "paper."), kNaN};
      case EventType::budget: {
        const json& b = object(r, "event");
        BudgetEvent ev;
        ev.limit = enum_from<BudgetLimit, 3>(str(b, "limit")).value_or(BudgetLimit::max_energy_kwh);
        ev.basis = enum_from<BudgetBasis, 2>(str(b, "basis")).value_or(BudgetBasis::predicted);
        ev.value = num(b, "value");
        ev.limit_value = num(b, "limit_value");
        ev.action = enum_from<BudgetAction, 3>(str(b, "action")).value_or(BudgetAction::warn);
        // An outcome this version does not know is not a stop.
        ev.outcome = enum_from<BudgetOutcome, 4>(str(b, "outcome")).value_or(BudgetOutcome::warned);
        ev.message = str(b, "message");
        return BudgetDecisionEvent{std::move(ev)};
      }
      case EventType::warning: return WarningEvent{str(r, "message")};
      case EventType::intensity_history: {
        IntensityHistoryEvent h{str(r, "source"), {}};
        if (const json* points = member(r, "points"); points && points->is_array()) {
          for (const auto& q : *points) {
            if (!q.is_object()) continue;
            h.points.push_back({num(q, "start_unix_s"), num(q, "end_unix_s"), num(q, "g_per_kwh"), str(q, "kind")});
          }
        }
        return h;
      }
      case EventType::run_end: {
        if (const json* reason = member(r, "not_measured"); reason && reason->is_string()) {
          return RunNotMeasuredEvent{reason->get<std::string>()};
        }
        RunEndEvent e;
        if (const auto n = integer(r, "epochs")) e.epochs = static_cast<std::size_t>(*n);
        e.total = totals_record(object(r, "total"), "total.");
        e.whole_run.totals = totals(object(r, "whole_run"), "whole_run.");
        e.whole_run.energy_kwh = num(object(r, "whole_run"), "energy_kwh");
        if (const json* i = member(r, "interrupted_epoch"); i && i->is_object()) {
          e.interrupted_epoch = epoch(*i, "interrupted_epoch.");
        }
        e.stopped_by_budget = flag(r, "stopped_by_budget", false);
        return e;
      }
    }
    return std::nullopt;
  }

 private:
  Decoded* out_;
};

// nlohmann's parser is iterative, but keep pathological nesting (a damaged or hostile line) out.
bool nesting_ok(std::string_view line, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// JSON has no NaN or Infinity, but Python's json.dumps (and other writers) put them bare into a
// line. Outside strings, each becomes the string "NaN" / "Infinity" / "-Infinity", so the record
// is read and the value reported as damaged instead of the whole record being lost. Returns
// whether anything was replaced.
bool restore_non_finite(std::string_view line, std::string* out) {
  out->clear();
  out->reserve(line.size() + 16);
  bool in_string = false, escaped = false, changed = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      out->push_back(c);
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const std::string_view word : {"-Infinity", "Infinity", "-NaN", "NaN"}) {
      if (line.substr(i, word.size()) == word) {
        *out += '"';
        *out += word;
        *out += '"';
        i += word.size() - 1;
        replaced = changed = true;
        break;
      }
    }
    if (!replaced) out->push_back(c);
  }
  return changed;
}

}  // namespace

std::variant<Decoded, std::string> decode(std::string_view line, bool last) {
  if (!nesting_ok(line, 64)) return std::string("record nested too deeply; skipped");
  json r = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  std::string restored;
  if (r.is_discarded() && restore_non_finite(line, &restored)) {
    r = json::parse(restored, nullptr, /*allow_exceptions=*/false);
  }
  if (r.is_discarded() || !r.is_object()) {
    return std::string(last ? "incomplete last record (the run was killed while writing?); skipped"
                            : "not a JSON object; skipped");
  }
  Decoded d;
  d.version = integer(r, "v");
  const auto type = event_type_from_string(str(r, "type"));
  if (!type) return d;  // a later version's record type, ignored by design
  try {
    d.event = Decoder(&d).record(*type, r);
  } catch (const json::exception& e) {  // a key of an unexpected type that a check missed
    return std::string("unexpected record layout (") + e.what() + "); skipped";
  }
  return d;
}

}  // namespace carbontracker::outputs
