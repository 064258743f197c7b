#include "report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace carbontracker::report::svg {
namespace {

constexpr double kFontPx = 12;
constexpr double kCharPx = 6.6;  // mean glyph width of the sans-serif font at 12 px (legend layout)
constexpr double kMarginLeft = 72, kMarginRight = 18, kMarginBottom = 48, kLegendRowPx = 18;
constexpr double kMaxBarGroupPx = 96;

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  [[nodiscard]] bool empty() const { return !(lo <= hi); }
};

std::size_t point_count(const Series& s) { return std::min(s.x.size(), s.y.size()); }

bool finite_point(const Series& s, std::size_t i) { return std::isfinite(s.x[i]) && std::isfinite(s.y[i]); }

// A pixel coordinate: one decimal is well below what a screen shows.
std::string px(double v) { return fmt::format("{:.1f}", v); }

struct Plot {
  double left = 0, top = 0, width = 0, height = 0;
  Ticks xt, yt;
  [[nodiscard]] double sx(double x) const { return left + (x - xt.lo) / (xt.hi - xt.lo) * width; }
  [[nodiscard]] double sy(double y) const { return top + height - (y - yt.lo) / (yt.hi - yt.lo) * height; }
};

// The slot of a bar: the smallest gap between distinct bar x (missing bars count: they keep a slot).
double bar_slot(const Chart& c) {
  std::vector<double> xs;
  for (const auto& s : c.series) {
    if (s.kind != SeriesKind::bar) continue;
    for (std::size_t i = 0; i < point_count(s); ++i)
      if (std::isfinite(s.x[i])) xs.push_back(s.x[i]);
  }
  std::sort(xs.begin(), xs.end());
  double slot = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < xs.size(); ++i)
    if (xs[i] > xs[i - 1]) slot = std::min(slot, xs[i] - xs[i - 1]);
  return std::isfinite(slot) ? slot : 1.0;
}

struct Legend {
  std::string svg;
  double height = 0;
};

Legend legend(const Chart& c, const std::vector<std::string>& colours) {
  struct Item {
    std::string name, colour;
    bool dashed = false, band = false, bar = false;
  };
  std::vector<Item> items;
  for (std::size_t i = 0; i < c.bands.size(); ++i)
    if (!c.bands[i].name.empty()) items.push_back({c.bands[i].name, colours[c.series.size() + i], false, true, false});
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    bool drawn = false;  // a series that draws nothing has no legend entry (no "measured" without bars)
    for (std::size_t k = 0; k < point_count(s) && !drawn; ++k) drawn = finite_point(s, k);
    if (s.name.empty() || !drawn) continue;
    items.push_back({s.name, colours[i], s.dashed, false, s.kind == SeriesKind::bar});
  }
  if (items.empty()) return {};
  Legend out;
  out.svg = "<g class=\"legend\">";
  double x = kMarginLeft, y = 14;
  const double right = c.width - kMarginRight;
  for (const auto& it : items) {
    const double w = 26 + static_cast<double>(it.name.size()) * kCharPx + 16;
    if (x > kMarginLeft && x + w > right) {
      x = kMarginLeft;
      y += kLegendRowPx;
    }
    if (it.band || it.bar) {
      out.svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"20\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"{}/>",
                             px(x), px(y - 9), it.colour, it.band ? "0.25" : "0.85",
                             it.dashed ? fmt::format(" stroke=\"{}\" stroke-dasharray=\"3 2\"", it.colour) : "");
    } else {
      out.svg +=
          fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2.5\"{}/>", px(x),
                      px(y - 4), px(x + 20), px(y - 4), it.colour, it.dashed ? " stroke-dasharray=\"6 4\"" : "");
    }
    out.svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", px(x + 26), px(y), escape_html(it.name));
    x += w;
  }
  out.svg += "</g>";
  out.height = y + 10;
  return out;
}

void axes(std::string& out, const Chart& c, const Plot& p) {
  out += "<g class=\"axes\">";
  for (double v : p.yt.values) {
    const double y = p.sy(v);
    out += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", px(p.left), px(y),
                       px(p.left + p.width), px(y));
    out += fmt::format("<text class=\"tick y\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", px(p.left - 6),
                       px(y + 4), tick_label(v, p.yt.step));
  }
  for (double v : p.xt.values) {
    const double x = p.sx(v);
    out += fmt::format("<line class=\"tickmark\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", px(x),
                       px(p.top + p.height), px(x), px(p.top + p.height + 5));
    out += fmt::format("<text class=\"tick x\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(x),
                       px(p.top + p.height + 18), tick_label(v, p.xt.step));
  }
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", px(p.left), px(p.top),
                     px(p.top + p.height));
  out += fmt::format("<line class=\"axis\" x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>", px(p.left),
                     px(p.left + p.width), px(p.top + p.height));
  if (!c.x_label.empty()) {
    out += fmt::format("<text class=\"label x\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                       px(p.left + p.width / 2), px(c.height - 8), escape_html(c.x_label));
  }
  if (!c.y_label.empty()) {
    const double cx = 16, cy = p.top + p.height / 2;
    out += fmt::format(
        "<text class=\"label y\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\" transform=\"rotate(-90 {0} "
        "{1})\">{2}</text>",
        px(cx), px(cy), escape_html(c.y_label));
  }
  out += "</g>";
}

// Runs of consecutive finite points, so that a gap (NaN) breaks the line.
template <class Finite>
std::vector<std::vector<std::size_t>> runs_of(std::size_t n, Finite finite) {
  std::vector<std::vector<std::size_t>> runs;
  std::vector<std::size_t> cur;
  for (std::size_t i = 0; i < n; ++i) {
    if (finite(i)) {
      cur.push_back(i);
    } else if (!cur.empty()) {
      runs.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) runs.push_back(std::move(cur));
  return runs;
}

std::string point_title(const std::string& name, double x, double y) {
  return fmt::format("<title>{}: {} at {}</title>", escape_html(name), format_sig(y, 4), format_sig(x, 4));
}

void band(std::string& out, const Band& b, const std::string& colour, const Plot& p) {
  const std::size_t n = std::min({b.x.size(), b.low.size(), b.high.size()});
  const auto runs = runs_of(
      n, [&](std::size_t i) { return std::isfinite(b.x[i]) && std::isfinite(b.low[i]) && std::isfinite(b.high[i]); });
  for (const auto& r : runs) {
    std::string pts;
    for (std::size_t i : r) pts += fmt::format("{},{} ", px(p.sx(b.x[i])), px(p.sy(b.low[i])));
    for (auto it = r.rbegin(); it != r.rend(); ++it)
      pts += fmt::format("{},{} ", px(p.sx(b.x[*it])), px(p.sy(b.high[*it])));
    pts.pop_back();
    out += fmt::format(
        "<polygon class=\"band\" data-series=\"{}\" points=\"{}\" fill=\"{}\" fill-opacity=\"0.22\" "
        "stroke=\"none\"><title>{}</title></polygon>",
        escape_html(b.name), pts, colour, escape_html(b.name));
  }
}

void line(std::string& out, const Series& s, const std::string& colour, const Plot& p) {
  const auto runs = runs_of(point_count(s), [&](std::size_t i) { return finite_point(s, i); });
  const std::string name = escape_html(s.name);
  for (const auto& r : runs) {
    std::string pts;
    for (std::size_t i : r) pts += fmt::format("{},{} ", px(p.sx(s.x[i])), px(p.sy(s.y[i])));
    pts.pop_back();
    if (s.kind == SeriesKind::area) {
      const double base = p.sy(std::clamp(0.0, p.yt.lo, p.yt.hi));
      out += fmt::format(
          "<polygon class=\"area\" data-series=\"{}\" points=\"{},{} {} {},{}\" fill=\"{}\" fill-opacity=\"0.18\" "
          "stroke=\"none\"/>",
          name, px(p.sx(s.x[r.front()])), px(base), pts, px(p.sx(s.x[r.back()])), px(base), colour);
    }
    out += fmt::format(
        "<polyline class=\"series {}\" data-series=\"{}\" data-points=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"2\" stroke-linejoin=\"round\"{}/>",
        s.kind == SeriesKind::area ? "area-line" : "line", name, r.size(), pts, colour,
        s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    // A lone point draws no line: it always gets a marker, or it would vanish.
    if (s.markers || r.size() == 1) {
      for (std::size_t i : r) {
        out += fmt::format(
            "<circle class=\"marker\" data-series=\"{}\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\">{}</circle>", name,
            px(p.sx(s.x[i])), px(p.sy(s.y[i])), colour, point_title(s.name, s.x[i], s.y[i]));
      }
    }
  }
}

void bars(std::string& out, const Chart& c, const std::vector<std::string>& colours, const Plot& p) {
  // Side by side, only series with a bar to draw take a place in the group.
  std::vector<std::size_t> idx;
  std::set<double> drawn, slots;
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const Series& s = c.series[i];
    if (s.kind != SeriesKind::bar) continue;
    bool any = false;
    for (std::size_t k = 0; k < point_count(s); ++k) {
      if (std::isfinite(s.x[k])) slots.insert(s.x[k]);
      if (finite_point(s, k)) {
        drawn.insert(s.x[k]);
        any = true;
      }
    }
    if (any) idx.push_back(i);
  }
  const double slot_px = bar_slot(c) / (p.xt.hi - p.xt.lo) * p.width;
  const double group_px = std::clamp(slot_px * 0.72, 1.0, kMaxBarGroupPx);  // few bars: not slabs
  const double one_px = c.stacked_bars || idx.empty() ? group_px : group_px / static_cast<double>(idx.size());
  std::map<double, double> stack_top;  // x -> stacked height so far (data units)
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const Series& s = c.series[idx[k]];
    const std::string name = escape_html(s.name);
    for (std::size_t i = 0; i < point_count(s); ++i) {
      if (!finite_point(s, i)) continue;
      double y0 = 0;
      if (c.stacked_bars) {
        y0 = stack_top[s.x[i]];
        stack_top[s.x[i]] = y0 + s.y[i];
      }
      const double y1 = y0 + s.y[i];
      const double x_px = p.sx(s.x[i]) - group_px / 2 + (c.stacked_bars ? 0 : one_px * static_cast<double>(k));
      const double top = std::min(p.sy(y0), p.sy(y1)), bottom = std::max(p.sy(y0), p.sy(y1));
      out += fmt::format(
          "<rect class=\"bar\" data-series=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "fill-opacity=\"0.85\"{}>{}</rect>",
          name, px(x_px), px(top), px(std::max(0.5, one_px - 1)), px(bottom - top), colours[idx[k]],
          s.dashed ? fmt::format(" stroke=\"{}\" stroke-dasharray=\"3 2\"", colours[idx[k]]) : "",
          point_title(s.name, s.x[i], s.y[i]));
    }
  }
  // A slot without any bar: say so, so that a missing value never reads as a zero.
  for (double x : slots) {
    if (drawn.count(x)) continue;
    out += fmt::format("<text class=\"bar-missing\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">n/a</text>", px(p.sx(x)),
                       px(p.top + p.height - 6));
  }
}

}  // namespace

const std::vector<std::string>& palette() {
  static const std::vector<std::string> p = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                             "#56B4E9", "#D55E00", "#8C7A00", "#000000"};
  return p;
}

Ticks nice_ticks(double lo, double hi, int target, bool integers_only) {
  Ticks t;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return t;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (mag * m >= raw) {
      step = mag * m;
      break;
    }
  }
  if (integers_only) step = std::max(1.0, std::round(step));
  t.step = step;
  t.lo = std::floor(lo / step + 1e-9) * step;
  t.hi = std::ceil(hi / step - 1e-9) * step;
  if (t.hi <= t.lo) t.hi = t.lo + step;
  const auto n = static_cast<long>(std::llround((t.hi - t.lo) / step));
  for (long i = 0; i <= n; ++i) t.values.push_back(t.lo + static_cast<double>(i) * step);
  return t;
}

std::string tick_label(double v, double step) {
  if (!std::isfinite(v)) return "";
  if (std::abs(v) < step * 1e-9) v = 0;  // -0 and rounding noise at zero
  const double a = std::abs(v);
  if (a != 0 && (a >= 1e9 || a < 1e-6)) return fmt::format("{:.3g}", v);
  const int decimals = step >= 1 ? 0 : std::min(12, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

std::string format_sig(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  digits = std::clamp(digits, 1, 17);
  if (v == 0) return "0";  // exact: no trailing zeros that suggest a rounded value
  const int mag = static_cast<int>(std::floor(std::log10(std::abs(v))));
  const int decimals = std::clamp(digits - 1 - mag, 0, 12);
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find_first_not_of("-0.") == std::string::npos) s.erase(0, s[0] == '-' ? 1 : 0);  // no "-0.00"
  return s;
}

std::string escape_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string render(const Chart& c) {
  std::vector<std::string> colours;
  std::size_t next = 0;
  auto pick = [&](const std::string& want) { return want.empty() ? palette()[next++ % palette().size()] : want; };
  for (const auto& s : c.series) colours.push_back(pick(s.color));
  for (const auto& b : c.bands) colours.push_back(b.color.empty() ? "#E69F00" : b.color);

  Range xr, yr;
  bool any_bar = false;
  std::map<double, double> stacked;
  bool any_point = false;
  for (const auto& s : c.series) {
    for (std::size_t i = 0; i < point_count(s); ++i) {
      if (s.kind == SeriesKind::bar && std::isfinite(s.x[i])) {
        xr.add(s.x[i]);  // a missing bar keeps its slot
        any_bar = true;
      }
      if (!finite_point(s, i)) continue;
      any_point = true;
      xr.add(s.x[i]);
      if (s.kind == SeriesKind::bar && c.stacked_bars) {
        yr.add(stacked[s.x[i]] += s.y[i]);
      } else {
        yr.add(s.y[i]);
      }
    }
  }
  for (const auto& b : c.bands) {
    const std::size_t n = std::min({b.x.size(), b.low.size(), b.high.size()});
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(b.x[i]) || !std::isfinite(b.low[i]) || !std::isfinite(b.high[i])) continue;
      any_point = true;
      xr.add(b.x[i]);
      yr.add(b.low[i]);
      yr.add(b.high[i]);
    }
  }

  const std::string title = escape_html(c.title);
  std::string out = fmt::format(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\" font-size=\"{}\">"
      "<title>{}</title>",
      px(c.width), px(c.height), title, px(kFontPx), title);
  if (!any_point) {
    out += fmt::format(
        "<rect class=\"empty\" x=\"1\" y=\"1\" width=\"{}\" height=\"{}\" fill=\"#f6f6f6\" stroke=\"#ccc\"/>",
        px(c.width - 2), px(c.height - 2));
    out += fmt::format("<text class=\"empty-message\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></svg>",
                       px(c.width / 2), px(c.height / 2), escape_html(c.empty_message));
    return out;
  }
  if (any_bar) {
    const double half = bar_slot(c) / 2;
    xr.lo -= half;
    xr.hi += half;
  }
  if (c.y_from_zero) yr.add(0);
  if (c.x_from_zero) xr.add(0);

  const Legend leg = legend(c, colours);
  Plot p;
  p.left = kMarginLeft;
  p.top = std::max(16.0, leg.height + 10);
  p.width = c.width - kMarginLeft - kMarginRight;
  p.height = std::max(40.0, c.height - p.top - kMarginBottom);
  p.xt = nice_ticks(xr.lo, xr.hi, 8, c.integer_x_ticks);
  p.yt = nice_ticks(yr.lo, yr.hi, 5);
  if (any_bar) {
    // Bars sit between ticks: keep the padded range exact rather than widened to a tick.
    p.xt.lo = xr.lo;
    p.xt.hi = xr.hi;
    std::erase_if(p.xt.values, [&](double v) { return v < xr.lo - 1e-9 || v > xr.hi + 1e-9; });
  }

  out += leg.svg;
  axes(out, c, p);
  out += "<g class=\"data\">";
  for (std::size_t i = 0; i < c.bands.size(); ++i) band(out, c.bands[i], colours[c.series.size() + i], p);
  bars(out, c, colours, p);
  for (std::size_t i = 0; i < c.series.size(); ++i)
    if (c.series[i].kind != SeriesKind::bar) line(out, c.series[i], colours[i], p);
  out += "</g></svg>";
  return out;
}

}  // namespace carbontracker::report::svg
