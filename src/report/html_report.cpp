#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "intensity/tables.hpp"
#include "report/aggregate.hpp"
#include "report/formats.hpp"
#include "report/html_parts.hpp"
#include "report/html_style.hpp"
#include "report/jobs.hpp"

namespace carbontracker::report {
namespace {

using namespace html;

// Nothing usable in the log (or only damaged values): its placeholders are never shown as figures.
bool none(const RunFigures& f) { return f.basis == RunBasis::none || f.basis == RunBasis::damaged; }

std::string damage_text(const RunFigures& f) {
  if (!f.damage) return kNotInLog;
  return "<span class=\"na damage\">left out of the totals: damaged value at " +
         escape_html(fmt::format("{}:{}: {}", f.damage->file, f.damage->line, f.damage->message)) + "</span>";
}

std::string utc_text(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string devices_section(const RunData& r) {
  std::string out = "<div class=\"table-box\"><h3>Devices</h3>";
  if (!r.channels.empty()) {
    std::vector<double> energy(r.channels.size(), std::nan(""));
    if (r.power.size() >= 2) {
      const auto& a = r.power.front().energy_j;
      const auto& b = r.power.back().energy_j;
      for (std::size_t i = 0; i < energy.size() && i < a.size() && i < b.size(); ++i)
        if (b[i] >= a[i]) energy[i] = b[i] - a[i];
    }
    out +=
        "<table class=\"devices\"><thead><tr><th>component</th><th>device</th><th>method</th><th>source</th>"
        "<th>energy, first to last power record</th></tr></thead><tbody>";
    for (std::size_t i = 0; i < r.channels.size(); ++i) {
      const auto& c = r.channels[i];
      out += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                         is_estimate(c.method) ? " class=\"estimated\"" : "", escape_html(c.component),
                         escape_html(c.name), escape_html(c.method) + (is_estimate(c.method) ? " (not measured)" : ""),
                         escape_html(c.source),
                         std::isfinite(energy[i]) ? energy_text(energy[i])
                         : r.power.size() < 2     ? "<span class=\"na\">no power records</span>"
                                                  : "<span class=\"na\">not measured</span>");
    }
    out += "</tbody></table>";
  } else if (!r.devices.empty()) {
    out +=
        "<table class=\"devices\"><thead><tr><th>component</th><th>devices (as logged)</th><th>method</th>"
        "</tr></thead><tbody>";
    for (const auto& [comp, labels] : r.devices) {
      std::string joined;
      for (const auto& l : labels) joined += (joined.empty() ? "" : ", ") + l;
      out +=
          fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape_html(comp), escape_html(joined), kNotInLog);
    }
    out += "</tbody></table>";
  } else {
    out += "<p class=\"why-not\">The log names no devices.</p>";
  }
  if (r.measured_energy_j || r.estimated_energy_j) {
    const double m = r.measured_energy_j.value_or(0), e = r.estimated_energy_j.value_or(0);
    const double total = m + e;
    auto share = [&](double v) {
      return total > 0 ? fmt::format(" ({} %)", format_sig(100 * v / total, 3)) : std::string();
    };
    // A zero here is a fact about the channels ("no channel measured"), said in words, not "0 Wh".
    const std::string measured = !r.measured_energy_j ? "<span class=\"na\">not in this log</span>"
                                 : m > 0              ? energy_text(m) + share(m)
                                                      : "<span class=\"na\">nothing (no channel is measured)</span>";
    const std::string estimated = !r.estimated_energy_j ? "<span class=\"na\">not in this log</span>"
                                  : e > 0               ? energy_text(e) + share(e)
                                                        : "nothing (every channel is measured)";
    out += fmt::format(
        "<p class=\"split\">Device energy of the finished epochs: measured {}; estimated or simulated {}.</p>",
        measured, estimated);
  } else {
    out +=
        "<p class=\"split\">Measured vs estimated energy: <span class=\"na\">not in this log</span> (text logs do not "
        "split it).</p>";
  }
  return out + "</div>\n";
}

std::string what_if_section(const RunData& r, const RunFigures& fig, const HtmlOptions& o) {
  std::string out = "<div class=\"table-box\"><h3>What if: the same energy elsewhere</h3>";
  if (fig.basis == RunBasis::none || !(fig.energy_kwh > 0)) return out + why_not("No energy figure in this log.") + "</div>\n";
  const bool facility = r.pue || fig.basis != RunBasis::partial;
  out += fmt::format(
      "<p>The run's {}, {} ({}), at the yearly average intensity of other countries "
      "(Ember via Our World in Data, latest year per country). This run: {}.</p>",
      facility ? "facility energy" : "device energy (the log gives no PUE)", kwh_text(fig.energy_kwh),
      escape_html(fig.basis == RunBasis::actual    ? "actual"
                  : fig.basis == RunBasis::partial ? "finished epochs of an unfinished run"
                                           : "predicted, not measured"),
      std::isfinite(fig.co2eq_g)
          ? mass_text(fig.co2eq_g) +
                (fig.intensity_g_per_kwh ? fmt::format(" at {} g/kWh", format_sig(*fig.intensity_g_per_kwh, 3)) : "")
          : kNotInLog);
  out +=
      "<table class=\"what-if\"><thead><tr><th>country</th><th>year</th><th>gCO2eq/kWh</th><th>CO2eq</th>"
      "<th>why listed</th></tr></thead><tbody>";
  const std::vector<WhatIfRow> rows = what_if_countries(fig.energy_kwh);
  const Unit u = mass_unit(rows.empty() ? 0 : rows.back().co2eq_g);  // one unit: the column compares
  for (const auto& w : rows) {
    out += fmt::format(
        "<tr data-code=\"{}\"><td>{} ({})</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td>{}</td></tr>",
        escape_html(w.code), escape_html(w.entity), escape_html(w.code), w.year, format_sig(w.g_per_kwh, 3),
        with_unit(w.co2eq_g, u) + " CO2eq", escape_html(w.why));
  }
  out += "</tbody></table>";
  // The history from the options (a caller that fetched one), else the one the run logged.
  const intensity::IntensitySeries from_log = logged_intensity_series(r);
  auto hist = o.intensity_history.find(r.file);
  const intensity::IntensitySeries* series =
      hist != o.intensity_history.end() ? &hist->second : (from_log.empty() ? nullptr : &from_log);
  if (!series || series->empty()) {
    out +=
        "<p class=\"why-not no-hourly\">Other hours of the day: no hourly data (the log holds one intensity "
        "per run or per epoch, not a history).</p>";
  } else {
    const auto means = hourly_means(*series);
    out +=
        "<table class=\"what-if-hours\"><thead><tr><th>hour (UTC)</th><th>mean gCO2eq/kWh</th><th>CO2eq</th>"
        "</tr></thead><tbody>";
    for (std::size_t h = 0; h < means.size(); ++h) {
      out += fmt::format("<tr><td>{:02}:00</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>", h,
                         means[h] ? format_sig(*means[h], 3) : "<span class=\"na\">no data</span>",
                         means[h] ? mass_text(fig.energy_kwh * *means[h]) : "<span class=\"na\">no data</span>");
    }
    out += "</tbody></table><p class=\"note\">The whole run's energy at each hour's mean intensity in the history.</p>";
  }
  return out + "</div>\n";
}

}  // namespace

namespace html {

std::vector<std::pair<std::string, std::string>> run_facts(const RunData& r, const RunFigures& fig) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string status = r.finished ? "finished" : r.early_stop ? "stopped early (monitor_epochs)" : "did not finish";
  if (r.stopped_by_budget) status = "stopped by the budget";
  auto fact = [&](const std::string& k, const std::string& v) { out.emplace_back(k, v); };
  fact("file", escape_html(r.file) + (r.std_file.empty() ? "" : "<br>" + escape_html(r.std_file)));
  fact("format", escape_html(r.format) + (r.version.empty() ? "" : " (" + escape_html(r.version) + ")"));
  fact("status", escape_html(status));
  fact("epochs", fmt::format("{}", fig.epochs));
  fact("duration", none(fig) ? kNotInLog : duration_text(fig.duration_s));
  fact("basis", escape_html(to_string(fig.basis)) + (fig.basis_note.empty() ? "" : ": " + escape_html(fig.basis_note)));
  if (none(fig)) {
    fact("energy", fig.basis == RunBasis::damaged ? damage_text(fig) : kNotInLog);
  } else if (r.pue || fig.basis != RunBasis::partial) {
    fact("facility energy",
         kwh_text(fig.energy_kwh) +
             fmt::format(" <span class=\"basis\">({})</span>", escape_html(to_string(fig.basis))));
  } else {
    fact("energy",
         kwh_text(fig.energy_kwh) + " <span class=\"basis\">(partial; device energy: the log gives no PUE)</span>");
  }
  fact("CO2eq", mass_text(fig.co2eq_g));
  if (fig.measured) {
    fact("measured part",
         fmt::format("{} epoch(s), {}, {}, {} (before monitoring ended)",
                     fig.measured->epochs ? std::to_string(*fig.measured->epochs) : "?",
                     duration_text(fig.measured->duration_s), kwh_text(fig.measured->energy_kwh),
                     mass_text(fig.measured->co2eq_g)));
  }
  fact("PUE", r.pue ? format_sig(*r.pue, 3) : kNotInLog);
  if (r.whole_run_energy_kwh)
    fact("whole run", kwh_text(*r.whole_run_energy_kwh) + ", " +
                          duration_text(r.whole_run_duration_s.value_or(std::nan(""))) +
                          " (including time outside epochs)");
  return out;
}

std::vector<std::string> run_notes(const RunData& r, const RunFigures& fig) {
  std::vector<std::string> out;
  if (fig.basis == RunBasis::predicted && fig.measured)
    out.emplace_back(
        "Monitoring ended before training did (monitor_epochs): its figures are the printed prediction for the whole "
        "training, not a measurement; the measured part is shown beside it.");
  else if (fig.basis == RunBasis::predicted)
    out.emplace_back("This run logged no finished epoch: its figures are the printed prediction, not a measurement.");
  out.insert(out.end(), r.warnings.begin(), r.warnings.end());
  return out;
}

}  // namespace html

namespace {

std::string run_section(const RunData& r, std::size_t n, const HtmlOptions& o) {
  const RunFigures fig = figures_for(r);
  const std::string id = fmt::format("run-{}", n);
  const std::string name = r.stem.empty() ? r.file : r.stem;
  std::string out = fmt::format("<section class=\"run\" id=\"{}\"><h2>Run {}: {}</h2>\n", id, n, escape_html(name));
  out += "<dl class=\"facts\">";
  for (const auto& [k, v] : run_facts(r, fig)) out += fmt::format("<dt>{}</dt><dd>{}</dd>", k, v);
  out += "</dl>\n";
  for (const auto& w : run_notes(r, fig)) out += "<p class=\"warning\">" + escape_html(w) + "</p>";
  out += "<div class=\"charts\">";
  for (const ChartFigure& c :
       {power_chart(r, id), epoch_energy_chart(r, id), co2_chart(r, id), intensity_chart(r, id)})
    out += figure_html(c);
  out += "</div>";
  out += devices_section(r) + what_if_section(r, fig, o);
  return out + "</section>\n";
}

std::string summary_section(const std::vector<RunData>& runs) {
  std::vector<RunFigures> figs;
  for (const auto& r : runs) figs.push_back(figures_for(r));
  const TotalFigures t = totals_for(figs);
  std::string out = "<section class=\"summary\" id=\"summary\"><h2>Summary of all runs</h2>";
  out +=
      "<table class=\"runs\"><thead><tr><th>run</th><th>basis</th><th>epochs</th><th>duration</th>"
      "<th>facility energy</th><th>CO2eq</th><th>intensity</th><th>estimated share</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < figs.size(); ++i) {
    const auto& f = figs[i];
    out += fmt::format(
        "<tr><td><a href=\"#run-{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
        i + 1, i + 1,
        escape_html(to_string(f.basis)) + (f.measured ? " (first epochs measured)" : "") +
            (f.basis == RunBasis::damaged ? "<br>" + damage_text(f) : ""),
        f.epochs, none(f) ? kNotInLog : duration_text(f.duration_s),
        none(f) ? kNotInLog : kwh_text(f.energy_kwh), mass_text(f.co2eq_g),
        f.intensity_g_per_kwh ? format_sig(*f.intensity_g_per_kwh, 3) + " g/kWh" : kNotInLog,
        f.estimated_share ? format_sig(100 * *f.estimated_share, 3) + " %" : kNotInLog);
  }
  out += fmt::format(
      "</tbody><tfoot><tr><th>total ({} runs)</th><td colspan=\"3\">{} actual, {} partial, {} predicted{}{}</td>"
      "<td class=\"num\">{}</td><td class=\"num\">{}</td><td colspan=\"2\">{}</td></tr></tfoot></table>",
      t.runs, t.runs_actual, t.runs_partial, t.runs_predicted,
      t.runs_predicted_partly_measured > 0
          ? fmt::format(" ({} with the first epochs measured: {})", t.runs_predicted_partly_measured,
                        kwh_text(t.measured_part_energy_kwh))
          : "",
      t.runs_damaged > 0 ? fmt::format("; {} damaged run(s) left out", t.runs_damaged) : "", kwh_text(t.energy_kwh),
      mass_text(t.co2eq_g),
      t.runs_without_co2 > 0 ? fmt::format("{} run(s) without CO2eq left out", t.runs_without_co2) : "");
  out += figure_html(summary_chart(figs));
  if (t.runs > 0) out += "<p class=\"statement\">" + escape_html(paper_statement(t, false)) + "</p>";
  return out + "</section>\n";
}

// Distributed jobs: per job its sums, the ranks (who counted what), missing and unfinished ranks
// named, and the epochs lined up by index. Only when a run was a job's process.
std::string jobs_section(const std::vector<RunData>& runs) {
  std::vector<RunFigures> figs;
  for (const auto& r : runs) figs.push_back(figures_for(r));
  const std::vector<JobFigures> jobs = jobs_for(runs, figs);
  if (jobs.empty()) return "";
  std::string out =
      "<section class=\"jobs\" id=\"jobs\"><h2>Distributed jobs</h2><p>Each device is counted by one process of "
      "its job, so a job's figures are the sums of its processes'. Epochs are lined up by index, never by the hosts' "
      "clocks.</p>";
  for (const JobFigures& job : jobs) {
    const TotalFigures& t = job.total;
    std::string launchers;
    for (const auto& l : job.launchers) launchers += (launchers.empty() ? "" : ", ") + l;
    std::string hosts;
    for (const auto& h : job.hosts) hosts += (hosts.empty() ? "" : ", ") + h;
    out += fmt::format(
        "<h3>Job {}{}</h3><dl class=\"facts\"><dt>logs</dt><dd>{}</dd><dt>hosts</dt><dd>{}</dd><dt>duration</dt>"
        "<dd>{} (the longest rank's{})</dd><dt>facility energy</dt><dd>{}</dd><dt>device energy</dt><dd>{}</dd>"
        "<dt>CO2eq</dt><dd>{}</dd><dt>basis</dt><dd>{} actual, {} partial, {} predicted{}</dd></dl>",
        escape_html(job.job_id.empty() ? "(no id)" : job.job_id),
        launchers.empty() ? "" : " (" + escape_html(launchers) + ")", job.ranks.size(),
        hosts.empty() ? kNotInLog : escape_html(hosts), duration_text(job.duration_s),
        job.attempts.size() > 1 ? ", summed over restarts" : "", kwh_text(t.energy_kwh), kwh_text(t.device_energy_kwh),
        mass_text(t.co2eq_g), t.runs_actual, t.runs_partial, t.runs_predicted,
        t.runs_damaged > 0 ? fmt::format("; {} damaged left out", t.runs_damaged) : "");
    for (const auto& n : job.notes) out += "<p class=\"warning\">" + escape_html(n) + "</p>";
    out +=
        "<table class=\"job-ranks\"><thead><tr><th>restart</th><th>rank</th><th>host</th><th>counts</th><th>basis</th>"
        "<th>epochs</th><th>duration</th><th>facility energy</th><th>CO2eq</th></tr></thead><tbody>";
    for (const JobRank& r : job.ranks) {
      std::string counts;
      if (r.host_measurer) counts = "CPU and DRAM of " + (r.host.empty() ? std::string("its host") : r.host);
      for (const auto& g : r.gpus) counts += (counts.empty() ? "" : ", ") + g;
      out += fmt::format(
          "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
          r.restart, r.rank ? std::to_string(*r.rank) : kNotInLog, escape_html(r.host),
          counts.empty() ? "no host-wide component and no GPU" : escape_html(counts), to_string(r.basis),
          r.finished ? "" : " (did not finish)", r.epochs, duration_text(r.duration_s), kwh_text(r.energy_kwh),
          mass_text(r.co2eq_g));
    }
    out += "</tbody></table>";
    out +=
        "<table class=\"job-epochs\"><thead><tr><th>restart</th><th>epoch</th><th>ranks</th><th>not reported by</th>"
        "<th>longest duration</th><th>facility energy</th><th>CO2eq</th></tr></thead><tbody>";
    for (const JobAttempt& at : job.attempts) {
      for (const JobEpoch& e : at.epochs) {
        out += fmt::format(
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            at.restart, e.index, e.ranks.empty() ? fmt::format("{} log(s)", e.logs) : ranks_text(e.ranks),
            e.ranks_without.empty() ? "" : ranks_text(e.ranks_without), duration_text(e.longest_duration_s),
            kwh_text(e.energy_kwh), mass_text(e.co2eq_g));
      }
    }
    out += "</tbody></table>";
  }
  return out + "</section>\n";
}

}  // namespace

std::string render_html_report(const std::vector<RunData>& runs, const HtmlOptions& o) {
  const auto when = o.generated_at.value_or(std::chrono::system_clock::now());
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"generator\" content=\"carbontracker\"><title>{0}</title><style>{1}</style></head>\n<body><main>"
      "<header><h1>{0}</h1><p class=\"meta\">{2} run(s), generated {3}.</p></header>\n",
      escape_html(o.title), html_style(), runs.size(), utc_text(when));
  if (runs.empty()) out += "<p class=\"why-not\">No carbontracker run was found in the given logs.</p>";
  if (runs.size() > 1) {
    out += "<nav><ul>";
    for (std::size_t i = 0; i < runs.size(); ++i)
      out += fmt::format("<li><a href=\"#run-{}\">Run {}: {}</a></li>", i + 1, i + 1,
                         escape_html(runs[i].stem.empty() ? runs[i].file : runs[i].stem));
    out += "</ul></nav>" + summary_section(runs);
  }
  out += jobs_section(runs);
  for (std::size_t i = 0; i < runs.size(); ++i) out += run_section(runs[i], i + 1, o);
  if (!o.issues.empty()) {
    out += fmt::format("<section class=\"issues\"><h2>Problems while reading ({})</h2><ul>", o.issues.size());
    for (const auto& i : o.issues)
      out += fmt::format("<li>{}:{}: {}</li>", escape_html(i.file), i.line, escape_html(i.message));
    out +=
        "</ul><p>A damaged value leaves its run out of the totals (said in that run's section); other lines were "
        "skipped.</p></section>";
  }
  out += "<footer><p>Data shipped with carbontracker: " + escape_html(intensity::data_attributions()) +
         "</p><p>Made by carbontracker. Estimated, simulated, assumed and predicted values are labelled as such; "
         "\"not in this log\" marks a value the log does not hold.</p></footer></main></body></html>\n";
  return out;
}

}  // namespace carbontracker::report
