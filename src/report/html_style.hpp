// The inline style sheet of the HTML report (src/report/html_report.cpp). System fonts only, no
// url(), no @import: the report must render offline exactly as written. Readable at 1280 px wide
// and printable (charts never split across pages).
#pragma once

#include <string_view>

namespace carbontracker::report {

inline std::string_view html_style() {
  return R"CSS(
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #d9d9de; --bg-soft: #f6f7f9; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 40px 0 12px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 8px; }
.meta, figcaption, .note { color: var(--muted); font-size: 0.9rem; }
nav ul { margin: 8px 0; padding-left: 20px; columns: 2; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.basis { color: var(--muted); }
.charts { display: grid; grid-template-columns: 1fr; gap: 20px; }
figure.chart-box, .table-box { margin: 0 0 20px; padding: 14px 16px; border: 1px solid var(--line);
  border-radius: 8px; background: #fff; break-inside: avoid; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart .grid { stroke: #ececf0; stroke-width: 1; }
svg.chart .axis, svg.chart .tickmark { stroke: #888; stroke-width: 1; }
svg.chart text { fill: #333; }
svg.chart .label { fill: #555; }
svg.chart .empty-message { fill: var(--muted); }
.why-not { margin: 0; padding: 18px; background: var(--bg-soft); border: 1px dashed #c4c4cc; border-radius: 6px;
  color: var(--muted); }
.warning { color: var(--warn); background: #fff6e6; padding: 6px 10px; border-left: 3px solid #e69f00; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.estimated td { background: #f2f8fd; }
.na { color: var(--muted); font-style: italic; }
.split, .statement { margin: 10px 0 0; }
.statement { padding: 10px 12px; background: var(--bg-soft); border-radius: 6px; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; white-space: pre-line; }
@media print { main { max-width: none; padding: 0; } h2 { break-before: page; } }
)CSS";
}

}  // namespace carbontracker::report
