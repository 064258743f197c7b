#include "report/formats.hpp"

#include <cmath>

#include <fmt/format.h>

namespace carbontracker::report {
namespace {

constexpr double kCarGramsPerKm = 106.8;  // EEA 2024, as the tracker's report

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

nlohmann::json maybe(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string paper_statement(const TotalFigures& t, bool latex) {
  const double kg = t.co2eq_g / 1000.0;
  const double km = t.co2eq_g / kCarGramsPerKm;
  std::string s;
  if (t.runs > 0 && t.runs_without_co2 == t.runs) {
    return fmt::format(
        "The training of models in this work is estimated to use {:.4g} kWh of electricity; its CO2eq is unknown "
        "(the logs hold no carbon intensity). Measured by carbontracker{}",
        t.energy_kwh, latex ? "~\\cite{anthony2020carbontracker}." : " (https://github.com/saintslab/carbontracker).");
  }
  if (latex) {
    s = fmt::format(
        "The training of models in this work is estimated to use ${:.4g}$\\,kWh of electricity contributing to "
        "${:.4g}$\\,kg of CO$_2$eq. This is equivalent to ${:.4g}$\\,km travelled by car "
        "(106.8\\,g\\,CO$_2$/km, EEA 2024). Measured by carbontracker~\\cite{{anthony2020carbontracker}}.",
        t.energy_kwh, kg, km);
  } else {
    s = fmt::format(
        "The training of models in this work is estimated to use {:.4g} kWh of electricity contributing to {:.4g} "
        "kg of CO2eq. This is equivalent to {:.4g} km travelled by car. Measured by carbontracker "
        "(https://github.com/saintslab/carbontracker).",
        t.energy_kwh, kg, km);
  }
  if (t.runs_predicted > 0) {
    s += fmt::format(" Of this, {:.4g} kWh ({} of {} runs) {} predicted from the first epochs, not measured.",
                     t.predicted_energy_kwh, t.runs_predicted, t.runs, t.runs_predicted == 1 ? "is" : "are");
  }
  if (t.runs_without_co2 > 0) {
    s += fmt::format(" {} run(s) logged no CO2eq and are left out of the CO2eq figure.", t.runs_without_co2);
  }
  if (latex) {
    s += "\n\n% BibTeX:\n% @misc{anthony2020carbontracker,\n%   title={Carbontracker: Tracking and Predicting the "
         "Carbon Footprint of Training Deep Learning Models},\n%   author={Lasse F. Wolff Anthony and Benjamin "
         "Kanding and Raghavendra Selvan},\n%   year={2020}, eprint={2007.03051}, archivePrefix={arXiv}}";
  }
  return s;
}

std::string render_text(const std::vector<RunFigures>& runs, const TotalFigures& t, const std::vector<ReadIssue>& issues,
                        bool latex) {
  std::string out;
  for (const auto& r : runs) {
    out += fmt::format("{}\n  {} epoch(s), {:.1f} s, {:.9f} kWh, {} g CO2eq ({}{})\n", r.file, r.epochs, r.duration_s,
                       r.energy_kwh, std::isfinite(r.co2eq_g) ? fmt::format("{:.6f}", r.co2eq_g) : "unknown", r.basis,
                       r.intensity_source.empty() ? "" : "; intensity: " + r.intensity_source);
    if (r.estimated_share && *r.estimated_share > 0) {
      out += fmt::format("  {:.0f} % of its device energy is estimated, not measured\n", *r.estimated_share * 100);
    }
  }
  out += fmt::format("\nTotal over {} run(s): {:.9f} kWh, {:.6f} g CO2eq ({} actual, {} partial, {} predicted)\n\n",
                     t.runs, t.energy_kwh, t.co2eq_g, t.runs_actual, t.runs_partial, t.runs_predicted);
  out += paper_statement(t, latex) + "\n";
  if (!issues.empty()) {
    out += fmt::format("\n{} problem(s) while reading (skipped, nothing else affected):\n", issues.size());
    for (const auto& i : issues) out += fmt::format("  {}:{}: {}\n", i.file, i.line, i.message);
  }
  return out;
}

nlohmann::json render_json(const std::vector<RunFigures>& runs, const TotalFigures& t,
                           const std::vector<ReadIssue>& issues) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : runs) {
    arr.push_back({{"file", r.file},
                   {"format", r.format},
                   {"epochs", r.epochs},
                   {"duration_s", r.duration_s},
                   {"energy_kwh", r.energy_kwh},
                   {"co2eq_g", maybe(r.co2eq_g)},
                   {"basis", r.basis},
                   {"intensity_g_per_kwh", r.intensity_g_per_kwh ? nlohmann::json(*r.intensity_g_per_kwh) : nullptr},
                   {"intensity_source", r.intensity_source},
                   {"estimated_share", r.estimated_share ? nlohmann::json(*r.estimated_share) : nullptr}});
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& i : issues) problems.push_back({{"file", i.file}, {"line", i.line}, {"message", i.message}});
  return {{"version", kReportFormatVersion},
          {"runs", std::move(arr)},
          {"total",
           {{"energy_kwh", t.energy_kwh},
            {"co2eq_g", t.co2eq_g},
            {"runs", t.runs},
            {"runs_actual", t.runs_actual},
            {"runs_partial", t.runs_partial},
            {"runs_predicted", t.runs_predicted},
            {"runs_without_co2eq", t.runs_without_co2},
            {"predicted_energy_kwh", t.predicted_energy_kwh}}},
          {"statement", paper_statement(t, false)},
          {"issues", std::move(problems)}};
}

std::string render_csv(const std::vector<RunFigures>& runs) {
  std::string out =
      "file,format,epochs,duration_s,energy_kwh,co2eq_g,basis,intensity_g_per_kwh,intensity_source,estimated_share\n";
  for (const auto& r : runs) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(r.file), csv_field(r.format), r.epochs,
                       num(r.duration_s), num(r.energy_kwh), num(r.co2eq_g), r.basis,
                       r.intensity_g_per_kwh ? num(*r.intensity_g_per_kwh) : "", csv_field(r.intensity_source),
                       r.estimated_share ? num(*r.estimated_share) : "");
  }
  return out;
}

}  // namespace carbontracker::report
