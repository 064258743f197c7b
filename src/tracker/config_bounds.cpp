#include "tracker/config_bounds.hpp"

#include <array>
#include <cmath>

#include <fmt/format.h>

#include "core/duration.hpp"
#include "intensity/quote.hpp"

namespace carbontracker::tracker {
namespace {

// Upper limits are where a value stops being a plausible setting and becomes a typo or an
// overflow (docs/configuration.md#bounds explains each).
constexpr double kMaxEpochs = 1e7;
constexpr std::array<NumberBounds, 23> kBounds{{
    {"epochs", "", 1, kMaxEpochs, false, "pass the number of epochs the training will run"},
    {"epochs_before_pred", "", -1, kMaxEpochs, false,
     "give the number of epochs to measure before predicting (0 or -1: never predict)"},
    {"monitor_epochs", "", -1, kMaxEpochs, false, "give the number of epochs to monitor, or -1 for all"},
    {"update_interval", "s", 0.01, 3600, false, "give the sampling interval in seconds (default 1)"},
    {"sample_every", "s", 0.01, 3600, false, "give the period of forced reads in seconds, e.g. 1 (or leave it unset)"},
    {"verbose", "", 0, 9, false, "use 0 (warnings only) or 1 (default)"},
    {"decimal_precision", "", 0, 17, false, "use e.g. 12 (the default)"},
    {"sim_cpu_tdp", "W", 0, 10000, false, "give the simulated CPU's TDP in watts, e.g. 65"},
    {"sim_cpu_util", "", 0, 1, false, "give the utilisation as a fraction, e.g. 0.5"},
    {"sim_gpu_watts", "W", 0, 10000, false, "give the simulated GPU's power in watts, e.g. 250"},
    {"sim_gpu_util", "", 0, 1, false, "give the utilisation as a fraction, e.g. 0.5"},
    {"pue", "", 1, 5, false,
     "use 1.0 for device energy only, or your data centre's PUE (the default 1.58 is the 2023 global average)"},
    {"max_energy_kwh", "kWh", 0, 1e9, true, "give the limit in kWh (or leave it unset)"},
    {"max_co2eq_g", "g", 0, 1e12, true, "give the limit in g (or leave it unset)"},
    {"max_duration_s", "s", 0, kMaxDurationS, true, "give the limit in seconds (or leave it unset)"},
    // The same physical range a provider's answer must fall in (intensity/quote.hpp).
    {"intensity_g_per_kwh", "g/kWh", intensity::kMinIntensityGPerKwh, intensity::kMaxIntensityGPerKwh, false, "give your grid's carbon intensity in gCO2eq/kWh, e.g. 250"},
    {"intensity_refresh_s", "s", 1, 86400, false, "give the seconds between live fetches (default 900)"},
    {"prediction_confidence", "", 0.5, 0.999, false, "use e.g. 0.9 (the default)"},
    {"rank", "", 0, 1e7, false, "give the process's global rank, 0 for the first"},
    {"local_rank", "", 0, 1e5, false, "give the process's rank on its node, 0 for the first"},
    {"world_size", "", 1, 1e7, false, "give the number of processes in the job"},
    {"job_wait_s", "s", 0, 3600, false, "give the seconds rank 0 waits for the other ranks (default 30)"},
    // `monitor --duration`: 0 means "until Ctrl-C".
    {"monitor_duration_s", "s", 0, kMaxDurationS, false, "give the seconds to monitor, or 0 for until Ctrl-C"},
}};

// A value as given (shortest round-trip text); a limit in its short form (1e+09, 0.01).
std::string number_text(double v) { return fmt::format("{}", v); }
std::string limit_text(double v) { return fmt::format("{:g}", v); }

std::string with_unit(double v, std::string_view unit) {
  return unit.empty() ? limit_text(v) : fmt::format("{} {}", limit_text(v), unit);
}

}  // namespace

const NumberBounds* number_bounds(std::string_view key) noexcept {
  for (const auto& b : kBounds) {
    if (b.key == key) return &b;
  }
  return nullptr;
}

std::string range_text(const NumberBounds& b) {
  if (b.min_open) return fmt::format("greater than {} and at most {}", limit_text(b.min), with_unit(b.max, b.unit));
  return fmt::format("between {} and {}", limit_text(b.min), with_unit(b.max, b.unit));
}

std::optional<Problem> number_problem(std::string_view key, double value) {
  const NumberBounds* b = number_bounds(key);
  if (!b) return std::nullopt;
  const bool ok = std::isfinite(value) && (b->min_open ? value > b->min : value >= b->min) && value <= b->max;
  if (!ok) {
    return Problem{fmt::format("must be {}, got {}", range_text(*b), number_text(value)),
                   fmt::format("{} (see docs/configuration.md#bounds)", b->fix)};
  }
  if (key == "monitor_epochs" && value == 0) return Problem{"cannot be 0", "use -1 to monitor all epochs, or a positive number"};
  return std::nullopt;
}

std::optional<Problem> text_problem(std::string_view key, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) {
    return Problem{"contains a NUL character, which would cut the value short", fmt::format("give {} without \\0", key)};
  }
  if (key == "log_file_prefix") {
    if (value.find('/') != std::string_view::npos || value.find("..") != std::string_view::npos) {
      return Problem{"must not contain '/' or \"..\", which would put the logs outside log_dir",
                     "give a plain file-name prefix such as \"resnet\", and choose the directory with log_dir"};
    }
    if (value.size() > kMaxLogPrefixChars) {
      return Problem{fmt::format("is {} characters long; at most {} fit in a file name", value.size(), kMaxLogPrefixChars),
                     "give a shorter prefix"};
    }
  }
  return std::nullopt;
}

Status check_number(std::string_view key, double value, std::string_view origin) {
  auto p = number_problem(key, value);
  if (!p) return Status::ok();
  return {StatusCode::invalid_argument, fmt::format("{} ({}): {}", key, origin, p->problem), p->fix};
}

Status check_text(std::string_view key, std::string_view value, std::string_view origin) {
  auto p = text_problem(key, value);
  if (!p) return Status::ok();
  return {StatusCode::invalid_argument, fmt::format("{} ({}): {}", key, origin, p->problem), p->fix};
}

}  // namespace carbontracker::tracker
