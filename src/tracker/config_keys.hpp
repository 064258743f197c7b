// Every Config parameter by name, so the four ways of setting one — CLI flags, environment
// variables, the configuration file and the defaults — share one parser and one set of error
// messages. Precedence (applied in this order, later wins): defaults < config file <
// environment < CLI flags. See docs/configuration.md.
//
//  - key names are the C++ Config names (snake_case), budget keys are flat
//    (max_energy_kwh, budget_action) and API keys live under [api_keys] in the file.
//  - environment: CARBONTRACKER_<KEY IN UPPER CASE> (e.g. CARBONTRACKER_PUE=1.58); provider
//    credentials: CARBONTRACKER_ELECTRICITYMAPS_TOKEN, CARBONTRACKER_WATTTIME_USER/_PASSWORD.
//  - a bad value is a Status naming the key, where it came from, and the fix.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "carbontracker/tracker.hpp"

namespace carbontracker::tracker {

// A key's command-line flag: `run` registers one per key that has a name here, and `devices`,
// `monitor` and `intensity` register the ones they take, all with this help text; the value
// goes through set_config_key with the flag as its origin. A new key with a flag is this one
// entry, nothing in the CLI.
struct CliFlag {
  std::string name;      // "--pue"; empty: no flag (file, environment and API only)
  std::string sets;      // a switch: the value it sets ("true"; "false" for --no-interpretable); empty: takes a value
  std::string help;      // --help text
};

struct ConfigKey {
  std::string name;         // "pue"
  std::string type;         // "int", "number", "bool", "string", "path", "warn|ask|stop"
  std::string description;  // one line, for docs and error messages
  CliFlag flag;
};

// The key with this name, or null.
const ConfigKey* find_config_key(std::string_view name);

const std::vector<ConfigKey>& config_keys();

// Sets `key` from its text form. `origin` says where the value came from ("--pue",
// "CARBONTRACKER_PUE", "carbontracker.toml:3") for the error message.
Status set_config_key(Config& config, const std::string& key, const std::string& value, const std::string& origin);

// Applies every CARBONTRACKER_<KEY> variable that is set (getenv injected).
Status apply_environment(Config& config, const std::function<std::optional<std::string>(const std::string&)>& getenv);

// Applies a TOML configuration file (toml++). Unknown keys and bad values are errors naming the
// file and line.
Status apply_config_file(Config& config, const std::filesystem::path& path);

// The file to use: --config if given, else $CARBONTRACKER_CONFIG, else ./carbontracker.toml if
// it exists, else none.
std::optional<std::filesystem::path> find_config_file(
    const std::optional<std::filesystem::path>& explicit_path,
    const std::function<std::optional<std::string>(const std::string&)>& getenv);

// Every source below the command line, in order: the file find_config_file picks, then the
// environment. What `run` and `intensity` both start from before their flags.
Status apply_config_sources(Config& config, const std::optional<std::filesystem::path>& explicit_path,
                            const std::function<std::optional<std::string>(const std::string&)>& getenv);

}  // namespace carbontracker::tracker
