#include "exporter/metrics_text.hpp"

#include <cmath>

#include <fmt/format.h>

namespace carbontracker::exporter {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// One metric family being written: HELP and TYPE come with its first sample, so a family whose
// samples are all left out (not finite, not known yet) leaves no trace.
class Family {
 public:
  Family(std::string& out, std::string_view name, std::string_view type, std::string_view help)
      : out_(out), name_(name), type_(type), help_(help) {}

  void sample(const Labels& first, const Labels& rest, double value) {
    if (!std::isfinite(value)) return;
    if (!started_) {
      fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
      started_ = true;
    }
    out_ += name_;
    bool any = false;
    for (const Labels* set : {&first, &rest}) {
      for (const auto& [k, v] : *set) {
        out_ += any ? ',' : '{';
        any = true;
        out_ += k;
        out_ += "=\"";
        out_ += escape_label_value(v);
        out_ += '"';
      }
    }
    if (any) out_ += '}';
    // fmt's "{}" for a double: shortest round-trip form, '.' whatever the locale.
    fmt::format_to(std::back_inserter(out_), " {}\n", value);
  }

 private:
  std::string& out_;
  std::string_view name_, type_, help_;
  bool started_ = false;
};

}  // namespace

std::string render_metrics_text(const MetricsSnapshot& s) {
  std::string out;
  out.reserve(512 + 256 * s.channels.size());
  const Labels none;
  {
    Family f(out, "carbontracker_energy_joules_total", "counter",
             "Device energy per measured channel since the run started, joules (PUE not applied).");
    for (const auto& c : s.channels) {
      f.sample({{"component", c.component}, {"device", c.device}, {"method", c.method}}, s.target, c.energy_j);
    }
  }
  {
    Family f(out, "carbontracker_power_watts", "gauge", "Mean device power per channel over the last interval, watts.");
    for (const auto& c : s.channels) {
      if (c.power_w) f.sample({{"component", c.component}, {"device", c.device}, {"method", c.method}}, s.target, *c.power_w);
    }
  }
  if (s.co2eq_g) {
    Family f(out, "carbontracker_co2eq_grams_total", "counter",
             "CO2-equivalent emissions of the facility energy (device energy x PUE) since the run started, grams.");
    f.sample(s.target, none, *s.co2eq_g);
  }
  if (s.intensity) {
    Family f(out, "carbontracker_intensity_grams_per_kwh", "gauge",
             "Carbon intensity in force, grams CO2eq per kWh; basis says where it comes from.");
    f.sample(s.target, {{"basis", s.intensity->basis}}, s.intensity->g_per_kwh);
  }
  if (s.epochs) {
    Family f(out, "carbontracker_epochs_total", "counter", "Epochs completed.");
    f.sample(s.target, none, static_cast<double>(*s.epochs));
  }
  if (s.prediction) {
    Family f(out, "carbontracker_predicted_energy_joules", "gauge",
             "Predicted facility energy of the whole run (point and interval bounds), joules.");
    f.sample({{"bound", "point"}}, s.target, s.prediction->energy_j);
    f.sample({{"bound", "low"}}, s.target, s.prediction->energy_j_low);
    f.sample({{"bound", "high"}}, s.target, s.prediction->energy_j_high);
  }
  {
    Family f(out, "carbontracker_info", "gauge", "Constant 1; the labels describe the exporter (version, mode, launcher).");
    f.sample(s.info, s.target, 1.0);
  }
  return out;
}

}  // namespace carbontracker::exporter
