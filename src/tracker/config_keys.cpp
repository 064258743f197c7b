#include "tracker/config_keys.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/text.hpp"
#include "io/closest_name.hpp"
#include "io/fs.hpp"
#include "tracker/config_bounds.hpp"
#include "tracker/safe_text.hpp"

namespace carbontracker::tracker {
namespace {

using Setter = std::function<Status(Config&, const std::string& value, const std::string& origin)>;

Status bad(const std::string& key, const std::string& origin, const std::string& value, const std::string& expected) {
  return {StatusCode::invalid_argument, fmt::format("{} ({}): expected {}, got \"{}\"", key, origin, expected, value),
          fmt::format("give {} as {}", key, expected)};
}

Setter integer(int Config::*field) {
  return [field](Config& c, const std::string& v, const std::string& origin) -> Status {
    const auto x = text::to_number<int>(text::trim(v));
    if (!x) return bad("value", origin, v, "an integer");
    c.*field = *x;
    return Status::ok();
  };
}

Setter optional_integer(std::optional<int> Config::*field) {
  return [field](Config& c, const std::string& v, const std::string& origin) -> Status {
    const auto x = text::to_number<int>(text::trim(v));
    if (!x) return bad("value", origin, v, "an integer");
    c.*field = *x;
    return Status::ok();
  };
}

Setter number(double Config::*field) {
  return [field](Config& c, const std::string& v, const std::string& origin) -> Status {
    auto r = text::parse_double(v, origin);
    if (!r || !std::isfinite(*r)) return bad("value", origin, v, "a number");
    c.*field = *r;
    return Status::ok();
  };
}

Setter optional_number(std::optional<double> Config::*field) {
  return [field](Config& c, const std::string& v, const std::string& origin) -> Status {
    auto r = text::parse_double(v, origin);
    if (!r || !std::isfinite(*r)) return bad("value", origin, v, "a number");
    c.*field = *r;
    return Status::ok();
  };
}

Setter budget_number(std::optional<double> Budget::*field) {
  return [field](Config& c, const std::string& v, const std::string& origin) -> Status {
    auto r = text::parse_double(v, origin);
    if (!r || !std::isfinite(*r)) return bad("value", origin, v, "a number");
    c.budget.*field = *r;
    return Status::ok();
  };
}

Setter boolean(bool Config::*field) {
  return [field](Config& c, const std::string& v, const std::string& origin) -> Status {
    if (v == "true" || v == "1" || v == "yes") {
      c.*field = true;
    } else if (v == "false" || v == "0" || v == "no") {
      c.*field = false;
    } else {
      return bad("value", origin, v, "true or false");
    }
    return Status::ok();
  };
}

Setter text(std::string Config::*field) {
  return [field](Config& c, const std::string& v, const std::string&) -> Status {
    c.*field = v;
    return Status::ok();
  };
}

Setter optional_text(std::optional<std::string> Config::*field) {
  return [field](Config& c, const std::string& v, const std::string&) -> Status {
    c.*field = v;
    return Status::ok();
  };
}

Setter optional_path(std::optional<std::filesystem::path> Config::*field) {
  return [field](Config& c, const std::string& v, const std::string&) -> Status {
    c.*field = v;
    return Status::ok();
  };
}

struct Entry {
  ConfigKey key;
  Setter set;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> kEntries = [] {
    std::vector<Entry> e{
        {{"epochs", "int", "epochs the training will run (the prediction's horizon)",
          {"--epochs", "",
           "Epochs the command will run (enables the prediction; default: unknown, or a pattern's total group)"}},
         integer(&Config::epochs)},
        {{"epochs_before_pred", "int", "epochs measured before the prediction; 0 or -1: never",
          {"--epochs-before-pred", "", "Epochs measured before predicting (0: never; default 1)"}},
         integer(&Config::epochs_before_pred)},
        {{"monitor_epochs", "int", "epochs to monitor; -1: all",
          {"--monitor-epochs", "", "Epochs to monitor (-1: all)"}}, integer(&Config::monitor_epochs)},
        {{"update_interval", "number", "seconds between power samples",
          {"--update-interval", "", "Seconds between power samples (default 1)"}}, number(&Config::update_interval)},
        {{"sample_every", "number", "read every sensor at this period too (default: only when needed)",
          {"--sample-every", "",
           "Read every sensor every S seconds, counters included (default: counters only at epoch ends "
           "and when they could wrap)"}},
         optional_number(&Config::sample_every)},
        {{"interpretable", "bool", "add the km-by-car equivalent",
          {"--no-interpretable", "false",
           "Leave out the 'km travelled by car' equivalent"}},
         boolean(&Config::interpretable)},
        {{"stop_and_confirm", "bool", "ask whether to continue after the prediction",
          {"--stop-and-confirm", "true", "Ask whether to continue after the prediction"}},
         boolean(&Config::stop_and_confirm)},
        {{"ignore_errors", "bool", "internal errors become warnings instead of exceptions",
          {"--ignore-errors", "true", "Carry on silently after internal errors"}},
         boolean(&Config::ignore_errors)},
        {{"components", "string", "all, or a comma list of gpu, cpu, dram",
          {"--components", "",
           "What to measure: all, or a comma list of gpu, cpu, dram (cpu alone also measures dram, as in the Python "
           "carbontracker)"}},
         text(&Config::components)},
        {{"devices_by_pid", "bool", "count only GPUs used by this process tree",
          {"--devices-by-pid", "true",
           "Count only GPUs that run a process of the measured process tree"}},
         boolean(&Config::devices_by_pid)},
        {{"log_dir", "path", "directory for the logs",
          {"--log-dir", "", "Directory for the logs (default ./logs)"}}, optional_path(&Config::log_dir)},
        {{"log_file_prefix", "string", "prefix of the log file names",
          {"--log-file-prefix", "", "Prefix of the log file names"}}, text(&Config::log_file_prefix)},
        {{"verbose", "int", "0: no console output but warnings",
          {"--verbose", "", "0: no console output from carbontracker but warnings"}}, integer(&Config::verbose)},
        {{"decimal_precision", "int", "decimals in the report blocks",
          {"--decimal-precision", "", "Decimals in reports (default 12)"}}, integer(&Config::decimal_precision)},
        {{"sim_cpu", "string", "name of a simulated CPU",
          {"--sim-cpu", "",
           "Simulate a CPU with this name instead of measuring it"}},
         optional_text(&Config::sim_cpu)},
        {{"sim_cpu_tdp", "number", "simulated CPU TDP, W",
          {"--sim-cpu-tdp", "",
           "Simulated CPU's TDP in W (needed with --sim-cpu)"}},
         optional_number(&Config::sim_cpu_tdp)},
        {{"sim_cpu_util", "number", "simulated CPU utilisation, 0..1",
          {"--sim-cpu-util", "",
           "Simulated CPU utilisation, 0..1 (default 0.5)"}},
         optional_number(&Config::sim_cpu_util)},
        {{"sim_gpu", "string", "name of a simulated GPU",
          {"--sim-gpu", "",
           "Simulate a GPU with this name instead of measuring it"}},
         optional_text(&Config::sim_gpu)},
        {{"sim_gpu_watts", "number", "simulated GPU power, W",
          {"--sim-gpu-watts", "",
           "Simulated GPU power in W (needed with --sim-gpu)"}},
         optional_number(&Config::sim_gpu_watts)},
        {{"sim_gpu_util", "number", "simulated GPU utilisation, 0..1",
          {"--sim-gpu-util", "",
           "Simulated GPU utilisation, 0..1 (default 0.5)"}},
         optional_number(&Config::sim_gpu_util)},
        {{"pue", "number", "power usage effectiveness (default 1.58, as the Python tool; 1.0: device energy only)",
          {"--pue", "",
           "Power usage effectiveness of the data centre (default 1.58, as the Python carbontracker; 1 gives device "
           "energy)"}},
         number(&Config::pue)},
        {{"max_energy_kwh", "number", "budget: facility energy of the run, kWh",
          {"--max-energy-kwh", "", "Budget: facility energy of the whole run, kWh"}},
         budget_number(&Budget::max_energy_kwh)},
        {{"max_co2eq_g", "number", "budget: CO2eq of the run, g",
          {"--max-co2eq-g", "", "Budget: CO2eq of the whole run, g"}}, budget_number(&Budget::max_co2eq_g)},
        {{"max_duration_s", "number", "budget: duration of the run, s",
          {"--max-duration-s", "", "Budget: duration of the whole run, s"}}, budget_number(&Budget::max_duration_s)},
        {{"budget_action", "warn|ask|stop", "what a crossed budget does",
          {"--budget-action", "", "What a crossed budget does: warn (default), ask or stop"}},
         [](Config& c, const std::string& v, const std::string& origin) -> Status {
           if (v == "warn") c.budget.action = BudgetAction::warn;
           else if (v == "ask") c.budget.action = BudgetAction::ask;
           else if (v == "stop") c.budget.action = BudgetAction::stop;
           else return bad("budget_action", origin, v, "warn, ask or stop");
           return Status::ok();
         }},
        {{"intensity_g_per_kwh", "number", "fixed carbon intensity, gCO2eq/kWh",
          {"--intensity", "", "Fixed carbon intensity, gCO2eq/kWh"}},
         optional_number(&Config::intensity_g_per_kwh)},
        {{"country", "string", "country (ISO 3166 code or name) for the carbon intensity",
          {"--country", "",
           "Country of the run, for its carbon intensity: ISO 3166 code or English name, e.g. DK, DNK, Denmark"}},
         optional_text(&Config::country)},
        {{"zone", "string", "Electricity Maps zone, e.g. DK-DK2",
          {"--zone", "", "Electricity Maps zone, e.g. DK-DK2, US-CAL-CISO"}}, optional_text(&Config::zone)},
        {{"cloud", "string", "cloud provider and region, e.g. gcp:europe-west1",
          {"--cloud", "", "Cloud region, e.g. gcp:europe-west1"}}, optional_text(&Config::cloud)},
        {{"gb_postcode", "string", "GB outward postcode for regional intensity, e.g. RG10",
          {"--postcode", "", "GB outward postcode for regional intensity (NESO), e.g. RG10"}},
         optional_text(&Config::gb_postcode)},
        {{"provider", "string", "force an intensity provider",
          {"--provider", "",
           "Force an intensity provider: electricitymaps, energidataservice, carbonintensity_uk, watttime, none"}},
         optional_text(&Config::provider)},
        {{"geolocate", "bool", "IP geolocation when no location is given",
          {"--geolocate", "true",
           "Find the country by IP geolocation when none is given"}},
         boolean(&Config::geolocate)},
        {{"intensity_refresh_s", "number", "seconds between live intensity fetches", {}},
         number(&Config::intensity_refresh_s)},
        {{"summary_json", "path", "write the final result to this JSON file",
          {"--summary-json", "",
           "Write the final result as one JSON object to this file"}},
         optional_path(&Config::summary_json)},
        {{"prediction_confidence", "number", "nominal coverage of prediction intervals", {}},
         number(&Config::prediction_confidence)},
        {{"job_id", "string", "distributed job id (default: from torchrun, SLURM or MPI)",
          {"--job-id", "", "Id of the distributed job this process belongs to (default: from the launcher)"}},
         optional_text(&Config::job_id)},
        {{"rank", "int", "global rank in the job (default: from the launcher)",
          {"--rank", "", "Global rank of this process in its job (default: from the launcher)"}},
         optional_integer(&Config::rank)},
        {{"local_rank", "int", "rank on this node (default: from the launcher)",
          {"--local-rank", "", "Rank of this process on its node (default: from the launcher)"}},
         optional_integer(&Config::local_rank)},
        {{"world_size", "int", "processes in the job (default: from the launcher)",
          {"--world-size", "", "Number of processes in the job (default: from the launcher)"}},
         optional_integer(&Config::world_size)},
        {{"job_wait_s", "number", "seconds rank 0 waits at the end for the other ranks' logs",
          {"--job-wait-s", "", "Seconds rank 0 waits at the end for the other ranks' logs (default 30)"}},
         number(&Config::job_wait_s)},
        {{"report_every_rank", "bool", "every rank prints its own report, not only rank 0 the job's",
          {"--report-every-rank", "true", "In a distributed job, every rank prints its own report"}},
         boolean(&Config::report_every_rank)},
        {{"prometheus", "string", "serve Prometheus metrics on ADDR:PORT (port 0: pick one)",
          {"--prometheus", "",
           "Serve Prometheus metrics at http://ADDR:PORT/metrics (ADDR:PORT, :PORT or PORT; address 127.0.0.1 "
           "unless given; port 0 picks a free one)"}},
         optional_text(&Config::prometheus)},
        {{"pushgateway", "string", "push the final metrics to this Prometheus Pushgateway URL",
          {"--pushgateway", "", "Push the final metrics to this Prometheus Pushgateway (base URL) at the run's end"}},
         optional_text(&Config::pushgateway)},
    };
    return e;
  }();
  return kEntries;
}

// A value as quoted in a message: a huge value (a 10 MB string) is not echoed whole. The cut
// falls on a UTF-8 character boundary.
std::string shown(const std::string& value) { return excerpt(value, 64); }

// "1e400": a well-formed number that no double can hold.
bool beyond_double(const std::string& value) {
  const std::string_view t = text::trim(value);
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc::result_out_of_range && p == t.data() + t.size();
}


}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> k;
    for (const auto& e : entries()) k.push_back(e.key);
    return k;
  }();
  return keys;
}

const ConfigKey* find_config_key(std::string_view name) {
  for (const auto& k : config_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

Status set_config_key(Config& config, const std::string& key, const std::string& value, const std::string& origin) {
  for (const auto& e : entries()) {
    if (e.key.name != key) continue;
    // Bounds before the setter, so a refused value leaves `config` as it was. A value that is
    // not a number at all is the setter's type error below.
    if (Status st = check_text(key, value, origin); !st) return st;
    if (number_bounds(key)) {
      if (auto v = text::parse_double(value, origin)) {
        if (Status st = check_number(key, *v, origin); !st) return st;
      }
    }
    Status st = e.set(config, value, origin);
    if (!st) {
      // Name the key (the setters only know the origin).
      if (beyond_double(value)) {
        return {st.code(), fmt::format("{} ({}): \"{}\" is beyond the range of a double", key, origin, shown(value)),
                fmt::format("give {} a value in its range (see docs/configuration.md#bounds)", key)};
      }
      return {st.code(), fmt::format("{} ({}): expected {}, got \"{}\"", key, origin, e.key.type, shown(value)),
              fmt::format("give {} as {} ({})", key, e.key.type, e.key.description)};
    }
    return st;
  }
  return {StatusCode::invalid_argument, fmt::format("unknown setting \"{}\" ({})", shown(key), origin),
          "see docs/configuration.md for the keys"};
}

Status apply_environment(Config& config, const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  for (const auto& e : entries()) {
    const std::string var = "CARBONTRACKER_" + text::to_upper(e.key.name);
    if (auto v = getenv(var); v && !v->empty()) {
      if (Status st = set_config_key(config, e.key.name, *v, var); !st) return st;
    }
  }
  // Provider credentials: environment only adds what the config did not set.
  const std::pair<const char*, const char*> creds[] = {{"CARBONTRACKER_ELECTRICITYMAPS_TOKEN", "electricitymaps"},
                                                       {"CARBONTRACKER_WATTTIME_USER", "watttime_user"},
                                                       {"CARBONTRACKER_WATTTIME_PASSWORD", "watttime_password"}};
  for (const auto& [var, id] : creds) {
    if (auto v = getenv(var); v && !v->empty()) config.api_keys.emplace(id, *v);
  }
  return Status::ok();
}

namespace {

// The ids [api_keys] takes (intensity/provider_choice.cpp reads them, case-insensitively).
const std::vector<std::string>& api_key_ids() {
  static const std::vector<std::string> ids{"electricitymaps", "watttime_user", "watttime_password"};
  return ids;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& known) {
  const std::string closest = io::closest_name(word, known);
  return closest.empty() ? std::string() : fmt::format("; did you mean \"{}\"?", closest);
}

// A path that cannot be a configuration file, said as such (toml++ would only say that it
// "could not be opened").
Status check_config_path(const std::filesystem::path& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) {
    return {StatusCode::not_found, fmt::format("the configuration file {} does not exist", path.string()),
            "give the path of an existing TOML file (--config or CARBONTRACKER_CONFIG), or leave both unset"};
  }
  if (st.type() == std::filesystem::file_type::directory) {
    const auto inside = path / "carbontracker.toml";
    return {StatusCode::invalid_argument,
            fmt::format("the configuration file {} is a directory, not a file", path.string()),
            io::exists(inside) ? fmt::format("give the file itself: {}", inside.string())
                               : "give the path of the TOML file (--config or CARBONTRACKER_CONFIG)"};
  }
  if (ec) {
    return {StatusCode::unavailable, fmt::format("cannot read the configuration file {} ({})", path.string(), ec.message()),
            "check the path and its permissions"};
  }
  return Status::ok();
}

Status apply_api_keys(Config& config, const toml::node& node, const std::string& file, const std::string& origin) {
  const auto* t = node.as_table();
  if (!t) return {StatusCode::invalid_argument, fmt::format("api_keys ({}) must be a table", origin), "write [api_keys]"};
  for (const auto& [provider, value] : *t) {
    const std::string id(provider.str());
    const std::string where = fmt::format("{}:{}", file, value.source().begin.line);
    const std::string lowered = text::to_lower(id);
    const auto& ids = api_key_ids();
    if (std::find(ids.begin(), ids.end(), lowered) == ids.end()) {
      // Never the value: it is a secret.
      return {StatusCode::invalid_argument,
              fmt::format("unknown key \"api_keys.{}\" ({}{})", shown(id), where, did_you_mean(id, ids)),
              fmt::format("[api_keys] takes {} (see docs/configuration.md)", quoted_list(ids))};
    }
    const auto* s = value.as_string();
    if (!s) {
      return {StatusCode::invalid_argument, fmt::format("api_keys.{} ({}) must be a string", id, where),
              "quote the key"};
    }
    config.api_keys[id] = s->get();
  }
  return Status::ok();
}

}  // namespace

Status apply_config_file(Config& config, const std::filesystem::path& path) {
  if (Status st = check_config_path(path); !st) return st;
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    return {StatusCode::invalid_argument,
            fmt::format("cannot read the configuration file {}:{}: {}", path.string(), e.source().begin.line,
                        std::string(e.description())),
            "fix the TOML syntax (see docs/configuration.md)"};
  }
  std::vector<std::string> names{"api_keys"};
  for (const auto& k : config_keys()) names.push_back(k.name);
  for (const auto& [k, node] : root) {
    const std::string key(k.str());
    const std::string origin = fmt::format("{}:{}", path.string(), node.source().begin.line);
    if (key == "api_keys") {
      if (Status st = apply_api_keys(config, node, path.string(), origin); !st) return st;
      continue;
    }
    if (std::find(names.begin(), names.end(), key) == names.end()) {
      // Checked here, before the value: an unknown table is named as one, not as a bad value.
      return {StatusCode::invalid_argument,
              fmt::format("unknown {} \"{}\" ({}{})", node.is_table() ? "table" : "setting", shown(key), origin,
                          did_you_mean(key, node.is_table() ? std::vector<std::string>{"api_keys"} : names)),
              node.is_table() ? "the only table is [api_keys]; every other key goes at the top of the file "
                                "(see docs/configuration.md)"
                              : "see docs/configuration.md for the keys"};
    }
    std::string text;
    if (const auto* s = node.as_string()) text = s->get();
    else if (const auto* i = node.as_integer()) text = std::to_string(i->get());
    else if (const auto* f = node.as_floating_point()) text = fmt::format("{}", f->get());
    else if (const auto* b = node.as_boolean()) text = b->get() ? "true" : "false";
    else return {StatusCode::invalid_argument, fmt::format("{} ({}) must be a single value", key, origin), "use key = value"};
    if (Status st = set_config_key(config, key, text, origin); !st) return st;
  }
  return Status::ok();
}

std::optional<std::filesystem::path> find_config_file(
    const std::optional<std::filesystem::path>& explicit_path,
    const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  if (explicit_path) return explicit_path;
  if (auto v = getenv("CARBONTRACKER_CONFIG"); v && !v->empty()) return std::filesystem::path(*v);
  if (io::exists("carbontracker.toml")) return std::filesystem::path("carbontracker.toml");
  return std::nullopt;
}

Status apply_config_sources(Config& config, const std::optional<std::filesystem::path>& explicit_path,
                            const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  if (const auto file = find_config_file(explicit_path, getenv)) {
    if (Status st = apply_config_file(config, *file); !st) return st;
  }
  return apply_environment(config, getenv);
}

}  // namespace carbontracker::tracker
