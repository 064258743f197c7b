#include "report/python_compat.hpp"

#include <cmath>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "report/aggregate.hpp"
#include "report/log_reader.hpp"
#include "report/text_logs.hpp"

namespace carbontracker::report::python_compat {
namespace fs = std::filesystem;
namespace {

// Text handed in by a caller is read as given (a missing final newline is not a torn file).
TextLog parse_given(std::string_view text) {
  TextParseOptions o;
  o.drop_torn_last_line = false;
  return parse_text_log(text, "", nullptr, o);
}

ConsumptionDict to_dict(const TextBlock& b) {
  ConsumptionDict d;
  d.epochs = b.consumption.epochs;
  d.duration_s = b.consumption.duration_s;
  d.energy_kwh = b.consumption.energy_kwh;
  d.co2eq_g = b.consumption.co2eq_g;
  if (b.equivalents_listed) d.equivalents = b.consumption.equivalents;
  return d;
}

// parse_logs' dict from a parsed standard log (fixes 2-4 of the header).
std::map<std::string, ComponentLog> components_from(const TextLog& log, const std::string& file,
                                                   std::vector<ReadIssue>* issues) {
  std::vector<const TextEpoch*> epochs;
  for (const auto& e : log.epochs) {
    if (e.duration_s) {
      epochs.push_back(&e);
    } else if (issues) {
      issues->push_back({file, e.line, "epoch " + std::to_string(e.index) + " has no Duration line (truncated?); left out"});
    }
  }
  std::set<std::string> with_power;
  for (const auto& p : log.power_lines) with_power.insert(p.component);
  std::set<std::string> names = with_power;
  for (const auto& [c, d] : log.devices) names.insert(c);

  std::map<std::string, ComponentLog> out;
  for (const auto& c : names) {
    ComponentLog cl;
    if (const auto it = log.devices.find(c); it != log.devices.end()) cl.devices = it->second;
    if (!epochs.empty()) {
      cl.epoch_durations_s.emplace();
      for (const auto* e : epochs) cl.epoch_durations_s->push_back(*e->duration_s);
    }
    if (with_power.count(c) && !epochs.empty()) {
      cl.avg_power_usages_w.emplace();
      cl.avg_energy_usages_j.emplace();
      for (const auto* e : epochs) {
        const auto it = e->powers.find(c);
        std::vector<double> w = it == e->powers.end() ? std::vector<double>{} : it->second.values_w;
        std::vector<double> j;
        double sum = w.empty() ? std::nan("") : 0.0;
        for (double v : w) {
          j.push_back(v * *e->duration_s);
          sum += v * *e->duration_s;
        }
        cl.avg_power_usages_w->push_back(std::move(w));
        cl.avg_energy_usages_j->push_back(std::move(j));
        cl.epoch_energy_j.push_back(sum);
      }
    }
    out[c] = std::move(cl);
  }
  return out;
}

std::optional<TextLog> parse_file(const fs::path& p, std::vector<ReadIssue>* issues) {
  if (p.empty()) return std::nullopt;
  const auto text = read_log_file(p, issues);
  if (!text) return std::nullopt;
  return parse_text_log(*text, p.string(), issues);
}

}  // namespace

std::pair<std::optional<ConsumptionDict>, std::optional<ConsumptionDict>> get_consumption(
    std::string_view output_log_text) {
  const TextLog log = parse_given(output_log_text);
  std::optional<ConsumptionDict> actual, pred;
  if (!log.actual.empty()) actual = to_dict(log.actual.back());
  if (!log.predicted.empty()) pred = to_dict(log.predicted.front());
  return {actual, pred};
}

bool get_early_stop(std::string_view std_log_text) { return parse_given(std_log_text).early_stop; }

std::map<std::string, std::vector<std::string>> get_devices(std::string_view std_log_text) {
  return parse_given(std_log_text).devices;
}

std::vector<double> get_epoch_durations(std::string_view std_log_text) {
  return parse_given(std_log_text).durations_s;
}

std::map<std::string, std::vector<std::vector<double>>> get_avg_power_usages(std::string_view std_log_text) {
  std::map<std::string, std::vector<std::vector<double>>> out;
  for (auto& p : parse_given(std_log_text).power_lines) out[p.component].push_back(std::move(p.values_w));
  return out;
}

std::map<std::string, ComponentLog> parse_logs(const fs::path& log_dir, const std::optional<fs::path>& std_log_file,
                                               const std::optional<fs::path>& output_log_file,
                                               std::vector<ReadIssue>* issues) {
  fs::path std_path;
  if (std_log_file && output_log_file) {
    std_path = *std_log_file;
  } else {
    // The most recent run (by its standard log's mtime): its own standard log, where the Python
    // tool took the newest standard and the newest output log independently.
    std::optional<fs::file_time_type> newest;
    for (const auto& f : find_logs({log_dir}, issues)) {
      if (f.std_log.empty()) continue;
      std::error_code ec;
      const auto t = fs::last_write_time(f.std_log, ec);
      if (!ec && (!newest || t > *newest)) {
        newest = t;
        std_path = f.std_log;
      }
    }
    if (std_path.empty()) {
      if (issues) issues->push_back({log_dir.string(), 0, "no standard log (*_carbontracker.log) in this directory"});
      return {};
    }
  }
  const auto log = parse_file(std_path, issues);
  if (!log) return {};
  return components_from(*log, std_path.string(), issues);
}

std::vector<LogEntry> parse_all_logs(const fs::path& log_dir, std::vector<ReadIssue>* issues) {
  std::vector<LogEntry> out;
  for (const auto& f : find_logs({log_dir}, issues)) {
    if (f.std_log.empty() && f.output_log.empty()) continue;
    LogEntry e;
    e.output_filename = f.output_log.string();
    e.standard_filename = f.std_log.string();
    const auto std_log = parse_file(f.std_log, issues);
    const auto out_log = parse_file(f.output_log, issues);
    if (std_log) {
      e.components = components_from(*std_log, e.standard_filename, issues);
      e.early_stop = std_log->early_stop;
    }
    const TextLog* blocks = out_log ? &*out_log : (std_log ? &*std_log : nullptr);
    if (blocks) {
      if (!blocks->actual.empty()) e.actual = to_dict(blocks->actual.back());
      if (!blocks->predicted.empty()) e.pred = to_dict(blocks->predicted.front());
    }
    out.push_back(std::move(e));
  }
  return out;
}

AggregateConsumption aggregate_consumption(const fs::path& log_dir, std::vector<ReadIssue>* issues) {
  ReadResult read = read_logs({log_dir});
  if (issues) issues->insert(issues->end(), read.issues.begin(), read.issues.end());
  AggregateConsumption a;
  bool any_actual = false, any_predicted = false;
  for (const auto& run : read.runs) {
    const Consumption* c = nullptr;
    std::string basis = "none";
    // The Python tool's rule, with the actual epoch count read: the actual figures when the run
    // stopped early or its actual block covers the epochs it predicted for; the prediction when
    // monitoring ended first (monitor_epochs=1, its old default) or no actual block was printed.
    if (run.actual && !prediction_covers_more(run)) {
      c = &*run.actual;
      basis = "actual";
    } else if (run.predicted) {
      c = &*run.predicted;
      basis = "predicted";
    }
    // A NaN, infinite, negative or missing energy (or a negative CO2eq) is never added (the
    // reader reported it with its file:line).
    if (c && (c->damaged || !std::isfinite(c->energy_kwh) || c->energy_kwh < 0 || c->co2eq_g < 0 ||
              std::isinf(c->co2eq_g))) {
      c = nullptr;
      basis = "damaged";
    }
    a.runs.push_back({run.file, basis});
    if (!c) continue;
    (basis == "actual" ? any_actual : any_predicted) = true;
    a.energy_kwh += c->energy_kwh;
    if (std::isfinite(c->co2eq_g)) a.co2eq_g += c->co2eq_g;
    for (const auto& [unit, v] : c->equivalents) a.equivalents[unit] += v;
  }
  a.basis = any_actual && any_predicted ? "mixed" : (any_actual ? "actual" : (any_predicted ? "predicted" : "none"));
  return a;
}

std::string aggregate_sentence(const AggregateConsumption& a) {
  std::string out = fmt::format(
      "The training of models in this work is estimated to use {:.16f} kWh of electricity contributing to {:.16f} kg "
      "of CO2eq. ",
      a.energy_kwh, a.co2eq_g / 1000.0);
  if (!a.equivalents.empty()) {
    std::string list;
    for (const auto& [unit, v] : a.equivalents) {
      if (!list.empty()) list += " or ";
      list += fmt::format("{:.16f} {}", v, unit);
    }
    out += "This is equivalent to " + list + ". ";
  }
  out += "Measured by carbontracker (https://github.com/lfwa/carbontracker).";
  return out;
}

std::string print_aggregate(const fs::path& log_dir, std::vector<ReadIssue>* issues) {
  return aggregate_sentence(aggregate_consumption(log_dir, issues));
}

}  // namespace carbontracker::report::python_compat
