// The page layout under the PDF report (pdf_report.cpp): A4 pages drawn with cairo's PDF surface,
// text set by pango, SVG charts drawn by librsvg. A cursor runs down the page; a block that does
// not fit starts a new page, a long table continues on the next page under its repeated header.
//
// Contract
//  - Text is pango markup: text from logs must be escaped first (svg::escape_html's entities are
//    valid markup); html_to_markup() turns the report's few HTML fragments ("not in this log"
//    spans, <br>) into markup. Markup pango cannot parse is shown as plain text, never dropped.
//  - Everything stays vector: text stays text (pdftotext reads it), charts stay paths and text.
//  - One Document per thread; cairo, pango and librsvg objects never leave it.
//  - Errors of cairo or librsvg (out of memory, an SVG librsvg rejects) throw PdfError.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace carbontracker::report::pdf {

struct PdfError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The report's HTML fragments as pango markup: the "not in this log" / damage / basis spans become
// grey italics, <br> a line break; other tags (links) are dropped, their text kept.
std::string html_to_markup(const std::string& fragment);

struct TextStyle {
  double size_pt = 9;
  bool bold = false;
  bool italic = false;
  const char* colour = "#1d1d1f";
  double indent_pt = 0;
  bool boxed = false;  // a shaded box around it (notes, warnings, "not drawn")
};

struct Table {
  std::vector<std::string> head;     // markup
  std::vector<double> widths;        // fractions of the text width, one per column
  std::vector<bool> numeric;         // right-aligned columns
  std::vector<std::vector<std::string>> rows;  // markup, one per cell
  std::vector<bool> shaded;          // rows drawn on a tinted background (estimated values)
  std::vector<std::string> foot;     // markup; empty: no footer row
};

class Document {
 public:
  Document(const std::string& title, std::chrono::system_clock::time_point created);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  // Level 1: the report title; level 2: a section, starting a new page unless little stands on
  // the current one, and listed in the PDF outline; level 3: a block heading, kept on one page
  // with the next keep_with_next_pt points of what follows.
  void heading(const std::string& text_markup, int level, double keep_with_next_pt = 60);
  void paragraph(const std::string& markup, const TextStyle& style = {});
  // Label / value pairs (the run's facts), as a two-column table without rules.
  void facts(const std::vector<std::pair<std::string, std::string>>& rows);
  void table(const Table& t);
  // An SVG document scaled to the text width (its viewBox gives the aspect), never split.
  void svg(const std::string& svg_text);
  void space(double pt);
  // The PDF bytes; the document cannot be used afterwards.
  std::string finish();

  [[nodiscard]] double text_width() const;

 private:
  PangoLayout* layout(const std::string& markup, const TextStyle& style, double width_pt, bool right = false);
  double height_of(PangoLayout* l) const;
  void ensure(double height_pt);
  void new_page();
  void footer();
  // A table row laid out once: measured to decide the page break, then drawn.
  struct Row {
    std::vector<PangoLayout*> cells;
    double height = 0;
    Row() = default;
    Row(const Row&) = delete;
    Row& operator=(const Row&) = delete;
    ~Row();
  };
  void lay_out(Row& row, const std::vector<std::string>& cells, const Table& t, bool bold);
  void draw_row(const Row& row, const Table& t, const char* fill);
  void table_header(const Table& t);

  std::string bytes_;
  std::string title_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  double y_ = 0;
  int page_ = 1;
  bool page_empty_ = true;
  bool finished_ = false;
};

}  // namespace carbontracker::report::pdf
