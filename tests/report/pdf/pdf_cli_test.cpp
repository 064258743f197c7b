// `carbontracker report --format pdf` and the Python tool's form `carbontracker --report LOG
// --output report.pdf`, run as child processes; the files read back with poppler's pdfinfo.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using carbontracker::testing::read_text;
using carbontracker::testing::run_process;
using carbontracker::testing::TempDir;

const fs::path kLogs = carbontracker::testing::fixtures_dir() / "logs";

int pdf_pages(const fs::path& file) {
  const auto r = run_process({"/usr/bin/pdfinfo", file.string()});
  EXPECT_EQ(r.exit_code, 0) << "pdfinfo (poppler-utils, scripts/install-deps): " << r.err;
  const auto at = r.out.find("Pages:");
  return at == std::string::npos ? -1 : std::stoi(r.out.substr(at + 6));
}

TEST(PdfCli, ReportFormatPdfWritesTheOutputFile) {
  TempDir dir;
  const auto r = run_process({CARBONTRACKER_CLI, "report", "--format", "pdf", (kLogs / "multi-run").string(),
                              "--output", (dir / "runs.pdf").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote " + (dir / "runs.pdf").string()), std::string::npos) << r.err;
  EXPECT_EQ(read_text(dir / "runs.pdf").rfind("%PDF-", 0), 0u);
  // The summary, then one section per run (3 runs), each on its own pages.
  EXPECT_GE(pdf_pages(dir / "runs.pdf"), 4);
}

TEST(PdfCli, ReportFormatPdfGoesToARedirectedStandardOutput) {
  const auto r = run_process({CARBONTRACKER_CLI, "report", "--format", "pdf", (kLogs / "python-v2").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("%PDF-", 0), 0u);
  EXPECT_NE(r.out.find("%%EOF"), std::string::npos);
}

TEST(PdfCli, PdfOntoATerminalIsAUsageErrorThatSaysWhatToDo) {
  // script(1) (util-linux) gives the command a pseudo-terminal as its standard output.
  const std::string cmd =
      std::string(CARBONTRACKER_CLI) + " report --format pdf " + (kLogs / "python-v2").string();
  const auto r = run_process({"/usr/bin/script", "-qec", cmd, "/dev/null"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("give --output FILE.pdf (or redirect standard output)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("%PDF-"), std::string::npos);
}

TEST(PdfCli, PythonFormReportWritesAPdfUnderThePdfName) {
  TempDir dir;
  const fs::path log = kLogs / "python-v2" / "4242.517230_2025-11-18T155354Z_carbontracker.log";
  const auto r = run_process({CARBONTRACKER_CLI, "--report", log.string(), "--output", (dir / "report.pdf").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(dir / "report.pdf"));
  EXPECT_FALSE(fs::exists(dir / "report.html"));
  EXPECT_EQ(read_text(dir / "report.pdf").rfind("%PDF-", 0), 0u);
  EXPECT_GE(pdf_pages(dir / "report.pdf"), 1);
}

TEST(PdfCli, PythonFormWithAnHtmlOutputStillGetsTheHtmlReport) {
  TempDir dir;
  const fs::path log = kLogs / "python-v2" / "4242.517230_2025-11-18T155354Z_carbontracker.log";
  const auto r = run_process({CARBONTRACKER_CLI, "--report", log.string(), "--output", (dir / "r.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(dir / "r.html").rfind("<!DOCTYPE html>", 0), 0u);
}

}  // namespace
