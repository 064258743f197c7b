// The four charts of a run in the HTML report (docs/report-html.md says what each shows).
#include <algorithm>
#include <cmath>

#include "report/html_parts.hpp"
#include "report/html_report.hpp"

namespace carbontracker::report::html {
namespace {

std::string no_timeline_reason(const RunData& r) {
  if (r.format == "carbontracker-python-v1" || r.format == "carbontracker-text") {
    return "Not drawn: this run was read from text logs, and the Python carbontracker's logs hold no power timeline "
           "(neither do the compatible text logs; the JSON Lines event log that this carbontracker writes next to "
           "them has one).";
  }
  return "Not drawn: the event log holds fewer than two power records (the sampler writes one every 5 s, so the "
         "run was shorter than that or the records were lost).";
}

// ---- The sections of one run --------------------------------------------------------------------

const ForecastData* printed_forecast(const RunData& r) {
  if (r.printed_prediction && *r.printed_prediction >= 0 &&
      static_cast<std::size_t>(*r.printed_prediction) < r.predictions.size())
    return &r.predictions[static_cast<std::size_t>(*r.printed_prediction)];
  return nullptr;
}

}  // namespace

ChartFigure power_chart(const RunData& r, const std::string& id) {
  const std::vector<ComponentPower> comps = component_power(r);
  if (comps.empty()) return not_drawn(id + "-power", "Power over time", no_timeline_reason(r));
  double max_w = 0, max_t = 0;
  for (const auto& c : comps) {
    for (double w : c.power_w)
      if (std::isfinite(w)) max_w = std::max(max_w, w);
    if (!c.t_s.empty()) max_t = std::max(max_t, c.t_s.back());
  }
  const Unit pu = power_unit(max_w), tu = time_unit(max_t);
  svg::Chart ch;
  ch.title = "Power per component over time";
  ch.x_from_zero = true;
  ch.x_label = fmt::format("time since the run started ({})", tu.name);
  ch.y_label = fmt::format("mean power ({})", pu.name);
  std::string estimated;
  for (const auto& c : comps) {
    svg::Series s{.name = c.label, .kind = svg::SeriesKind::line, .color = component_colour(c.component)};
    s.dashed = c.label != c.component;
    if (s.dashed) estimated += (estimated.empty() ? "" : ", ") + c.label;
    for (std::size_t i = 0; i < c.t_s.size(); ++i) {
      s.x.push_back(c.t_s[i] / tu.factor);
      s.y.push_back(c.power_w[i] / pu.factor);
    }
    ch.series.push_back(std::move(s));
  }
  std::string caption = fmt::format(
      "Mean power of each interval between two power records ({} records), from the cumulative energy of {} "
      "channel(s), summed per component; plotted at the middle of each interval. Gaps: intervals that cannot be used "
      "(a counter went backwards or a value is missing).",
      r.power.size(), r.channels.size());
  if (!estimated.empty())
    caption += " Dashed and labelled: estimated or simulated, not measured: " + escape_html(estimated) + ".";
  if (std::any_of(comps.begin(), comps.end(), [](const auto& c) { return c.component == "psys"; }))
    caption +=
        " psys is the whole platform as RAPL sees it (it may include cpu and dram); the series are drawn "
        "separately, never stacked.";
  return drawn(id + "-power", "Power over time", ch, caption);
}

ChartFigure epoch_energy_chart(const RunData& r, const std::string& id) {
  const ForecastData* f = printed_forecast(r);
  const bool have_pred = f != nullptr || (r.predicted && r.predicted->epochs.value_or(0) > 0);
  if (r.epochs.empty() && !have_pred)
    return not_drawn(id + "-epochs", "Energy per epoch",
                     "Not drawn: the log holds no finished epoch and no prediction.");
  double max_j = 0;
  std::vector<double> x, measured, estimated, incomplete;
  bool any_estimate = false;
  for (const auto& e : r.epochs) {
    const std::optional<double> fac = epoch_facility_energy_j(r, e);
    const double v = fac.value_or(std::nan(""));
    double est = 0;
    if (fac && e.estimated_energy_j && *e.estimated_energy_j > 0) {
      double device = 0;
      for (const auto& [k, j] : e.energy_j)
        if (k != "total") device += j;
      est = device > 0 ? std::min(v, *e.estimated_energy_j * v / device) : 0;
      any_estimate = true;
    }
    x.push_back(e.index);
    // No measured segment at all (rather than a 0 one) when the whole epoch is estimated.
    measured.push_back(e.complete && !(est > 0 && v - est <= 0) ? v - est : std::nan(""));
    estimated.push_back(e.complete ? est : std::nan(""));
    incomplete.push_back(e.complete ? std::nan("") : v);
    if (std::isfinite(v)) max_j = std::max(max_j, v);
  }
  int pred_epochs = 0;
  double per_epoch_j = std::nan(""), low_j = std::nan(""), high_j = std::nan("");
  if (f && f->epochs > 0) {
    pred_epochs = f->epochs;
    per_epoch_j = f->energy_kwh * kJPerKwh / f->epochs;
    low_j = f->energy_kwh_low * kJPerKwh / f->epochs;
    high_j = f->energy_kwh_high * kJPerKwh / f->epochs;
  } else if (r.predicted && r.predicted->epochs.value_or(0) > 0) {
    pred_epochs = *r.predicted->epochs;
    per_epoch_j = r.predicted->energy_kwh * kJPerKwh / pred_epochs;
  }
  for (double v : {per_epoch_j, high_j})
    if (std::isfinite(v)) max_j = std::max(max_j, v);
  const Unit u = energy_unit(max_j);
  auto scaled = [&](std::vector<double> v) {
    for (double& d : v) d /= u.factor;
    return v;
  };
  svg::Chart ch;
  ch.title = "Energy per epoch, measured and predicted";
  ch.x_label = "epoch";
  ch.y_label = fmt::format("{} ({})", r.pue ? "facility energy" : "energy", u.name);
  ch.integer_x_ticks = true;
  ch.stacked_bars = true;
  const std::string measured_name = is_text_log(r) ? "logged (average power x duration)" : "measured";
  ch.series.push_back(
      {.name = measured_name, .kind = svg::SeriesKind::bar, .x = x, .y = scaled(measured), .color = "#0072B2"});
  if (any_estimate)
    ch.series.push_back({.name = "estimated or simulated",
                         .kind = svg::SeriesKind::bar,
                         .x = x,
                         .y = scaled(estimated),
                         .color = "#56B4E9",
                         .dashed = true});
  if (std::any_of(r.epochs.begin(), r.epochs.end(), [](const auto& e) { return !e.complete; }))
    ch.series.push_back({.name = "incomplete epoch",
                         .kind = svg::SeriesKind::bar,
                         .x = x,
                         .y = scaled(incomplete),
                         .color = "#999999",
                         .dashed = true});
  std::string caption = r.pue ? "Bars: the facility energy (device energy x PUE) of each finished epoch"
                              : "Bars: the device energy of each finished epoch (the log gives no PUE)";
  caption += is_text_log(r) ? ", computed as the logged average power x the epoch's duration."
                            : ", from the energy counters read at the epoch's start and end.";
  if (any_estimate) caption += " The light part is estimated or simulated, not measured.";
  if (std::isfinite(per_epoch_j)) {
    const std::vector<double> px = {0.5, pred_epochs + 0.5};
    if (std::isfinite(low_j) && std::isfinite(high_j))
      ch.bands.push_back({.name = "prediction interval",
                          .x = px,
                          .low = {low_j / u.factor, low_j / u.factor},
                          .high = {high_j / u.factor, high_j / u.factor}});
    ch.series.push_back({.name = "predicted per-epoch level",
                         .kind = svg::SeriesKind::line,
                         .x = px,
                         .y = {per_epoch_j / u.factor, per_epoch_j / u.factor},
                         .color = "#E69F00",
                         .dashed = true});
    caption += fmt::format(" Dashed line: the printed prediction ({} for {} epochs) divided by its number of epochs{}.",
                           kwh_text(per_epoch_j * pred_epochs / kJPerKwh), pred_epochs,
                           std::isfinite(low_j) ? ", with its interval as the band" : " (the log gives no interval)");
    if (!r.pue)
      caption +=
          " The prediction is facility energy: it includes the PUE the tool applied (the Python carbontracker "
          "applies 1.58 without logging it), so it can stand above bars of the same epochs.";
  }
  if (r.predictions.size() > 1) {
    svg::Series refits{.name = "prediction after each epoch (per epoch)",
                       .kind = svg::SeriesKind::line,
                       .color = "#D55E00",
                       .markers = true};
    for (const auto& p : r.predictions) {
      if (p.epochs <= 0) continue;
      refits.x.push_back(p.after_epochs);
      refits.y.push_back(p.energy_kwh * kJPerKwh / p.epochs / u.factor);
    }
    ch.series.push_back(std::move(refits));
    caption += " Dots: the per-epoch level of every refit, at the epoch after which it was made.";
  }
  return drawn(id + "-epochs", "Energy per epoch", ch, caption);
}

ChartFigure co2_chart(const RunData& r, const std::string& id) {
  // Measured cumulative CO2eq: per-epoch figures, else the epochs' energy at the run's intensity.
  std::vector<double> x = {0}, cum = {0};
  bool per_epoch = !r.epochs.empty(), derived = false;
  for (const auto& e : r.epochs) per_epoch = per_epoch && e.co2eq_g && e.complete;
  if (!per_epoch && !r.epochs.empty() && r.intensity_g_per_kwh) {
    per_epoch = true;
    derived = true;
    for (const auto& e : r.epochs) per_epoch = per_epoch && e.complete && epoch_facility_energy_j(r, e);
  }
  if (per_epoch) {
    for (const auto& e : r.epochs) {
      const double g = derived ? *epoch_facility_energy_j(r, e) / kJPerKwh * *r.intensity_g_per_kwh : *e.co2eq_g;
      x.push_back(e.index);
      cum.push_back(cum.back() + g);
    }
  }
  const ForecastData* f = printed_forecast(r);
  const bool text_pred =
      !f && r.predicted && r.predicted->epochs.value_or(0) > 0 && std::isfinite(r.predicted->co2eq_g);
  const bool actual_pt = !per_epoch && r.actual && std::isfinite(r.actual->co2eq_g);
  if (!per_epoch && !f && !text_pred && !actual_pt)
    return not_drawn(id + "-co2", "Cumulative CO2eq",
                     "Not drawn: the log holds no CO2eq figure (no intensity was logged).");
  double max_g = cum.back();
  if (f) max_g = std::max({max_g, f->co2eq_g, f->co2eq_g_high});
  if (text_pred) max_g = std::max(max_g, r.predicted->co2eq_g);
  if (actual_pt) max_g = std::max(max_g, r.actual->co2eq_g);
  const Unit u = mass_unit(max_g);
  for (double& g : cum) g /= u.factor;
  svg::Chart ch;
  ch.title = "Cumulative CO2eq over epochs, with the printed prediction";
  ch.x_label = "epochs finished";
  ch.y_label = fmt::format("CO2eq ({})", u.name);
  ch.integer_x_ticks = true;
  std::string caption;
  if (per_epoch) {
    ch.series.push_back({.name = derived ? "measured energy x run intensity" : "measured",
                         .kind = svg::SeriesKind::line,
                         .x = x,
                         .y = cum,
                         .color = "#000000",
                         .markers = x.size() <= 60});
    caption = derived ? "Solid: the epochs' facility energy at the run's intensity (the log has no per-epoch CO2eq)."
                      : "Solid: the sum of the CO2eq logged for each finished epoch.";
  }
  if (f && f->epochs > 0) {
    // The forecast starts from what was known when it was printed and ends at the whole run.
    const double k = std::clamp(f->after_epochs, 0, static_cast<int>(cum.size()) - 1);
    const double start = per_epoch ? cum[static_cast<std::size_t>(k)] : f->co2eq_g / u.factor * k / f->epochs;
    const std::vector<double> px = {k, static_cast<double>(f->epochs)};
    if (std::isfinite(f->co2eq_g_low) && std::isfinite(f->co2eq_g_high))
      ch.bands.push_back({.name = "prediction interval",
                          .x = px,
                          .low = {start, f->co2eq_g_low / u.factor},
                          .high = {start, f->co2eq_g_high / u.factor}});
    ch.series.push_back({.name = fmt::format("predicted after {} epoch(s)", f->after_epochs),
                         .kind = svg::SeriesKind::line,
                         .x = px,
                         .y = {start, f->co2eq_g / u.factor},
                         .color = "#E69F00",
                         .dashed = true,
                         .markers = true});
    caption +=
        fmt::format(" Dashed: the prediction printed after {} epoch(s), {} for {} epochs ({} to {}), at {} g/kWh.",
                    f->after_epochs, mass_text(f->co2eq_g), f->epochs, mass_text(f->co2eq_g_low),
                    mass_text(f->co2eq_g_high), format_sig(f->intensity_g_per_kwh, 3));
  } else if (text_pred) {
    const double n = *r.predicted->epochs;
    ch.series.push_back({.name = "predicted (printed, no interval)",
                         .kind = svg::SeriesKind::line,
                         .x = {0, n},
                         .y = {0, r.predicted->co2eq_g / u.factor},
                         .color = "#E69F00",
                         .dashed = true,
                         .markers = true});
    caption += fmt::format(
        " Dashed: the printed prediction, {} for {} epochs; the model is linear in epochs; the log gives no interval.",
        mass_text(r.predicted->co2eq_g), r.predicted->epochs.value_or(0));
  }
  if (actual_pt) {
    const double n = r.actual->epochs.value_or(static_cast<int>(r.epochs.size()));
    ch.series.push_back({.name = "actual (printed)",
                         .kind = svg::SeriesKind::line,
                         .x = {n},
                         .y = {r.actual->co2eq_g / u.factor},
                         .color = "#000000",
                         .markers = true});
    caption += " Dot: the printed actual consumption (the log has no per-epoch CO2eq).";
  }
  return drawn(id + "-co2", "Cumulative CO2eq", ch, caption);
}

ChartFigure intensity_chart(const RunData& r, const std::string& id) {
  svg::Chart ch;
  ch.title = "Carbon intensity over the run";
  ch.x_label = "epoch";
  ch.y_label = "gCO2eq/kWh";
  ch.integer_x_ticks = true;
  ch.y_from_zero = true;
  svg::Series per{
      .name = "per epoch", .kind = svg::SeriesKind::line, .color = "#D55E00", .markers = r.epochs.size() <= 60};
  for (const auto& e : r.epochs) {
    per.x.push_back(e.index);
    per.y.push_back(e.intensity_g_per_kwh.value_or(std::nan("")));
  }
  const bool any_epoch = std::any_of(per.y.begin(), per.y.end(), [](double v) { return std::isfinite(v); });
  // The flat line spans the epochs (half an epoch either side, so that one epoch still has a line).
  const double first = r.epochs.empty() ? 0.0 : r.epochs.front().index - 0.5;
  const double last = r.epochs.empty() ? 1.0 : r.epochs.back().index + 0.5;
  std::string caption;
  std::optional<double> flat = r.intensity_g_per_kwh;
  std::string flat_name;
  if (flat) {
    flat_name = fmt::format("run: {} g/kWh, {}", format_sig(*flat, 3),
                            r.intensity_source.empty() ? "source not logged" : r.intensity_source);
    if (!r.intensity_kind.empty()) flat_name += " (" + r.intensity_kind + ")";
    caption = "Flat line: the intensity the run used, " + escape_html(flat_name) + ".";
  } else if (r.actual && r.actual->energy_kwh > 0 && std::isfinite(r.actual->co2eq_g)) {
    flat = r.actual->co2eq_g / r.actual->energy_kwh;
    flat_name = fmt::format("implied: {} g/kWh (printed CO2eq / energy)", format_sig(*flat, 3));
    caption = "Flat line: not logged as such; implied by the printed actual CO2eq divided by the printed energy.";
  } else if (r.predicted && r.predicted->energy_kwh > 0 && std::isfinite(r.predicted->co2eq_g)) {
    flat = r.predicted->co2eq_g / r.predicted->energy_kwh;
    flat_name = fmt::format("implied: {} g/kWh (predicted CO2eq / energy)", format_sig(*flat, 3));
    caption = "Flat line: not logged as such; implied by the printed prediction's CO2eq divided by its energy.";
  }
  if (!any_epoch && !flat)
    return not_drawn(id + "-intensity", "Carbon intensity", "Not drawn: the log holds no carbon intensity.");
  if (any_epoch) {
    ch.series.push_back(std::move(per));
    caption += " Dots: the intensity applied to each epoch.";
  }
  if (flat) {
    ch.series.push_back({.name = flat_name,
                         .kind = svg::SeriesKind::line,
                         .x = {first, last},
                         .y = {*flat, *flat},
                         .color = "#666666",
                         .dashed = true});
  }
  if (r.intensity_kind == "assumed")
    caption += " The value is assumed (no provider or table matched the location): configure a zone or country.";
  return drawn(id + "-intensity", "Carbon intensity", ch, caption);
}

ChartFigure summary_chart(const std::vector<RunFigures>& figs) {
  svg::Chart ch;
  ch.title = "CO2eq per run";
  ch.x_label = "run";
  ch.stacked_bars = true;  // one basis per run: the two series never share a slot
  ch.integer_x_ticks = true;
  double max_g = 0;
  for (const auto& f : figs)
    if (std::isfinite(f.co2eq_g)) max_g = std::max(max_g, f.co2eq_g);
  const Unit u = mass_unit(max_g);
  ch.y_label = fmt::format("CO2eq ({})", u.name);
  svg::Series meas{.name = "actual or partial", .kind = svg::SeriesKind::bar, .color = "#0072B2"};
  svg::Series pred{.name = "predicted, not measured", .kind = svg::SeriesKind::bar, .color = "#E69F00", .dashed = true};
  for (std::size_t i = 0; i < figs.size(); ++i) {
    const auto& f = figs[i];
    if (f.basis == RunBasis::none || f.basis == RunBasis::damaged) continue;  // left out of the totals: no bar
    auto& s = f.basis == RunBasis::predicted ? pred : meas;
    s.x.push_back(static_cast<double>(i + 1));
    s.y.push_back(f.co2eq_g / u.factor);
  }
  ch.series = {meas, pred};
  return drawn("summary-co2", "CO2eq per run", ch,
               "Bars: each run's CO2eq from its best basis (actual, else the finished epochs, else the prediction).");
}

}  // namespace carbontracker::report::html
