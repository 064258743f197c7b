// prediction_eval: replays per-epoch traces through predict_paper and predict_robust after k
// completed epochs and reports the error of the forecast totals against the traces' actual
// totals, and the coverage of the robust model's interval. Method and results:
// docs/prediction-accuracy.md; trace format: bench/prediction/trace.hpp.
//
//   prediction_eval bench/prediction/traces/synthetic            # markdown summary
//   prediction_eval --by-scenario --ks 1,2,3,5,10 traces/...     # plus a per-scenario table
//   prediction_eval --rows - trace.csv                           # one CSV row per forecast
//
// Exit status: 0, 1 when a trace cannot be read (nothing is scored then), 2 on bad flags.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "evaluate.hpp"
#include "trace.hpp"

namespace ct = carbontracker::bench;

namespace {

using Filter = std::function<bool(const ct::Score&)>;

std::string cell(const ct::Stat& s) {
  if (s.n == 0) return "–";
  return fmt::format("{:.2f} / {:.1f}", s.median, s.worst);
}

ct::Stat stat_of(const std::vector<ct::Score>& scores, const Filter& keep, double ct::Score::*field) {
  std::vector<double> v;
  for (const auto& s : scores) {
    if (keep(s)) v.push_back(s.*field);
  }
  return ct::abs_stat(std::move(v));
}

std::string coverage(const std::vector<ct::Score>& scores, const Filter& keep, bool ct::Score::*field, bool co2) {
  int n = 0, hit = 0;
  for (const auto& s : scores) {
    if (!keep(s) || !s.has_interval || (co2 && std::isnan(s.err_co2_perfect_pct))) continue;
    ++n;
    hit += (s.*field) ? 1 : 0;
  }
  return n == 0 ? "–" : fmt::format("{:.0f}", 100.0 * hit / n);
}

std::set<int> ks_in(const std::vector<ct::Score>& scores) {
  std::set<int> ks;
  for (const auto& s : scores) ks.insert(s.k);
  return ks;
}

// The main table: one line per (k, model) over the scores `keep` accepts.
void print_summary(const std::vector<ct::Score>& scores, const Filter& keep, bool horizon_column) {
  fmt::print("| k |{} model | forecasts | duration % med / worst | energy % med / worst | CO2eq % (last I) med / worst "
             "| CO2eq % (perfect I) med / worst | coverage % duration / energy / CO2eq (last I) / CO2eq (perfect I) "
             "| energy interval ± % median |\n",
             horizon_column ? " horizon |" : "");
  fmt::print("|---|{}---|---|---|---|---|---|---|---|\n", horizon_column ? "---|" : "");
  for (const int k : ks_in(scores)) {
    for (const bool actual : horizon_column ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
      for (const std::string model : {"paper", "robust"}) {
        const Filter f = [&](const ct::Score& s) { return keep(s) && s.k == k && s.model == model && s.horizon_actual == actual; };
        const auto d = stat_of(scores, f, &ct::Score::err_duration_pct);
        if (d.n == 0) continue;
        const std::string cov = model == "paper" ? "none (point only)"
            : fmt::format("{} / {} / {} / {}", coverage(scores, f, &ct::Score::cover_duration, false),
                          coverage(scores, f, &ct::Score::cover_energy, false), coverage(scores, f, &ct::Score::cover_co2_last, true),
                          coverage(scores, f, &ct::Score::cover_co2_perfect, true));
        const auto width = stat_of(scores, f, &ct::Score::energy_half_width_pct);
        const std::string w = model == "paper" ? "–" : fmt::format("{:.1f}", width.median);
        fmt::print("| {} |{} {} | {} | {} | {} | {} | {} | {} | {} |\n", k, horizon_column ? (actual ? " epochs run |" : " planned |") : "",
                   model, d.n, cell(d), cell(stat_of(scores, f, &ct::Score::err_energy_pct)),
                   cell(stat_of(scores, f, &ct::Score::err_co2_last_pct)), cell(stat_of(scores, f, &ct::Score::err_co2_perfect_pct)), cov, w);
      }
    }
  }
}

void print_by_scenario(const std::vector<ct::Score>& scores) {
  std::map<std::string, std::set<std::string>> traces;
  for (const auto& s : scores) traces[s.scenario].insert(s.trace);
  fmt::print("| scenario | traces | k | energy % paper | energy % robust | duration % paper | duration % robust "
             "| CO2eq % (last I) paper | CO2eq % (last I) robust | robust coverage % energy / duration |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& [scenario, names] : traces) {
    for (const int k : ks_in(scores)) {
      const auto f = [&](const std::string& model) {
        return Filter([&, model](const ct::Score& s) { return s.scenario == scenario && s.k == k && s.model == model && !s.horizon_actual; });
      };
      const auto pe = stat_of(scores, f("paper"), &ct::Score::err_energy_pct);
      if (pe.n == 0) continue;
      fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |\n", scenario, names.size(), k, cell(pe),
                 cell(stat_of(scores, f("robust"), &ct::Score::err_energy_pct)), cell(stat_of(scores, f("paper"), &ct::Score::err_duration_pct)),
                 cell(stat_of(scores, f("robust"), &ct::Score::err_duration_pct)), cell(stat_of(scores, f("paper"), &ct::Score::err_co2_last_pct)),
                 cell(stat_of(scores, f("robust"), &ct::Score::err_co2_last_pct)), coverage(scores, f("robust"), &ct::Score::cover_energy, false),
                 coverage(scores, f("robust"), &ct::Score::cover_duration, false));
    }
  }
}

void print_rows(std::FILE* out, const std::vector<ct::Score>& scores) {
  fmt::print(out, "trace,scenario,model,k,horizon_epochs,epochs_run,err_duration_pct,err_energy_pct,err_co2_last_pct,"
                  "err_co2_perfect_pct,cover_duration,cover_energy,cover_co2_last,cover_co2_perfect\n");
  const auto cov = [](const ct::Score& s, bool c) { return s.has_interval ? (c ? "1" : "0") : ""; };
  for (const auto& s : scores) {
    fmt::print(out, "{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{},{}\n", s.trace, s.scenario, s.model, s.k, s.horizon_epochs,
               s.epochs_run, s.err_duration_pct, s.err_energy_pct, s.err_co2_last_pct, s.err_co2_perfect_pct, cov(s, s.cover_duration),
               cov(s, s.cover_energy), cov(s, s.cover_co2_last), cov(s, s.cover_co2_perfect));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Replay per-epoch traces through the prediction models and report their accuracy"};
  std::vector<std::string> paths;
  double confidence = 0.9;
  std::string rows_file;
  bool by_scenario = false;
  app.add_option("traces", paths, "trace CSV files or directories (searched recursively for *.csv)")->required();
  // One comma-separated argument (not a CLI11 list, which would swallow the trace paths).
  std::string ks_text = "1,2,3,5";
  app.add_option("--ks", ks_text, "predict after these numbers of completed epochs, e.g. 1,2,3,5")->capture_default_str();
  app.add_option("--confidence", confidence, "nominal coverage of the robust interval")->capture_default_str()->check(CLI::Range(0.0, 0.999));
  app.add_option("--rows", rows_file, "write one CSV row per forecast to this file ('-': stdout, instead of the summary)");
  app.add_flag("--by-scenario", by_scenario, "add a per-scenario table");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  std::vector<int> ks;
  for (std::size_t pos = 0; pos <= ks_text.size();) {
    const std::size_t comma = std::min(ks_text.find(',', pos), ks_text.size());
    const std::string item = ks_text.substr(pos, comma - pos);
    char* end = nullptr;
    const long k = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || k < 1 || k > 1000000) {
      std::fprintf(stderr, "prediction_eval: --ks: '%s' is not a positive number\n", item.c_str());
      return 2;
    }
    ks.push_back(static_cast<int>(k));
    pos = comma + 1;
  }

  std::vector<ct::Trace> traces;
  for (const auto& file : ct::collect_trace_files(paths)) {
    auto r = ct::read_trace(file);
    if (!r.ok) {
      std::fprintf(stderr, "prediction_eval: %s\n", r.error.c_str());
      return 1;
    }
    traces.push_back(std::move(r.trace));
  }
  if (traces.empty()) {
    std::fprintf(stderr, "prediction_eval: no *.csv trace found\n");
    return 1;
  }
  std::vector<ct::Score> scores;
  for (const auto& t : traces) {
    auto s = ct::evaluate_trace(t, ks, confidence);
    scores.insert(scores.end(), s.begin(), s.end());
  }

  if (!rows_file.empty()) {
    std::FILE* out = rows_file == "-" ? stdout : std::fopen(rows_file.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "prediction_eval: cannot write %s\n", rows_file.c_str());
      return 1;
    }
    print_rows(out, scores);
    if (out != stdout) std::fclose(out);
    if (rows_file == "-") return 0;
  }

  int complete = 0, early = 0, with_intensity = 0;
  for (const auto& t : traces) {
    (t.planned_epochs > static_cast<int>(t.epochs.size()) ? early : complete) += 1;
    with_intensity += t.has_intensity ? 1 : 0;
  }
  fmt::print("Traces: {} ({} complete runs, {} stopped early, {} with intensity). Confidence {:.0f} %.\n"
             "Errors: |forecast - actual| / actual, median / worst over the forecasts.\n\n",
             traces.size(), complete, early, with_intensity, 100 * confidence);
  if (complete > 0) {
    fmt::print("Complete runs:\n\n");
    print_summary(scores, [](const ct::Score& s) { return !s.early_stopped; }, false);
  }
  if (early > 0) {
    fmt::print("\nRuns stopped early (horizon = planned epochs: what the tracker knows; = epochs run: had the stop been known):\n\n");
    print_summary(scores, [](const ct::Score& s) { return s.early_stopped; }, true);
  }
  if (by_scenario) {
    fmt::print("\nBy scenario (horizon = planned epochs):\n\n");
    print_by_scenario(scores);
  }
  return 0;
}
