// The PDF report of `carbontracker report --format pdf` and of the Python tool's CLI form
// `carbontracker --report LOG --output report.pdf`: the HTML report (html_report.hpp) on A4 pages,
// with no browser: cairo's PDF surface, pango for the text, librsvg for the charts (the very SVG
// the HTML report embeds). What it holds: docs/report.md.
//
// Contract
//  - Input and honesty rules: as render_html_report (same RunData, same options, the same charts,
//    facts, tables and labels: measured, estimated, simulated, predicted, "not in this log"). It
//    adds what a printed page cannot show by hovering a chart: a table of the epochs.
//  - Output: the bytes of a PDF document; text stays text (pdftotext reads it), charts stay vector.
//    One section per run, each starting on a new page; long tables continue on the next page
//    under their repeated header; a chart is never split; every page is numbered; the PDF
//    outline lists the sections.
//  - Reads nothing but the system's fonts (fontconfig); thread-safe (nothing shared but pango's
//    and fontconfig's own caches); pure function of its inputs (plus the clock when
//    options.generated_at is unset).
//  - Throws pdf::PdfError (a std::runtime_error) when cairo or librsvg fail, std::bad_alloc.
#pragma once

#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "report/run_data.hpp"

namespace carbontracker::report {

std::string render_pdf_report(const std::vector<RunData>& runs, const HtmlOptions& options);

}  // namespace carbontracker::report
