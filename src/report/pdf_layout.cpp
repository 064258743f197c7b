#include "report/pdf_layout.hpp"

#include <cairo-pdf.h>
#include <fmt/format.h>
#include <librsvg/rsvg.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

#include "report/svg_chart.hpp"

namespace carbontracker::report::pdf {
namespace {

// A4 portrait in points; the bottom margin leaves room for the page footer.
constexpr double kPageW = 595.276, kPageH = 841.89;
constexpr double kMarginX = 48, kTop = 48, kBottom = kPageH - 56;
constexpr double kCellPad = 3.5, kBoxPad = 7;
constexpr const char* kFont = "DejaVu Sans, Liberation Sans, sans-serif";
constexpr const char* kMuted = "#5f6368";

// The report's own style rules for the SVG charts (html_style.hpp holds them for the HTML page):
// without them librsvg would draw axes and grid lines without a stroke.
constexpr const char* kChartStyle =
    "<style>.grid{stroke:#ececf0;stroke-width:1}.axis,.tickmark{stroke:#888;stroke-width:1}"
    "text{fill:#333}.label{fill:#555}.empty-message{fill:#5f6368}</style>";

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

void set_colour(cairo_t* cr, const char* hex) {
  unsigned r = 0, g = 0, b = 0;
  if (std::sscanf(hex, "#%02x%02x%02x", &r, &g, &b) != 3) r = g = b = 0;
  cairo_set_source_rgb(cr, r / 255.0, g / 255.0, b / 255.0);
}

// The plain text of a markup string (for the outline), the markup itself when it does not parse.
std::string plain_text(const std::string& markup) {
  char* text = nullptr;
  if (!pango_parse_markup(markup.c_str(), -1, 0, nullptr, &text, nullptr, nullptr)) return markup;
  std::string out = text;
  g_free(text);
  return out;
}

struct GErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};
struct GObjectUnref {
  void operator()(void* o) const { g_object_unref(o); }
};

}  // namespace

std::string html_to_markup(const std::string& fragment) {
  std::string s = fragment;
  replace_all(s, "<span class=\"na damage\">", fmt::format("<span style=\"italic\" foreground=\"{}\">", kMuted));
  replace_all(s, "<span class=\"na\">", fmt::format("<span style=\"italic\" foreground=\"{}\">", kMuted));
  replace_all(s, "<span class=\"basis\">", fmt::format("<span foreground=\"{}\">", kMuted));
  replace_all(s, "<br>", "\n");
  replace_all(s, "</a>", "");
  for (std::size_t at = s.find("<a "); at != std::string::npos; at = s.find("<a ", at)) {
    const std::size_t end = s.find('>', at);
    if (end == std::string::npos) break;
    s.erase(at, end - at + 1);
  }
  return s;
}

Document::Document(const std::string& title, std::chrono::system_clock::time_point created) : title_(title) {
  surface_ = cairo_pdf_surface_create_for_stream(append_bytes, &bytes_, kPageW, kPageH);
  cr_ = cairo_create(surface_);
  if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_status(cr_));
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
    throw PdfError("cannot start the PDF document: " + why);
  }
  const std::time_t t = std::chrono::system_clock::to_time_t(created);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const std::string date = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "carbontracker");
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  y_ = kTop;
}

Document::~Document() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);
  // Pango's font map (one per thread, also used by librsvg) holds fontconfig's font sets through
  // a thread-private pointer that leak checkers cannot see: dropped after each document, finished
  // or not, so that an ASan build reports no leak; the next one builds a new map (milliseconds).
  pango_cairo_font_map_set_default(nullptr);
}

double Document::text_width() const { return kPageW - 2 * kMarginX; }

PangoLayout* Document::layout(const std::string& markup, const TextStyle& style, double width_pt, bool right) {
  PangoLayout* l = pango_cairo_create_layout(cr_);
  PangoFontDescription* font = pango_font_description_from_string(kFont);
  pango_font_description_set_size(font, static_cast<gint>(style.size_pt * PANGO_SCALE));
  if (style.bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  if (style.italic) pango_font_description_set_style(font, PANGO_STYLE_ITALIC);
  pango_layout_set_font_description(l, font);
  pango_font_description_free(font);
  pango_layout_set_width(l, static_cast<int>(std::max(1.0, width_pt) * PANGO_SCALE));
  pango_layout_set_wrap(l, PANGO_WRAP_WORD);
  if (right) pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
  if (markup.find_first_of("<&") == std::string::npos) {
    pango_layout_set_text(l, markup.c_str(), -1);
  } else if (pango_parse_markup(markup.c_str(), -1, 0, nullptr, nullptr, nullptr, nullptr)) {
    pango_layout_set_markup(l, markup.c_str(), -1);
  } else {
    pango_layout_set_text(l, markup.c_str(), -1);  // shown as written rather than lost
  }
  return l;
}

double Document::height_of(PangoLayout* l) const {
  int w = 0, h = 0;
  pango_layout_get_size(l, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

void Document::ensure(double height_pt) {
  if (!page_empty_ && y_ + height_pt > kBottom) new_page();
  page_empty_ = false;
}

void Document::footer() {
  TextStyle s{.size_pt = 7.5, .colour = kMuted};
  PangoLayout* l = layout(::carbontracker::report::svg::escape_html(title_) + fmt::format(" \u2014 page {}", page_), s, text_width(), true);
  set_colour(cr_, s.colour);
  cairo_move_to(cr_, kMarginX, kPageH - 36);
  pango_cairo_show_layout(cr_, l);
  g_object_unref(l);
}

void Document::new_page() {
  footer();
  cairo_show_page(cr_);
  ++page_;
  y_ = kTop;
  page_empty_ = true;
}

void Document::space(double pt) {
  if (!page_empty_) y_ += pt;
}

void Document::heading(const std::string& text_markup, int level, double keep_with_next_pt) {
  if (level == 2 && y_ > kTop + 100) new_page();  // the title block alone does not take a page
  const TextStyle s{.size_pt = level == 1 ? 18.0 : level == 2 ? 14.0 : 10.5, .bold = true};
  PangoLayout* l = layout(text_markup, s, text_width());
  const double h = height_of(l);
  // A block heading never stands alone at the bottom of a page.
  ensure(h + (level == 3 ? keep_with_next_pt : 0));
  if (level <= 2) {
    const std::string link = fmt::format("page={} pos=[{} {}]", page_, kMarginX, y_);
    cairo_pdf_surface_add_outline(surface_, CAIRO_PDF_OUTLINE_ROOT, plain_text(text_markup).c_str(), link.c_str(),
                                  CAIRO_PDF_OUTLINE_FLAG_OPEN);
  }
  set_colour(cr_, s.colour);
  cairo_move_to(cr_, kMarginX, y_);
  pango_cairo_show_layout(cr_, l);
  g_object_unref(l);
  y_ += h + (level == 3 ? 4 : 8);
}

void Document::paragraph(const std::string& markup, const TextStyle& style) {
  const double pad = style.boxed ? kBoxPad : 0;
  const double x = kMarginX + style.indent_pt;
  PangoLayout* l = layout(markup, style, text_width() - style.indent_pt - 2 * pad);
  const double h = height_of(l) + 2 * pad;
  ensure(h);
  if (style.boxed) {
    cairo_rectangle(cr_, x, y_, text_width() - style.indent_pt, h);
    set_colour(cr_, "#f6f7f9");
    cairo_fill_preserve(cr_);
    set_colour(cr_, "#c4c4cc");
    cairo_set_line_width(cr_, 0.6);
    cairo_stroke(cr_);
  }
  set_colour(cr_, style.colour);
  cairo_move_to(cr_, x + pad, y_ + pad);
  pango_cairo_show_layout(cr_, l);
  g_object_unref(l);
  y_ += h + 6;
}

void Document::facts(const std::vector<std::pair<std::string, std::string>>& rows) {
  const double key_w = text_width() * 0.2;
  for (const auto& [key, value] : rows) {
    PangoLayout* k = layout(key, TextStyle{.colour = kMuted}, key_w - 6);
    PangoLayout* v = layout(value, TextStyle{}, text_width() - key_w);
    const double h = std::max(height_of(k), height_of(v));
    ensure(h);
    set_colour(cr_, kMuted);
    cairo_move_to(cr_, kMarginX, y_);
    pango_cairo_show_layout(cr_, k);
    set_colour(cr_, "#1d1d1f");
    cairo_move_to(cr_, kMarginX + key_w, y_);
    pango_cairo_show_layout(cr_, v);
    g_object_unref(k);
    g_object_unref(v);
    y_ += h + 2;
  }
  y_ += 6;
}

Document::Row::~Row() {
  for (PangoLayout* l : cells) g_object_unref(l);
}

void Document::lay_out(Row& row, const std::vector<std::string>& cells, const Table& t, bool bold) {
  double h = 0;
  for (std::size_t c = 0; c < cells.size() && c < t.widths.size(); ++c) {
    const bool right = c < t.numeric.size() && t.numeric[c];
    row.cells.push_back(layout(cells[c], TextStyle{.size_pt = 7.5, .bold = bold},
                               t.widths[c] * text_width() - 2 * kCellPad, right));
    h = std::max(h, height_of(row.cells.back()));
  }
  row.height = h + 2 * kCellPad;
}

void Document::draw_row(const Row& row, const Table& t, const char* fill) {
  if (fill) {
    cairo_rectangle(cr_, kMarginX, y_, text_width(), row.height);
    set_colour(cr_, fill);
    cairo_fill(cr_);
  }
  double x = kMarginX;
  for (std::size_t c = 0; c < row.cells.size(); ++c) {
    set_colour(cr_, "#1d1d1f");
    cairo_move_to(cr_, x + kCellPad, y_ + kCellPad);
    pango_cairo_show_layout(cr_, row.cells[c]);
    x += t.widths[c] * text_width();
  }
  set_colour(cr_, "#d9d9de");
  cairo_set_line_width(cr_, 0.5);
  cairo_move_to(cr_, kMarginX, y_ + row.height);
  cairo_line_to(cr_, kMarginX + text_width(), y_ + row.height);
  cairo_stroke(cr_);
  y_ += row.height;
}

void Document::table_header(const Table& t) {
  if (t.head.empty()) return;
  Row head;
  lay_out(head, t.head, t, true);
  draw_row(head, t, "#f6f7f9");
}

void Document::table(const Table& t) {
  // The header with at least its first row, then row by row; a row that does not fit continues
  // the table on a new page under the header again.
  Row head, first;
  if (!t.head.empty()) lay_out(head, t.head, t, true);
  if (!t.rows.empty()) lay_out(first, t.rows.front(), t, false);
  ensure(head.height + first.height);
  table_header(t);
  auto draw = [&](const Row& row, const char* fill) {
    if (y_ + row.height > kBottom) {
      new_page();
      page_empty_ = false;
      table_header(t);
    }
    draw_row(row, t, fill);
  };
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const char* fill = i < t.shaded.size() && t.shaded[i] ? "#f2f8fd" : nullptr;
    if (i == 0) {
      draw(first, fill);
      continue;
    }
    Row row;
    lay_out(row, t.rows[i], t, false);
    draw(row, fill);
  }
  if (!t.foot.empty()) {
    Row foot;
    lay_out(foot, t.foot, t, true);
    draw(foot, nullptr);
  }
  y_ += 8;
}

void Document::svg(const std::string& svg_text) {
  std::string doc = svg_text;
  if (const std::size_t open = doc.find("<svg"); open != std::string::npos) {
    if (const std::size_t end = doc.find('>', open); end != std::string::npos) doc.insert(end + 1, kChartStyle);
  }
  GError* raw_error = nullptr;
  std::unique_ptr<RsvgHandle, GObjectUnref> handle(
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(doc.data()), doc.size(), &raw_error));
  std::unique_ptr<GError, GErrorFree> error(raw_error);
  if (!handle) throw PdfError("librsvg cannot read a chart: " + std::string(error ? error->message : "unknown error"));
  gboolean has_viewbox = FALSE;
  RsvgRectangle viewbox{};
  rsvg_handle_get_intrinsic_dimensions(handle.get(), nullptr, nullptr, nullptr, nullptr, &has_viewbox, &viewbox);
  const double aspect = has_viewbox && viewbox.width > 0 ? viewbox.height / viewbox.width : 0.36;
  const RsvgRectangle viewport{kMarginX, 0, text_width(), text_width() * aspect};
  ensure(viewport.height);
  RsvgRectangle at = viewport;
  at.y = y_;
  cairo_save(cr_);
  const gboolean ok = rsvg_handle_render_document(handle.get(), cr_, &at, &raw_error);
  cairo_restore(cr_);
  error.reset(raw_error);
  if (!ok) throw PdfError("librsvg cannot draw a chart: " + std::string(error ? error->message : "unknown error"));
  y_ += viewport.height + 4;
}

std::string Document::finish() {
  if (finished_) throw PdfError("the PDF document is already finished");
  footer();
  cairo_destroy(cr_);
  cr_ = nullptr;
  cairo_surface_finish(surface_);
  const cairo_status_t status = cairo_surface_status(surface_);
  cairo_surface_destroy(surface_);
  surface_ = nullptr;
  finished_ = true;
  if (status != CAIRO_STATUS_SUCCESS)
    throw PdfError(std::string("cannot write the PDF document: ") + cairo_status_to_string(status));
  return std::move(bytes_);
}

}  // namespace carbontracker::report::pdf
