#include "report/formats.hpp"

#include <algorithm>
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

nlohmann::json maybe_int(const std::optional<int>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

std::string kwh_or_unknown(double v) { return std::isfinite(v) ? fmt::format("{:.9f} kWh", v) : "unknown kWh"; }
std::string g_or_unknown(double v) { return std::isfinite(v) ? fmt::format("{:.6f} g", v) : "unknown g"; }

std::string joined(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

std::string ints_joined(const std::vector<int>& v, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + std::to_string(v[i]);
  return out;
}

// "  job 4242 (slurm), host node1, rank 3 of 4 (local rank 1), restart 0\n" for a job's process.
std::string job_line(const RunFigures& r) {
  if (!r.job) return "";
  const JobIdentity& j = *r.job;
  std::string out = "  job " + (j.id.empty() ? std::string("(no id)") : j.id);
  if (!j.launcher.empty()) out += " (" + j.launcher + ")";
  if (!j.host.empty()) out += ", host " + j.host;
  out += j.rank ? fmt::format(", rank {}", *j.rank) : std::string(", rank unknown");
  if (j.world_size) out += fmt::format(" of {}", *j.world_size);
  if (j.local_rank) out += fmt::format(" (local rank {})", *j.local_rank);
  if (j.restart > 0) out += fmt::format(", restart {}", j.restart);
  return out + "\n";
}

// What one process counted: "CPU and DRAM of node1, GPU GPU-1" / "nothing it says".
std::string counted_text(const JobRank& r) {
  std::vector<std::string> parts;
  if (r.host_measurer) parts.push_back("CPU and DRAM of " + (r.host.empty() ? std::string("its host") : r.host));
  if (!r.gpus.empty()) parts.push_back((r.gpus.size() == 1 ? "GPU " : "GPUs ") + joined(r.gpus));
  return parts.empty() ? "no host-wide component and no GPU" : joined(parts);
}

std::string jobs_text(const std::vector<JobFigures>& jobs) {
  std::string out = fmt::format("\nJobs ({}): each device is counted by one process of its job, so a job's figures are "
                                "the sums of its processes'\n", jobs.size());
  for (const JobFigures& job : jobs) {
    const TotalFigures& t = job.total;
    out += fmt::format("Job {}{}: {} log(s){}; {} (device {}), {} CO2eq, {:.1f} s ({}) ({} actual, {} partial, {} "
                       "predicted{}{})\n",
                       job.job_id.empty() ? "(no id)" : job.job_id,
                       job.launchers.empty() ? "" : " (" + joined(job.launchers) + ")", job.ranks.size(),
                       job.hosts.empty() ? "" : ", hosts " + joined(job.hosts), kwh_or_unknown(t.energy_kwh),
                       kwh_or_unknown(t.device_energy_kwh), g_or_unknown(t.co2eq_g), job.duration_s,
                       job.attempts.size() > 1 ? "its attempts' longest ranks, summed" : "its longest rank's",
                       t.runs_actual, t.runs_partial, t.runs_predicted,
                       t.runs_without_co2 > 0 ? fmt::format(", {} without CO2eq", t.runs_without_co2) : "",
                       t.runs_damaged > 0 ? fmt::format("; {} damaged left out", t.runs_damaged) : "");
    for (const auto& n : job.notes) out += "  " + n + "\n";
    const bool several = job.attempts.size() > 1;
    for (const JobAttempt& at : job.attempts) {
      std::string indent = "  ";
      if (several) {
        out += fmt::format("  restart {}:\n", at.restart);
        indent = "    ";
      }
      out += fmt::format("{}{} log(s){}, the longest ran {:.1f} s\n", indent, at.logs,
                         at.world_size ? fmt::format(" of {} rank(s)", *at.world_size) : std::string(", world size unknown"),
                         at.duration_s);
      for (const JobRank& r : job.ranks) {
        if (r.restart != at.restart) continue;
        out += fmt::format("{}{}: counts {}; {}, {} epoch(s), {}, {}, {} CO2eq\n", indent, rank_name(r), counted_text(r),
                           to_string(r.basis), r.epochs,
                           std::isfinite(r.duration_s) ? fmt::format("{:.1f} s", r.duration_s) : "unknown s",
                           kwh_or_unknown(r.energy_kwh), g_or_unknown(r.co2eq_g));
      }
      for (const JobEpoch& e : at.epochs) {
        out += fmt::format("{}epoch {}: {}{}{}; longest {:.1f} s; {}, {} CO2eq\n", indent, e.index,
                           e.ranks.empty() ? fmt::format("{} log(s)", e.logs) : ranks_text(e.ranks),
                           e.logs > static_cast<int>(e.ranks.size()) && !e.ranks.empty()
                               ? fmt::format(" and {} log(s) without a rank", e.logs - static_cast<int>(e.ranks.size()))
                               : "",
                           e.ranks_without.empty() ? "" : " (not reported by " + ranks_text(e.ranks_without) + ")",
                           e.longest_duration_s, kwh_or_unknown(e.energy_kwh), g_or_unknown(e.co2eq_g));
      }
    }
  }
  return out;
}

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
                        bool latex, const std::vector<JobFigures>& jobs) {
  std::string out;
  for (const auto& r : runs) {
    if (r.basis == RunBasis::damaged || r.basis == RunBasis::none) {
      out += fmt::format("{}\n  left out of the totals: {}\n", r.file,
                         r.damage ? fmt::format("damaged value at {}:{}: {}", r.damage->file, r.damage->line,
                                                r.damage->message)
                                  : !r.basis_note.empty() ? r.basis_note : std::string("no energy figure in this log"));
      out += job_line(r);
      continue;
    }
    out += fmt::format("{}\n  {} epoch(s), {:.1f} s, {:.9f} kWh, {} g CO2eq ({}{})\n", r.file, r.epochs, r.duration_s,
                       r.energy_kwh, std::isfinite(r.co2eq_g) ? fmt::format("{:.6f}", r.co2eq_g) : "unknown",
                       to_string(r.basis), intensity_label(r));
    out += job_line(r);
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
  out += "\n";
  if (!jobs.empty()) out += jobs_text(jobs);
  out += "\n";
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

// The figures of a total, the same keys for the report's total and each job's.
nlohmann::json totals_json(const TotalFigures& t) {
  return {{"energy_kwh", t.energy_kwh},
          {"device_energy_kwh", maybe(t.device_energy_kwh)},
          {"co2eq_g", t.co2eq_g},
          {"runs", t.runs},
          {"runs_actual", t.runs_actual},
          {"runs_partial", t.runs_partial},
          {"runs_predicted", t.runs_predicted},
          {"runs_without_co2eq", t.runs_without_co2},
          {"predicted_energy_kwh", t.predicted_energy_kwh},
          {"runs_predicted_partly_measured", t.runs_predicted_partly_measured},
          {"measured_part_energy_kwh", t.measured_part_energy_kwh},
          {"runs_damaged", t.runs_damaged}};
}

nlohmann::json job_json(const JobFigures& job) {
  nlohmann::json ranks = nlohmann::json::array();
  for (const JobRank& r : job.ranks) {
    ranks.push_back({{"file", r.file},
                     {"restart", r.restart},
                     {"rank", maybe_int(r.rank)},
                     {"local_rank", maybe_int(r.local_rank)},
                     {"world_size", maybe_int(r.world_size)},
                     {"host", r.host},
                     {"node", r.node},
                     {"host_measurer", r.host_measurer},
                     {"gpus", r.gpus},
                     {"basis", std::string(to_string(r.basis))},
                     {"finished", r.finished},
                     {"epochs", r.epochs},
                     {"duration_s", maybe(r.duration_s)},
                     {"energy_kwh", maybe(r.energy_kwh)},
                     {"device_energy_kwh", maybe(r.device_energy_kwh)},
                     {"co2eq_g", maybe(r.co2eq_g)}});
  }
  nlohmann::json attempts = nlohmann::json::array();
  for (const JobAttempt& at : job.attempts) {
    nlohmann::json unfinished = nlohmann::json::array();
    for (const std::size_t k : at.unfinished) {
      const JobRank& r = job.ranks[k];
      unfinished.push_back({{"rank", maybe_int(r.rank)},
                            {"host", r.host},
                            {"file", r.file},
                            {"basis", std::string(to_string(r.basis))},
                            {"epochs", r.epochs}});
    }
    nlohmann::json epochs = nlohmann::json::array();
    for (const JobEpoch& e : at.epochs) {
      epochs.push_back({{"index", e.index},
                        {"ranks", e.ranks},
                        {"ranks_without", e.ranks_without},
                        {"logs", e.logs},
                        {"longest_duration_s", e.longest_duration_s},
                        {"energy_kwh", maybe(e.energy_kwh)},
                        {"device_energy_kwh", maybe(e.device_energy_kwh)},
                        {"co2eq_g", maybe(e.co2eq_g)}});
    }
    attempts.push_back({{"restart", at.restart},
                        {"world_size", maybe_int(at.world_size)},
                        {"logs", at.logs},
                        {"ranks_found", at.ranks_found},
                        {"ranks_missing", at.ranks_missing},
                        {"unfinished", std::move(unfinished)},
                        {"duration_s", at.duration_s},
                        {"epochs", std::move(epochs)}});
  }
  nlohmann::json out = totals_json(job.total);
  out.update({{"job_id", job.job_id},
              {"launcher", joined(job.launchers)},
              {"hosts", job.hosts},
              {"logs", job.ranks.size()},
              {"duration_s", job.duration_s},
              {"notes", job.notes},
              {"attempts", std::move(attempts)},
              {"ranks", std::move(ranks)}});
  return out;
}

nlohmann::json render_json(const std::vector<RunFigures>& runs, const TotalFigures& t,
                           const std::vector<ReadIssue>& issues, const std::vector<JobFigures>& jobs) {
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
                   {"estimated_share", r.estimated_share ? nlohmann::json(*r.estimated_share) : nullptr},
                   {"job_id", r.job ? nlohmann::json(r.job->id) : nullptr},
                   {"host", r.job ? nlohmann::json(r.job->host) : nullptr},
                   {"rank", r.job ? maybe_int(r.job->rank) : nullptr},
                   {"restart", r.job ? nlohmann::json(r.job->restart) : nullptr}});
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& i : issues) problems.push_back({{"file", i.file}, {"line", i.line}, {"message", i.message}});
  nlohmann::json job_list = nlohmann::json::array();
  for (const auto& j : jobs) job_list.push_back(job_json(j));
  return {{"version", kReportFormatVersion},
          {"runs", std::move(arr)},
          {"total", totals_json(t)},
          {"jobs", std::move(job_list)},
          {"statement", t.runs > 0 ? nlohmann::json(paper_statement(t, false)) : nlohmann::json(nullptr)},
          {"issues", std::move(problems)}};
}

std::string render_csv(const std::vector<RunFigures>& runs) {
  std::string out =
      "file,format,epochs,duration_s,energy_kwh,co2eq_g,basis,intensity_g_per_kwh,intensity_source,estimated_share,"
      "basis_note,measured_epochs,measured_duration_s,measured_energy_kwh,measured_co2eq_g,damage,job_id,host,rank,restart\n";
  for (const auto& r : runs) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}", csv_field(r.file), csv_field(r.format), r.epochs,
                       num(r.duration_s), num(r.energy_kwh), num(r.co2eq_g), to_string(r.basis),
                       r.intensity_g_per_kwh ? num(*r.intensity_g_per_kwh) : "", csv_field(r.intensity_source),
                       r.estimated_share ? num(*r.estimated_share) : "");
    std::string damage;
    if (r.damage) damage = fmt::format("{}:{}: {}", r.damage->file, r.damage->line, r.damage->message);
    out += fmt::format(",{},{},{},{},{},{}", csv_field(r.basis_note),
                       r.measured && r.measured->epochs ? std::to_string(*r.measured->epochs) : "",
                       r.measured ? num(r.measured->duration_s) : "", r.measured ? num(r.measured->energy_kwh) : "",
                       r.measured ? num(r.measured->co2eq_g) : "", csv_field(damage));
    out += r.job ? fmt::format(",{},{},{},{}\n", csv_field(r.job->id), csv_field(r.job->host),
                               r.job->rank ? std::to_string(*r.job->rank) : "", r.job->restart)
                 : std::string(",,,,\n");
  }
  return out;
}

std::string render_jobs_csv(const std::vector<JobFigures>& jobs) {
  std::string out =
      "job_id,launcher,restart,world_size,logs,ranks_found,ranks_missing,ranks_unfinished,hosts,duration_s,"
      "energy_kwh,device_energy_kwh,co2eq_g,runs_damaged,runs_without_co2eq,notes\n";
  for (const JobFigures& job : jobs) {
    for (const JobAttempt& at : job.attempts) {
      // This attempt's share of the job's sums: its usable runs' figures.
      double kwh = 0, device_kwh = 0, g = 0;
      int damaged = 0, without_co2 = 0;
      std::vector<std::string> hosts;
      for (const JobRank& r : job.ranks) {
        if (r.restart != at.restart) continue;
        if (!r.host.empty() && std::find(hosts.begin(), hosts.end(), r.host) == hosts.end()) hosts.push_back(r.host);
        if (r.basis == RunBasis::none) continue;
        if (r.basis == RunBasis::damaged) {
          ++damaged;
          continue;
        }
        kwh += r.energy_kwh;
        device_kwh += r.device_energy_kwh;
        if (std::isfinite(r.co2eq_g)) g += r.co2eq_g;
        else ++without_co2;
      }
      std::sort(hosts.begin(), hosts.end());
      std::vector<std::string> unfinished;
      for (const std::size_t k : at.unfinished) {
        const JobRank& r = job.ranks[k];
        unfinished.push_back(r.rank ? std::to_string(*r.rank) : "?");
      }
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(job.job_id),
                         csv_field(joined(job.launchers, " ")), at.restart,
                         at.world_size ? std::to_string(*at.world_size) : "", at.logs, ints_joined(at.ranks_found, " "),
                         ints_joined(at.ranks_missing, " "), joined(unfinished, " "), csv_field(joined(hosts, " ")),
                         num(at.duration_s), num(kwh), num(device_kwh), num(g), damaged, without_co2,
                         csv_field(joined(job.notes, "; ")));
    }
  }
  return out;
}

}  // namespace carbontracker::report
