// The sections of the PDF report (pdf_report.hpp), in the HTML report's order: the summary of
// several runs, then per run its facts, notes, the four charts, the epochs, the devices and the
// what-if tables; the problems met while reading; the attributions.
#include "report/pdf_report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "intensity/tables.hpp"
#include "report/aggregate.hpp"
#include "report/formats.hpp"
#include "report/html_parts.hpp"
#include "report/jobs.hpp"
#include "report/pdf_layout.hpp"

namespace carbontracker::report {
namespace {

using namespace html;
using pdf::Document;
using pdf::html_to_markup;
using pdf::Table;
using pdf::TextStyle;

constexpr const char* kMuted = "#5f6368";
const TextStyle kNote{.size_pt = 8, .colour = kMuted};
const TextStyle kWarning{.size_pt = 8.5, .colour = "#8a4b00", .boxed = true};
const TextStyle kWhyNot{.size_pt = 8.5, .colour = kMuted, .boxed = true};

bool none(const RunFigures& f) { return f.basis == RunBasis::none || f.basis == RunBasis::damaged; }

// A value the log does not hold, in the HTML report's grey italics.
std::string na(const std::string& text) {
  return fmt::format("<span style=\"italic\" foreground=\"{}\">{}</span>", kMuted, escape_html(text));
}
std::string mk(const std::string& html_fragment) { return html_to_markup(html_fragment); }

std::string utc_text(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void chart(Document& d, const ChartFigure& c) {
  // The heading stays with its chart (its height at the text width, plus a caption line).
  d.heading(escape_html(c.heading), 3, c.svg.empty() ? 40 : d.text_width() * 320 / 900 + 20);
  if (c.svg.empty()) {
    d.paragraph(escape_html(c.why_not), kWhyNot);
  } else {
    d.svg(c.svg);
    if (!c.caption.empty()) d.paragraph(mk(c.caption), kNote);
  }
  d.space(6);
}

// Every epoch as a row: what the epoch chart shows as bars, with its numbers.
void epochs_section(Document& d, const RunData& r) {
  d.heading("Epochs", 3);
  if (r.epochs.empty()) {
    d.paragraph("The log holds no finished epoch.", kWhyNot);
    return;
  }
  const bool text_log = is_text_log(r);
  d.paragraph(text_log ? "Text logs give each epoch's average power per component: its energy is that power x the "
                         "epoch's duration; they do not say which part was measured."
                       : "Energy from the counters read at each epoch's start and end; tinted rows hold estimated or "
                         "simulated energy, not measured.",
              kNote);
  Table t;
  t.head = {"epoch",
            "duration",
            r.pue ? "facility energy" : "energy (the log gives no PUE)",
            "device energy",
            "of which estimated or simulated",
            "CO2eq",
            "g/kWh",
            "how"};
  t.widths = {0.08, 0.11, 0.13, 0.12, 0.14, 0.14, 0.1, 0.18};
  t.numeric = {true, true, true, true, true, true, true, false};
  double sum_s = 0, sum_fac = 0, sum_dev = 0, sum_est = 0, sum_g = 0;
  int not_counted = 0;
  bool all_co2 = true;
  for (const auto& e : r.epochs) {
    const std::optional<double> fac = epoch_facility_energy_j(r, e);
    const double dev = e.damaged ? std::nan("") : epoch_device_energy_j(e).value_or(std::nan(""));
    std::string how = text_log ? "logged (average power x duration)" : "measured";
    if (!text_log && e.estimated_energy_j && *e.estimated_energy_j > 0)
      how = std::isfinite(dev) && *e.estimated_energy_j >= dev ? "estimated or simulated, not measured"
                                                               : "measured, part estimated or simulated";
    if (!e.complete) how = "incomplete epoch";
    if (e.damaged)
      how = fmt::format("not counted: damaged value at {}:{}: {}", e.damaged->file, e.damaged->line,
                        e.damaged->message);
    t.rows.push_back({fmt::format("{}", e.index), mk(duration_text(e.duration_s)),
                      fac ? mk(energy_text(*fac)) : na(e.damaged ? "unknown (damaged)" : "not in this log"),
                      std::isfinite(dev) ? mk(energy_text(dev)) : na("not in this log"),
                      e.estimated_energy_j ? mk(energy_text(*e.estimated_energy_j)) : na("not in this log"),
                      e.co2eq_g ? mk(mass_text(*e.co2eq_g)) : na("not in this log"),
                      e.intensity_g_per_kwh ? format_sig(*e.intensity_g_per_kwh, 3) : na("not in this log"),
                      escape_html(how)});
    t.shaded.push_back(e.estimated_energy_j && *e.estimated_energy_j > 0);
    if (std::isfinite(e.duration_s) && e.duration_s >= 0) sum_s += e.duration_s;
    if (fac) {
      sum_fac += *fac;
    } else {
      ++not_counted;
    }
    if (std::isfinite(dev)) sum_dev += dev;
    if (e.estimated_energy_j) sum_est += *e.estimated_energy_j;
    if (e.co2eq_g) sum_g += *e.co2eq_g;
    all_co2 = all_co2 && e.co2eq_g.has_value();
  }
  t.foot = {"all",
            mk(duration_text(sum_s)),
            mk(energy_text(sum_fac)) + (not_counted ? fmt::format(" ({} not counted)", not_counted) : ""),
            mk(energy_text(sum_dev)),
            text_log ? na("not in this log") : mk(energy_text(sum_est)),
            all_co2 ? mk(mass_text(sum_g)) : na("not in this log"),
            "",
            fmt::format("{} epoch(s)", r.epochs.size())};
  d.table(t);
}

void devices_section(Document& d, const RunData& r) {
  d.heading("Devices", 3);
  if (!r.channels.empty()) {
    std::vector<double> energy(r.channels.size(), std::nan(""));
    if (r.power.size() >= 2) {
      const auto& a = r.power.front().energy_j;
      const auto& b = r.power.back().energy_j;
      for (std::size_t i = 0; i < energy.size() && i < a.size() && i < b.size(); ++i)
        if (b[i] >= a[i]) energy[i] = b[i] - a[i];
    }
    Table t;
    t.head = {"component", "device", "method", "source", "energy, first to last power record"};
    t.widths = {0.15, 0.26, 0.2, 0.19, 0.2};
    t.numeric = {false, false, false, false, true};
    for (std::size_t i = 0; i < r.channels.size(); ++i) {
      const auto& c = r.channels[i];
      t.rows.push_back({escape_html(c.component), escape_html(c.name),
                        escape_html(c.method) + (is_estimate(c.method) ? " (not measured)" : ""), escape_html(c.source),
                        std::isfinite(energy[i]) ? mk(energy_text(energy[i]))
                        : r.power.size() < 2     ? na("no power records")
                                                 : na("not measured")});
      t.shaded.push_back(is_estimate(c.method));
    }
    d.table(t);
  } else if (!r.devices.empty()) {
    Table t;
    t.head = {"component", "devices (as logged)", "method"};
    t.widths = {0.15, 0.6, 0.25};
    for (const auto& [comp, labels] : r.devices) {
      std::string joined;
      for (const auto& l : labels) joined += (joined.empty() ? "" : ", ") + l;
      t.rows.push_back({escape_html(comp), escape_html(joined), na("not in this log")});
    }
    d.table(t);
  } else {
    d.paragraph("The log names no devices.", kWhyNot);
  }
  if (r.measured_energy_j || r.estimated_energy_j) {
    const double m = r.measured_energy_j.value_or(0), e = r.estimated_energy_j.value_or(0);
    const double total = m + e;
    auto share = [&](double v) {
      return total > 0 ? fmt::format(" ({} %)", format_sig(100 * v / total, 3)) : std::string();
    };
    const std::string measured = !r.measured_energy_j ? na("not in this log")
                                 : m > 0              ? mk(energy_text(m)) + share(m)
                                                      : na("nothing (no channel is measured)");
    const std::string estimated = !r.estimated_energy_j ? na("not in this log")
                                  : e > 0               ? mk(energy_text(e)) + share(e)
                                                        : "nothing (every channel is measured)";
    d.paragraph(fmt::format("Device energy of the finished epochs: measured {}; estimated or simulated {}.", measured,
                            estimated));
  } else {
    d.paragraph("Measured vs estimated energy: " + na("not in this log") + " (text logs do not split it).");
  }
}

void what_if_section(Document& d, const RunData& r, const RunFigures& fig, const HtmlOptions& o) {
  d.heading("What if: the same energy elsewhere", 3);
  if (fig.basis == RunBasis::none || !(fig.energy_kwh > 0)) {
    d.paragraph("No energy figure in this log.", kWhyNot);
    return;
  }
  const bool facility = r.pue || fig.basis != RunBasis::partial;
  d.paragraph(fmt::format(
      "The run's {}, {} ({}), at the yearly average intensity of other countries (Ember via Our World in Data, "
      "latest year per country). This run: {}.",
      facility ? "facility energy" : "device energy (the log gives no PUE)", mk(kwh_text(fig.energy_kwh)),
      fig.basis == RunBasis::actual    ? "actual"
      : fig.basis == RunBasis::partial ? "finished epochs of an unfinished run"
                               : "predicted, not measured",
      std::isfinite(fig.co2eq_g)
          ? mk(mass_text(fig.co2eq_g)) +
                (fig.intensity_g_per_kwh ? fmt::format(" at {} g/kWh", format_sig(*fig.intensity_g_per_kwh, 3)) : "")
          : na("not in this log")));
  Table t;
  t.head = {"country", "year", "gCO2eq/kWh", "CO2eq", "why listed"};
  t.widths = {0.3, 0.08, 0.14, 0.18, 0.3};
  t.numeric = {false, true, true, true, false};
  const std::vector<WhatIfRow> rows = what_if_countries(fig.energy_kwh);
  const Unit u = mass_unit(rows.empty() ? 0 : rows.back().co2eq_g);  // one unit: the column compares
  for (const auto& w : rows)
    t.rows.push_back({fmt::format("{} ({})", escape_html(w.entity), escape_html(w.code)), fmt::format("{}", w.year),
                      format_sig(w.g_per_kwh, 3), with_unit(w.co2eq_g, u) + " CO2eq", escape_html(w.why)});
  d.table(t);
  // The history from the options (a caller that fetched one), else the one the run logged.
  const auto hist = o.intensity_history.find(r.file);
  const intensity::IntensitySeries series = hist != o.intensity_history.end() ? hist->second : logged_intensity_series(r);
  if (series.empty()) {
    d.paragraph(
        "Other hours of the day: no hourly data (the log holds one intensity per run or per epoch, not a history).",
        kWhyNot);
    return;
  }
  const auto means = hourly_means(series);
  Table h;
  h.head = {"hour (UTC)", "mean gCO2eq/kWh", "CO2eq"};
  h.widths = {0.3, 0.35, 0.35};
  h.numeric = {false, true, true};
  for (std::size_t i = 0; i < means.size(); ++i)
    h.rows.push_back({fmt::format("{:02}:00", i), means[i] ? format_sig(*means[i], 3) : na("no data"),
                      means[i] ? mk(mass_text(fig.energy_kwh * *means[i])) : na("no data")});
  d.table(h);
  d.paragraph("The whole run's energy at each hour's mean intensity in the history.", kNote);
}

void run_section(Document& d, const RunData& r, std::size_t n, const HtmlOptions& o) {
  const RunFigures fig = figures_for(r);
  const std::string id = fmt::format("run-{}", n);
  d.heading(fmt::format("Run {}: {}", n, escape_html(r.stem.empty() ? r.file : r.stem)), 2);
  std::vector<std::pair<std::string, std::string>> facts;
  for (const auto& [k, v] : run_facts(r, fig)) facts.emplace_back(escape_html(k), mk(v));
  d.facts(facts);
  for (const auto& w : run_notes(r, fig)) d.paragraph(escape_html(w), kWarning);
  for (const ChartFigure& c :
       {power_chart(r, id), epoch_energy_chart(r, id), co2_chart(r, id), intensity_chart(r, id)})
    chart(d, c);
  epochs_section(d, r);
  devices_section(d, r);
  what_if_section(d, r, fig, o);
}

void summary_section(Document& d, const std::vector<RunData>& runs) {
  std::vector<RunFigures> figs;
  for (const auto& r : runs) figs.push_back(figures_for(r));
  const TotalFigures t = totals_for(figs);
  d.heading("Summary of all runs", 2);
  Table tab;
  tab.head = {"run", "basis", "epochs", "duration", "facility energy", "CO2eq", "intensity", "estimated share"};
  tab.widths = {0.09, 0.2, 0.08, 0.11, 0.13, 0.13, 0.12, 0.14};
  tab.numeric = {false, false, true, true, true, true, false, true};
  for (std::size_t i = 0; i < figs.size(); ++i) {
    const auto& f = figs[i];
    std::string basis = escape_html(to_string(f.basis)) + (f.measured ? " (first epochs measured)" : "");
    if (f.basis == RunBasis::damaged && f.damage)
      basis += "\n" + na(fmt::format("left out of the totals: damaged value at {}:{}: {}", f.damage->file,
                                     f.damage->line, f.damage->message));
    tab.rows.push_back({fmt::format("{}", i + 1), basis, fmt::format("{}", f.epochs),
                        none(f) ? na("not in this log") : mk(duration_text(f.duration_s)),
                        none(f) ? na("not in this log") : mk(kwh_text(f.energy_kwh)), mk(mass_text(f.co2eq_g)),
                        f.intensity_g_per_kwh ? format_sig(*f.intensity_g_per_kwh, 3) + " g/kWh" : na("not in this log"),
                        f.estimated_share ? format_sig(100 * *f.estimated_share, 3) + " %" : na("not in this log")});
  }
  tab.foot = {fmt::format("total ({} runs)", t.runs),
              fmt::format("{} actual, {} partial, {} predicted{}{}", t.runs_actual, t.runs_partial, t.runs_predicted,
                          t.runs_predicted_partly_measured > 0
                              ? fmt::format(" ({} with the first epochs measured: {})",
                                            t.runs_predicted_partly_measured, mk(kwh_text(t.measured_part_energy_kwh)))
                              : "",
                          t.runs_damaged > 0 ? fmt::format("; {} damaged run(s) left out", t.runs_damaged) : ""),
              "",
              "",
              mk(kwh_text(t.energy_kwh)),
              mk(mass_text(t.co2eq_g)),
              t.runs_without_co2 > 0 ? fmt::format("{} run(s) without CO2eq left out", t.runs_without_co2) : "",
              ""};
  d.table(tab);
  chart(d, summary_chart(figs));
  if (t.runs > 0) d.paragraph(escape_html(paper_statement(t, false)), TextStyle{.boxed = true});
}

// Distributed jobs, as the HTML report's section: sums, notes, who counted what, epochs by index.
void jobs_section(Document& d, const std::vector<RunData>& runs) {
  std::vector<RunFigures> figs;
  for (const auto& r : runs) figs.push_back(figures_for(r));
  const std::vector<JobFigures> jobs = jobs_for(runs, figs);
  if (jobs.empty()) return;
  d.heading("Distributed jobs", 2);
  d.paragraph(
      "Each device is counted by one process of its job, so a job's figures are the sums of its processes'. Epochs "
      "are lined up by index, never by the hosts' clocks.",
      kNote);
  for (const JobFigures& job : jobs) {
    const TotalFigures& t = job.total;
    std::string launchers, hosts;
    for (const auto& l : job.launchers) launchers += (launchers.empty() ? "" : ", ") + l;
    for (const auto& h : job.hosts) hosts += (hosts.empty() ? "" : ", ") + h;
    d.heading(escape_html(fmt::format("Job {}{}", job.job_id.empty() ? "(no id)" : job.job_id,
                                      launchers.empty() ? "" : " (" + launchers + ")")),
              3);
    d.facts({{"logs", fmt::format("{}", job.ranks.size())},
             {"hosts", hosts.empty() ? na("not in this log") : escape_html(hosts)},
             {"duration", mk(duration_text(job.duration_s)) +
                              (job.attempts.size() > 1 ? " (the longest rank's, summed over restarts)"
                                                       : " (the longest rank's)")},
             {"facility energy", mk(kwh_text(t.energy_kwh))},
             {"device energy", mk(kwh_text(t.device_energy_kwh))},
             {"CO2eq", mk(mass_text(t.co2eq_g))},
             {"basis", fmt::format("{} actual, {} partial, {} predicted{}", t.runs_actual, t.runs_partial,
                                   t.runs_predicted,
                                   t.runs_damaged > 0 ? fmt::format("; {} damaged left out", t.runs_damaged) : "")}});
    for (const auto& n : job.notes) d.paragraph(escape_html(n), kWarning);
    Table ranks;
    ranks.head = {"restart", "rank", "host", "counts", "basis", "epochs", "duration", "facility energy", "CO2eq"};
    ranks.widths = {0.07, 0.06, 0.1, 0.25, 0.12, 0.07, 0.1, 0.12, 0.11};
    ranks.numeric = {true, true, false, false, false, true, true, true, true};
    for (const JobRank& r : job.ranks) {
      std::string counts;
      if (r.host_measurer) counts = "CPU and DRAM of " + (r.host.empty() ? std::string("its host") : r.host);
      for (const auto& g : r.gpus) counts += (counts.empty() ? "" : ", ") + g;
      ranks.rows.push_back({fmt::format("{}", r.restart), r.rank ? fmt::format("{}", *r.rank) : na("not in this log"),
                            escape_html(r.host),
                            counts.empty() ? na("no host-wide component and no GPU") : escape_html(counts),
                            escape_html(to_string(r.basis)) + (r.finished ? "" : " (did not finish)"),
                            fmt::format("{}", r.epochs), mk(duration_text(r.duration_s)), mk(kwh_text(r.energy_kwh)),
                            mk(mass_text(r.co2eq_g))});
    }
    d.table(ranks);
    Table epochs;
    epochs.head = {"restart", "epoch", "ranks", "not reported by", "longest duration", "facility energy", "CO2eq"};
    epochs.widths = {0.08, 0.07, 0.2, 0.17, 0.15, 0.17, 0.16};
    epochs.numeric = {true, true, false, false, true, true, true};
    for (const JobAttempt& at : job.attempts) {
      for (const JobEpoch& e : at.epochs) {
        epochs.rows.push_back({fmt::format("{}", at.restart), fmt::format("{}", e.index),
                               e.ranks.empty() ? fmt::format("{} log(s)", e.logs) : ranks_text(e.ranks),
                               e.ranks_without.empty() ? "" : ranks_text(e.ranks_without),
                               mk(duration_text(e.longest_duration_s)), mk(kwh_text(e.energy_kwh)),
                               mk(mass_text(e.co2eq_g))});
      }
    }
    d.table(epochs);
  }
}

}  // namespace

std::string render_pdf_report(const std::vector<RunData>& runs, const HtmlOptions& o) {
  const auto when = o.generated_at.value_or(std::chrono::system_clock::now());
  Document d(o.title, when);
  d.heading(escape_html(o.title), 1);
  d.paragraph(fmt::format("{} run(s), generated {}.", runs.size(), utc_text(when)), kNote);
  if (runs.empty()) d.paragraph("No carbontracker run was found in the given logs.", kWhyNot);
  if (runs.size() > 1) summary_section(d, runs);
  jobs_section(d, runs);
  for (std::size_t i = 0; i < runs.size(); ++i) run_section(d, runs[i], i + 1, o);
  if (!o.issues.empty()) {
    d.heading(fmt::format("Problems while reading ({})", o.issues.size()), 2);
    Table t;
    t.head = {"file:line", "problem"};
    t.widths = {0.4, 0.6};
    for (const auto& i : o.issues)
      t.rows.push_back({escape_html(fmt::format("{}:{}", i.file, i.line)), escape_html(i.message)});
    d.table(t);
    d.paragraph(
        "A damaged value leaves its run out of the totals (said in that run's section); other lines were skipped.",
        kNote);
  }
  d.space(12);
  d.paragraph("Data shipped with carbontracker: " + escape_html(intensity::data_attributions()), kNote);
  d.paragraph(
      "Made by carbontracker. Estimated, simulated, assumed and predicted values are labelled as such; \"not in this "
      "log\" marks a value the log does not hold.",
      kNote);
  return d.finish();
}

}  // namespace carbontracker::report
