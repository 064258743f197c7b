// The numbers behind the HTML report's charts and tables (see html_report.hpp): mean power per
// component from the power timeline, epoch facility energy, the what-if rows and hourly means.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "intensity/tables.hpp"
#include "report/html_parts.hpp"
#include "report/html_report.hpp"

namespace carbontracker::report {
namespace {

using html::is_estimate;

int component_rank(const std::string& c) {
  static const std::vector<std::string> order = {"gpu", "cpu", "dram", "psys"};
  auto it = std::find(order.begin(), order.end(), c);
  return static_cast<int>(it - order.begin());
}

}  // namespace

std::optional<double> epoch_device_energy_j(const EpochData& e) {
  double j = 0;
  bool any = false;
  for (const auto& [k, v] : e.energy_j) {
    if (k == "total") continue;
    j += v;
    any = true;
  }
  if (any) return j;
  auto t = e.energy_j.find("total");
  if (t == e.energy_j.end()) return std::nullopt;
  return t->second;
}

std::optional<double> epoch_facility_energy_j(const RunData& run, const EpochData& e) {
  if (e.damaged) return std::nullopt;  // a NaN, negative or null value: unknown, not a low bar
  if (e.facility_energy_j) return e.facility_energy_j;
  const std::optional<double> device = epoch_device_energy_j(e);
  if (!device) return std::nullopt;
  return *device * run.pue.value_or(1.0);
}

intensity::IntensitySeries logged_intensity_series(const RunData& run) {
  const auto at = [](double unix_s) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(unix_s)));
  };
  intensity::IntensitySeries series;
  for (const auto& p : run.intensity_history) {
    intensity::IntensityQuote q;
    q.start = at(p.start_unix_s);
    q.end = at(p.end_unix_s);
    q.g_per_kwh = p.g_per_kwh;
    series.push_back(q);
  }
  return series;
}

std::vector<ComponentPower> component_power(const RunData& run, std::size_t max_points) {
  std::vector<ComponentPower> out;
  if (run.power.size() < 2) return out;
  std::size_t width = 0;
  for (const auto& p : run.power) width = std::max(width, p.energy_j.size());
  std::vector<std::string> comp_of(width, "unknown");
  std::map<std::string, std::set<std::string>> methods;
  for (std::size_t c = 0; c < width; ++c) {
    if (c < run.channels.size() && !run.channels[c].component.empty()) comp_of[c] = run.channels[c].component;
    methods[comp_of[c]].insert(c < run.channels.size() ? run.channels[c].method : "");
  }
  // Merging intervals is exact: the mean power over a merged interval is its energy / its time.
  const std::size_t intervals = run.power.size() - 1;
  const std::size_t stride = std::max<std::size_t>(
      1, (intervals + std::max<std::size_t>(max_points, 1) - 1) / std::max<std::size_t>(max_points, 1));
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < run.power.size(); i += stride) at.push_back(i);
  if (at.back() != run.power.size() - 1) at.push_back(run.power.size() - 1);
  for (const auto& [comp, ms] : methods) {
    ComponentPower cp;
    cp.component = comp;
    const bool all_est = std::all_of(ms.begin(), ms.end(), is_estimate);
    const bool any_est = std::any_of(ms.begin(), ms.end(), is_estimate);
    const bool simulated = ms.size() == 1 && *ms.begin() == "simulated";
    cp.label = comp + (simulated ? " (simulated)" : all_est ? " (estimated)" : any_est ? " (partly estimated)" : "");
    for (std::size_t k = 1; k < at.size(); ++k) {
      const PowerPoint& a = run.power[at[k - 1]];
      const PowerPoint& b = run.power[at[k]];
      const double dt = b.t_s - a.t_s;
      double e = 0;
      bool ok = std::isfinite(dt) && dt > 0;
      for (std::size_t c = 0; ok && c < width; ++c) {
        if (comp_of[c] != comp) continue;
        ok = c < a.energy_j.size() && c < b.energy_j.size() && std::isfinite(a.energy_j[c]) &&
             std::isfinite(b.energy_j[c]) && b.energy_j[c] >= a.energy_j[c];
        if (ok) e += b.energy_j[c] - a.energy_j[c];
      }
      cp.t_s.push_back((a.t_s + b.t_s) / 2);
      cp.power_w.push_back(ok ? e / dt : std::nan(""));
    }
    out.push_back(std::move(cp));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return component_rank(a.component) != component_rank(b.component)
               ? component_rank(a.component) < component_rank(b.component)
               : a.component < b.component;
  });
  return out;
}

std::vector<WhatIfRow> what_if_countries(double kwh) {
  // IMF World Economic Outlook, nominal GDP 2024, largest first.
  static const std::vector<std::string> economies = {"USA", "CHN", "DEU", "JPN", "IND", "GBR", "FRA", "ITA",
                                                     "CAN", "BRA", "RUS", "ESP", "MEX", "AUS", "KOR"};
  const auto& table = intensity::builtin_country_table().latest_by_code();
  std::vector<WhatIfRow> rows;
  auto add = [&](const intensity::CountryIntensity& c, const std::string& why) {
    for (auto& r : rows) {
      if (r.code == c.code) {
        r.why += "; " + why;
        return;
      }
    }
    rows.push_back({c.code, c.entity, c.year, c.g_per_kwh, c.g_per_kwh * kwh, why});
  };
  for (std::size_t i = 0; i < economies.size(); ++i) {
    auto it = table.find(economies[i]);
    if (it != table.end()) add(it->second, fmt::format("largest economy #{}", i + 1));
  }
  if (auto it = table.find("OWID_WRL"); it != table.end()) add(it->second, "world average");
  const intensity::CountryIntensity *lo = nullptr, *hi = nullptr;
  for (const auto& [code, c] : table) {
    if (code == "OWID_WRL") continue;
    if (!lo || c.g_per_kwh < lo->g_per_kwh) lo = &c;
    if (!hi || c.g_per_kwh > hi->g_per_kwh) hi = &c;
  }
  if (lo) add(*lo, "lowest in the table");
  if (hi) add(*hi, "highest in the table");
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.co2eq_g != b.co2eq_g ? a.co2eq_g < b.co2eq_g : a.code < b.code;
  });
  return rows;
}

std::vector<std::optional<double>> hourly_means(const intensity::IntensitySeries& history) {
  std::vector<double> sum(24, 0), weight(24, 0);
  for (const auto& q : history) {
    if (!std::isfinite(q.g_per_kwh)) continue;
    const auto hours = std::chrono::floor<std::chrono::hours>(q.start.time_since_epoch()).count();
    const auto h = static_cast<std::size_t>(((hours % 24) + 24) % 24);
    const double w = std::max(1.0, std::chrono::duration<double>(q.end - q.start).count());
    sum[h] += q.g_per_kwh * w;
    weight[h] += w;
  }
  std::vector<std::optional<double>> out(24);
  for (std::size_t h = 0; h < 24; ++h)
    if (weight[h] > 0) out[h] = sum[h] / weight[h];
  return out;
}

}  // namespace carbontracker::report
