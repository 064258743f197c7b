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

// "; intensity: assumed, world average ..." — the kind first, so an assumed value is never shown
// as if it were the run's own grid.
std::string intensity_label(const RunFigures& r) {
  if (r.intensity_source.empty() && r.intensity_kind.empty()) return "";
  if (r.intensity_kind.empty()) return "; intensity: " + r.intensity_source;
  if (r.intensity_source.empty()) return "; intensity: " + r.intensity_kind;
  return "; intensity: " + r.intensity_kind + ", " + r.intensity_source;
}

std::string num(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

nlohmann::json maybe(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string paper_statement(const TotalFigures& t, bool latex) {
  const double kg = t.co2eq_g / 1000.0;
  const double km = t.co2eq_g / kCarGramsPerKm;
  std::string s;
  const bool no_co2 = t.runs > 0 && t.runs_without_co2 == t.runs;
  if (no_co2) {
    s = fmt::format(
        "The training of models in this work is estimated to use {:.4g} kWh of electricity; its CO2eq is unknown "
        "(the logs hold no carbon intensity). Measured by carbontracker{}",
        t.energy_kwh, latex ? "~\\cite{anthony2020carbontracker}." : " (https://github.com/saintslab/carbontracker).");
  } else if (latex) {
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
    s += fmt::format(" Of this, {:.4g} kWh ({} of {} runs) {} predicted from the first epochs, not measured",
                     t.predicted_energy_kwh, t.runs_predicted, t.runs, t.runs_predicted == 1 ? "is" : "are");
    if (t.runs_predicted_partly_measured > 0) {
      s += fmt::format(
          "; {} of these runs monitored only their first epoch(s) (monitor_epochs, 1 by default in the Python "
          "carbontracker before 2.0) while training went on, and measured {:.4g} kWh of it",
          t.runs_predicted_partly_measured, t.measured_part_energy_kwh);
    }
    s += ".";
  }
  if (t.runs_without_co2 > 0 && !no_co2) {
    s += fmt::format(" {} run(s) logged no CO2eq and are left out of the CO2eq figure.", t.runs_without_co2);
  }
  if (t.runs_damaged > 0) {
    s += fmt::format(
        " {} run(s) with a damaged energy figure (not a number, negative or missing) are left out of these "
        "figures.",
        t.runs_damaged);
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
    if (r.basis == RunBasis::damaged || r.basis == RunBasis::none) {
      out += fmt::format("{}\n  left out of the totals: {}\n", r.file,
                         r.damage ? fmt::format("damaged value at {}:{}: {}", r.damage->file, r.damage->line,
                                                r.damage->message)
                                  : std::string("no energy figure in this log"));
      continue;
    }
    out += fmt::format("{}\n  {} epoch(s), {:.1f} s, {:.9f} kWh, {} g CO2eq ({}{})\n", r.file, r.epochs, r.duration_s,
                       r.energy_kwh, std::isfinite(r.co2eq_g) ? fmt::format("{:.6f}", r.co2eq_g) : "unknown",
                       to_string(r.basis), intensity_label(r));
    if (r.pue && *r.pue != 1.0 && std::isfinite(r.energy_kwh)) {
      out += fmt::format("  facility energy (device energy x PUE {}, an estimate); device energy {:.9f} kWh\n", *r.pue,
                         r.energy_kwh / *r.pue);
    }
    if (!r.basis_note.empty()) out += "  " + r.basis_note + "\n";
    if (r.measured) {
      out += fmt::format("  measured part: {} epoch(s), {:.1f} s, {} kWh, {} g CO2eq\n",
                         r.measured->epochs ? std::to_string(*r.measured->epochs) : "?", r.measured->duration_s,
                         std::isfinite(r.measured->energy_kwh) ? fmt::format("{:.9f}", r.measured->energy_kwh)
                                                               : "unknown",
                         std::isfinite(r.measured->co2eq_g) ? fmt::format("{:.6f}", r.measured->co2eq_g) : "unknown");
    }
    if (r.estimated_share && *r.estimated_share > 0) {
      out += fmt::format("  {:.0f} % of its device energy is estimated, not measured\n", *r.estimated_share * 100);
    }
  }
  out += fmt::format("\nTotal over {} run(s): {:.9f} kWh, {:.6f} g CO2eq ({} actual, {} partial, {} predicted",
                     t.runs, t.energy_kwh, t.co2eq_g, t.runs_actual, t.runs_partial, t.runs_predicted);
  if (t.runs_predicted_partly_measured > 0) {
    out += fmt::format(", {} of them with a measured part of {:.9f} kWh", t.runs_predicted_partly_measured,
                       t.measured_part_energy_kwh);
  }
  out += ")";
  if (t.runs_damaged > 0) out += fmt::format("; {} damaged run(s) left out", t.runs_damaged);
  out += "\n\n";
  if (t.runs > 0) {
    out += paper_statement(t, latex) + "\n";
  } else {
    out += "No statement: no run has a usable energy figure.\n";
  }
  if (!issues.empty()) {
    out += fmt::format("\n{} problem(s) while reading (a damaged value leaves its run out of the totals; other lines "
                       "were skipped):\n",
                       issues.size());
    for (const auto& i : issues) out += fmt::format("  {}:{}: {}\n", i.file, i.line, i.message);
  }
  return out;
}

nlohmann::json render_json(const std::vector<RunFigures>& runs, const TotalFigures& t,
                           const std::vector<ReadIssue>& issues) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : runs) {
    nlohmann::json measured = nullptr, damage = nullptr;
    if (r.measured) {
      measured = {{"epochs", r.measured->epochs ? nlohmann::json(*r.measured->epochs) : nullptr},
                  {"duration_s", maybe(r.measured->duration_s)},
                  {"energy_kwh", maybe(r.measured->energy_kwh)},
                  {"co2eq_g", maybe(r.measured->co2eq_g)}};
    }
    if (r.damage) damage = {{"file", r.damage->file}, {"line", r.damage->line}, {"message", r.damage->message}};
    arr.push_back({{"file", r.file},
                   {"format", r.format},
                   {"epochs", r.epochs},
                   {"duration_s", maybe(r.duration_s)},
                   {"energy_kwh", maybe(r.energy_kwh)},
                   {"pue", r.pue ? nlohmann::json(*r.pue) : nullptr},
                   {"device_energy_kwh", r.pue ? maybe(r.energy_kwh / *r.pue) : nullptr},
                   {"co2eq_g", maybe(r.co2eq_g)},
                   {"basis", std::string(to_string(r.basis))},
                   {"basis_note", r.basis_note},
                   {"measured", std::move(measured)},
                   {"damage", std::move(damage)},
                   {"intensity_g_per_kwh", r.intensity_g_per_kwh ? nlohmann::json(*r.intensity_g_per_kwh) : nullptr},
                   {"intensity_source", r.intensity_source},
                   {"intensity_kind", r.intensity_kind},
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
            {"predicted_energy_kwh", t.predicted_energy_kwh},
            {"runs_predicted_partly_measured", t.runs_predicted_partly_measured},
            {"measured_part_energy_kwh", t.measured_part_energy_kwh},
            {"runs_damaged", t.runs_damaged}}},
          {"statement", t.runs > 0 ? nlohmann::json(paper_statement(t, false)) : nlohmann::json(nullptr)},
          {"issues", std::move(problems)}};
}

std::string render_csv(const std::vector<RunFigures>& runs) {
  std::string out =
      "file,format,epochs,duration_s,energy_kwh,co2eq_g,basis,intensity_g_per_kwh,intensity_source,estimated_share,"
      "basis_note,measured_epochs,measured_duration_s,measured_energy_kwh,measured_co2eq_g,damage\n";
  for (const auto& r : runs) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}", csv_field(r.file), csv_field(r.format), r.epochs,
                       num(r.duration_s), num(r.energy_kwh), num(r.co2eq_g), to_string(r.basis),
                       r.intensity_g_per_kwh ? num(*r.intensity_g_per_kwh) : "", csv_field(r.intensity_source),
                       r.estimated_share ? num(*r.estimated_share) : "");
    std::string damage;
    if (r.damage) damage = fmt::format("{}:{}: {}", r.damage->file, r.damage->line, r.damage->message);
    out += fmt::format(",{},{},{},{},{},{}\n", csv_field(r.basis_note),
                       r.measured && r.measured->epochs ? std::to_string(*r.measured->epochs) : "",
                       r.measured ? num(r.measured->duration_s) : "", r.measured ? num(r.measured->energy_kwh) : "",
                       r.measured ? num(r.measured->co2eq_g) : "", csv_field(damage));
  }
  return out;
}

}  // namespace carbontracker::report
