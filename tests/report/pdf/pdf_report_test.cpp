// The PDF report read back by a real PDF reader: poppler's pdfinfo, pdftotext and pdfimages
// (Debian's poppler-utils) as child processes. Page count, the text of the facts, totals, epoch
// rows and labels, the charts' axis labels (the charts stay vector: text, no raster image), the
// attributions, and the pagination of a long run.
//
// poppler-utils missing is a failure, not a skip: scripts/install-deps installs it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "intensity/tables.hpp"
#include "job_event_logs.hpp"
#include "report/aggregate.hpp"
#include "report/formats.hpp"
#include "report/html_parts.hpp"
#include "report/log_reader.hpp"
#include "report/pdf_report.hpp"
#include "sample_runs.hpp"
#include "test_support.hpp"

namespace carbontracker::report {
namespace {

namespace fs = std::filesystem;
using carbontracker::testing::run_process;
using carbontracker::testing::TempDir;

std::string poppler(const std::string& tool) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const fs::path p = fs::path(dir) / tool;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  ADD_FAILURE() << tool << " not found: install poppler-utils (scripts/install-deps)";
  return tool;
}

// Whitespace runs as one space: pdftotext breaks lines where the layout wrapped them.
std::string squeeze(const std::string& s) { return std::regex_replace(s, std::regex(R"(\s+)"), " "); }
// No whitespace at all: pango may also break a line after a "/" in a URL.
std::string no_space(const std::string& s) { return std::regex_replace(s, std::regex(R"(\s+)"), ""); }

class PdfFile {
 public:
  explicit PdfFile(const std::string& bytes) : path_(dir_ / "report.pdf") {
    carbontracker::testing::write_file(path_, bytes);
  }
  explicit PdfFile(fs::path existing) : path_(std::move(existing)) {}

  [[nodiscard]] const fs::path& path() const { return path_; }
  [[nodiscard]] std::string info() const {
    const auto r = run_process({poppler("pdfinfo"), path_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  [[nodiscard]] int pages() const {
    std::smatch m;
    const std::string i = info();
    return std::regex_search(i, m, std::regex(R"(Pages:\s+(\d+))")) ? std::stoi(m[1]) : -1;
  }
  // The text as laid out (rows of a table on one line); page 0: the whole document.
  [[nodiscard]] std::string text(int page = 0, bool layout = true) const {
    std::vector<std::string> argv = {poppler("pdftotext"), "-enc", "UTF-8"};
    if (layout) argv.emplace_back("-layout");
    if (page > 0) argv.insert(argv.end(), {"-f", std::to_string(page), "-l", std::to_string(page)});
    argv.insert(argv.end(), {path_.string(), "-"});
    const auto r = run_process(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  // The raster images pdfimages lists (the lines after its two header lines).
  [[nodiscard]] int images() const {
    const auto r = run_process({poppler("pdfimages"), "-list", path_.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    int lines = 0;
    for (char c : r.out) lines += c == '\n';
    return lines - 2;
  }

 private:
  TempDir dir_;
  fs::path path_;
};

HtmlOptions fixed_options() {
  HtmlOptions o;
  o.generated_at = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01
  return o;
}

TEST(PdfReport, IsAPdfThatPopplerOpensWithItsTitleAndPages) {
  const std::string bytes = render_pdf_report({testing::event_log_run()}, fixed_options());
  ASSERT_EQ(bytes.rfind("%PDF-", 0), 0u);
  PdfFile pdf(bytes);
  const std::string info = pdf.info();
  EXPECT_NE(info.find("carbontracker report"), std::string::npos) << info;
  EXPECT_NE(info.find("Creator:         carbontracker"), std::string::npos) << info;
  EXPECT_GE(pdf.pages(), 2);
  EXPECT_NE(pdf.text(1).find("generated 2026-01-01 00:00:00 UTC"), std::string::npos);
  EXPECT_NE(pdf.text(1).find("page 1"), std::string::npos);
}

TEST(PdfReport, HoldsTheChartsAsVectorsWithTheirAxisLabelsAndLegends) {
  PdfFile pdf(render_pdf_report({testing::event_log_run()}, fixed_options()));
  const std::string text = squeeze(pdf.text(0, false));
  for (const char* label :
       {"Power over time", "time since the run started (s)", "mean power (W)", "cpu (estimated)", "Energy per epoch",
        "facility energy (mWh)", "predicted per-epoch level", "Cumulative CO2eq", "epochs finished",
        "Carbon intensity", "gCO2eq/kWh", "prediction interval"})
    EXPECT_NE(text.find(label), std::string::npos) << label;
  // Drawn by librsvg through cairo: paths and text, no bitmap.
  EXPECT_EQ(pdf.images(), 0);
}

TEST(PdfReport, LabelsMeasuredEstimatedAndLoggedValues) {
  PdfFile pdf(render_pdf_report({testing::event_log_run(), testing::python_log_run()}, fixed_options()));
  const std::string text = squeeze(pdf.text(0, false));
  EXPECT_NE(text.find("estimated (not measured)"), std::string::npos);  // the cpu channel
  EXPECT_NE(text.find("measured, part estimated or simulated"), std::string::npos);  // event-log epochs
  EXPECT_NE(text.find("logged (average power x duration)"), std::string::npos);      // text-log epochs
  EXPECT_NE(text.find("Device energy of the finished epochs: measured"), std::string::npos);
  EXPECT_NE(text.find("(text logs do not split it)"), std::string::npos);
  // The HTML fragments became styled text, never tags or entities.
  for (const char* leak : {"<span", "class=", "&amp;", "&lt;", "&#39;", "<br>"})
    EXPECT_EQ(text.find(leak), std::string::npos) << leak;
}

TEST(PdfReport, ReadsTheTotalsEpochRowsAndAttributionsOfRealLogs) {
  const fs::path logs = carbontracker::testing::fixtures_dir() / "logs";
  const ReadResult read = read_logs({logs / "ours", logs / "python-v2"});
  ASSERT_EQ(read.runs.size(), 2u);
  PdfFile pdf(render_pdf_report(read.runs, fixed_options()));
  const std::string layout = pdf.text();
  const std::string text = squeeze(pdf.text(0, false));
  std::vector<RunFigures> figs;
  for (const auto& r : read.runs) figs.push_back(figures_for(r));
  const TotalFigures total = totals_for(figs);
  EXPECT_NE(text.find("Summary of all runs"), std::string::npos);
  EXPECT_NE(text.find("total (2 runs)"), std::string::npos);
  EXPECT_NE(text.find(html::kwh_text(total.energy_kwh)), std::string::npos) << html::kwh_text(total.energy_kwh);
  EXPECT_NE(text.find(html::mass_text(total.co2eq_g)), std::string::npos) << html::mass_text(total.co2eq_g);
  EXPECT_NE(no_space(text).find(no_space(paper_statement(total, false))), std::string::npos);
  // Every epoch of both runs is a row: index, duration, facility energy.
  for (const auto& r : read.runs) {
    EXPECT_NE(text.find("Run " + std::to_string(&r - read.runs.data() + 1) + ": " + r.stem), std::string::npos);
    for (const auto& e : r.epochs) {
      const std::string row = fmt::format(R"((^|\n)\s*{}\s+{}\s+{}\s)", e.index, html::duration_text(e.duration_s),
                                          html::energy_text(*epoch_facility_energy_j(r, e)));
      EXPECT_TRUE(std::regex_search(layout, std::regex(row))) << row;
    }
  }
  const std::string attribution = squeeze(intensity::data_attributions());
  EXPECT_NE(text.find(attribution.substr(0, attribution.find('.') + 1)), std::string::npos) << attribution;
  EXPECT_NE(text.find("CPU TDP table: CodeCarbon"), std::string::npos);
}

TEST(PdfReport, SaysWhatIsDamagedAndListsTheProblemsMetWhileReading) {
  const ReadResult read = read_logs({carbontracker::testing::fixtures_dir() / "logs" / "damaged-values"});
  ASSERT_FALSE(read.issues.empty());
  HtmlOptions o = fixed_options();
  o.issues = read.issues;
  PdfFile pdf(render_pdf_report(read.runs, o));
  const std::string text = squeeze(pdf.text(0, false));
  EXPECT_NE(text.find("left out of the totals: damaged value at"), std::string::npos);
  EXPECT_NE(text.find("not counted: damaged value at"), std::string::npos);
  EXPECT_NE(text.find(fmt::format("Problems while reading ({})", read.issues.size())), std::string::npos);
  EXPECT_NE(text.find("not in this log"), std::string::npos);
  // "nan" only where a problem quotes the log ("Energy is nan kWh"), never as a figure.
  const std::string figures = std::regex_replace(text, std::regex(R"(is nan)"), "");
  EXPECT_EQ(figures.find("nan"), std::string::npos);
  EXPECT_EQ(figures.find("inf "), std::string::npos);
}

TEST(PdfReport, ALongRunContinuesItsEpochTableOnEveryPageUnderItsHeader) {
  RunData r = testing::event_log_run();
  const EpochData first = r.epochs.front();
  r.epochs.clear();
  for (int i = 1; i <= 300; ++i) {
    EpochData e = first;
    e.index = i;
    r.epochs.push_back(e);
  }
  PdfFile pdf(render_pdf_report({r}, fixed_options()));
  const int pages = pdf.pages();
  ASSERT_GE(pages, 8);
  std::set<int> rows;
  int table_pages = 0;
  const std::regex row(R"((^|\n)\s*(\d+)\s+6\.00 s\s)");
  for (int p = 1; p <= pages; ++p) {
    const std::string page = pdf.text(p);
    int on_page = 0;
    for (std::sregex_iterator it(page.begin(), page.end(), row), end; it != end; ++it) {
      rows.insert(std::stoi((*it)[2]));
      ++on_page;
    }
    if (on_page == 0) continue;
    ++table_pages;
    EXPECT_NE(page.find("of which"), std::string::npos) << "page " << p << " has epoch rows but no header";
    EXPECT_NE(page.find(fmt::format("page {}", p)), std::string::npos);
  }
  EXPECT_GE(table_pages, 5);
  ASSERT_EQ(rows.size(), 300u);
  EXPECT_EQ(*rows.begin(), 1);
  EXPECT_EQ(*rows.rbegin(), 300);
}

TEST(PdfReport, NoRunSaysSoOnOnePage) {
  PdfFile pdf(render_pdf_report({}, fixed_options()));
  EXPECT_EQ(pdf.pages(), 1);
  EXPECT_NE(pdf.text().find("No carbontracker run was found"), std::string::npos);
}

TEST(PdfReport, ADistributedJobHasItsSectionWithNamedGaps) {
  TempDir logs;
  auto specs = carbontracker::testing::two_by_two_job("4242");
  specs.erase(specs.begin() + 1);
  specs.back().finished = false;
  specs.back().epochs.resize(2);
  for (const auto& s : specs) {
    carbontracker::testing::write_job_event_log(logs.path(), s, fmt::format("r{}_{}.0_20261207", *s.rank, s.pid));
  }
  PdfFile pdf(render_pdf_report(read_logs({logs.path()}).runs, fixed_options()));
  const std::string text = squeeze(pdf.text(0, false));
  EXPECT_NE(text.find("Distributed jobs"), std::string::npos) << text;
  EXPECT_NE(text.find("Job 4242 (slurm)"), std::string::npos) << text;
  EXPECT_NE(text.find("rank 1 of 4 wrote no log: not counted, not estimated"), std::string::npos) << text;
  EXPECT_NE(text.find("rank 3 on node2 did not finish"), std::string::npos) << text;
  EXPECT_NE(text.find("CPU and DRAM of node2"), std::string::npos) << text;
}

}  // namespace
}  // namespace carbontracker::report
