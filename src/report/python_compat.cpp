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
  d.epochs = b.consumption.epochs.value_or(1);  // "Actual consumption:" counts as 1, as there
  d.duration_s = b.consumption.duration_s;
  d.energy_kwh = b.consumption.energy_kwh;
  d.co2eq_g = b.consumption.co2eq_g;
  if (b.equivalents_listed) d.equivalents = b.consumption.equivalents;
  return d;
}

// The rows the Python parser's power regex gives a component: the values of each of its lines,
// [0.0] for None; a line it does not match (nan, negative, "[None]") is left out (fix 3).
std::map<std::string, std::vector<std::vector<double>>> power_rows(const TextLog& log) {
  std::map<std::string, std::vector<std::vector<double>>> out;
  for (const auto& p : log.power_lines) {
    if (p.none) {
      out[p.component].push_back({0.0});
    } else if (!p.values_w.empty()) {
      out[p.component].push_back(p.values_w);
    }
  }
  return out;
}

// Per "Epoch N:" block with a duration: the component's energy summed over its devices (NaN
// when unknown).
std::vector<double> epoch_energies(const TextLog& log, const std::string& component) {
  std::vector<double> out;
  for (const auto& e : log.epochs) {
    if (!e.duration_s) continue;
    const auto it = e.powers.find(component);
    if (it == e.powers.end() || it->second.values_w.empty()) {
      out.push_back(std::nan(""));
      continue;
    }
    double sum = 0;
    for (double w : it->second.values_w) sum += w * *e.duration_s;
    out.push_back(sum);
  }
  return out;
}

// parse_logs' dict from a parsed standard log, as the Python parser builds it.
std::map<std::string, ComponentLog> components_from(const TextLog& log, const std::string& file,
                                                   std::vector<ReadIssue>* issues) {
  const auto powers = power_rows(log);
  std::map<std::string, ComponentLog> out;
  for (std::size_t position = 0; position < log.device_order.size(); ++position) {
    const std::string& c = log.device_order[position];
    ComponentLog cl;
    cl.devices = log.devices.at(c);
    cl.position = position;
    if (!log.durations_s.empty()) cl.epoch_durations_s = log.durations_s;
    // The Python tool: None when the log has no power line at all (a listed component without
    // any line of its own raised KeyError there; here it is None too).
    if (const auto it = powers.find(c); it != powers.end()) cl.avg_power_usages_w = it->second;
    if (cl.avg_power_usages_w && cl.epoch_durations_s) {
      const auto& w = *cl.avg_power_usages_w;
      const auto& d = *cl.epoch_durations_s;
      if (w.size() != d.size()) {
        cl.mismatch = fmt::format(
            "Found {} power measurements and {} duration measurements. Expected equal number of measurements.",
            w.size(), d.size());
        if (issues) issues->push_back({file, 0, c + ": " + cl.mismatch});
      } else {
        cl.avg_energy_usages_j.emplace();
        for (std::size_t i = 0; i < w.size(); ++i) {
          std::vector<double> j;
          for (double v : w[i]) j.push_back(v * d[i]);
          cl.avg_energy_usages_j->push_back(std::move(j));
        }
      }
    }
    cl.epoch_energy_j = epoch_energies(log, c);
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

// os.listdir's errors, which the Python tool's parser lets through.
void require_directory(const fs::path& dir) {
  std::error_code ec;
  const auto st = fs::status(dir, ec);
  if (!fs::exists(st)) {
    throw fs::filesystem_error("cannot list the log directory", dir,
                               std::make_error_code(std::errc::no_such_file_or_directory));
  }
  if (!fs::is_directory(st)) {
    throw fs::filesystem_error("cannot list the log directory", dir, std::make_error_code(std::errc::not_a_directory));
  }
}

// The runs with both a standard and an output log (or our event log); the others are dropped
// with an issue, as the Python tool's get_all_logs drops them.
std::vector<LogFiles> paired_logs(const fs::path& log_dir, std::vector<ReadIssue>* issues) {
  std::vector<LogFiles> out;
  for (auto& f : find_logs({log_dir}, issues)) {
    const bool paired = !f.std_log.empty() && !f.output_log.empty();
    if (!paired && (!f.std_log.empty() || !f.output_log.empty()) && issues) {
      const auto& present = f.std_log.empty() ? f.output_log : f.std_log;
      issues->push_back({present.string(), 0,
                         std::string("no ") + (f.std_log.empty() ? "standard" : "output") +
                             " log with the same stem: left out, as the Python tool's parser leaves it out"});
    }
    if (paired || !f.events.empty()) out.push_back(std::move(f));
  }
  return out;
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

std::vector<std::pair<std::string, std::vector<std::string>>> get_devices(std::string_view std_log_text) {
  const TextLog log = parse_given(std_log_text);
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& c : log.device_order) out.emplace_back(c, log.devices.at(c));
  return out;
}

std::vector<double> get_epoch_durations(std::string_view std_log_text) {
  return parse_given(std_log_text).durations_s;
}

std::map<std::string, std::vector<std::vector<double>>> get_avg_power_usages(std::string_view std_log_text) {
  return power_rows(parse_given(std_log_text));
}

std::map<std::string, ComponentLog> parse_logs(const fs::path& log_dir, const std::optional<fs::path>& std_log_file,
                                               const std::optional<fs::path>& output_log_file,
                                               std::vector<ReadIssue>* issues) {
  fs::path std_path;
  if (std_log_file && output_log_file) {
    std_path = *std_log_file;
  } else {
    require_directory(log_dir);
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
  require_directory(log_dir);
  std::vector<LogEntry> out;
  for (const auto& f : paired_logs(log_dir, issues)) {
    if (f.std_log.empty() || f.output_log.empty()) continue;  // an event log alone: not the Python tool's
    LogEntry e;
    e.output_filename = f.output_log.string();
    e.standard_filename = f.std_log.string();
    const auto std_log = parse_file(f.std_log, issues);
    const auto out_log = parse_file(f.output_log, issues);
    if (std_log) {
      e.components = components_from(*std_log, e.standard_filename, issues);
      e.early_stop = std_log->early_stop;
    }
    if (out_log) {
      if (!out_log->actual.empty()) e.actual = to_dict(out_log->actual.back());
      if (!out_log->predicted.empty()) e.pred = to_dict(out_log->predicted.front());
    }
    out.push_back(std::move(e));
  }
  return out;
}

AggregateConsumption aggregate_consumption(const fs::path& log_dir, std::vector<ReadIssue>* issues) {
  require_directory(log_dir);
  std::set<std::string> paired;  // (dir/stem) of the runs the Python tool reads
  for (const auto& f : paired_logs(log_dir, nullptr)) paired.insert((f.dir / f.stem).string());
  ReadResult read = read_logs({log_dir});
  if (issues) issues->insert(issues->end(), read.issues.begin(), read.issues.end());
  AggregateConsumption a;
  bool any_actual = false, any_predicted = false;
  for (const auto& run : read.runs) {
    if (!paired.count((fs::path(run.file).parent_path() / run.stem).string())) continue;
    const Consumption* c = nullptr;
    RunBasis basis = RunBasis::none;
    // The Python tool's rule, with the actual epoch count read: the actual figures when the run
    // stopped early or its actual block covers the epochs it predicted for; the prediction when
    // monitoring ended first (monitor_epochs=1, its old default) or no actual block was printed.
    if (run.actual && !prediction_covers_more(run)) {
      c = &*run.actual;
      basis = RunBasis::actual;
    } else if (run.predicted) {
      c = &*run.predicted;
      basis = RunBasis::predicted;
    }
    // A NaN, infinite, negative or missing energy (or a negative CO2eq) is never added (the
    // reader reported it with its file:line).
    if (c && (c->damaged || !std::isfinite(c->energy_kwh) || c->energy_kwh < 0 || c->co2eq_g < 0 ||
              std::isinf(c->co2eq_g))) {
      c = nullptr;
      basis = RunBasis::damaged;
    }
    a.runs.push_back({run.file, basis});
    if (!c) continue;
    (basis == RunBasis::actual ? any_actual : any_predicted) = true;
    a.energy_kwh += c->energy_kwh;
    if (std::isfinite(c->co2eq_g)) a.co2eq_g += c->co2eq_g;
    for (const auto& [unit, v] : c->equivalents) a.equivalents[unit] += v;
  }
  a.basis = any_actual && any_predicted ? AggregateBasis::mixed
            : any_actual                  ? AggregateBasis::actual
            : any_predicted               ? AggregateBasis::predicted
                                          : AggregateBasis::none;
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
