// The HTML report in a real browser: Debian's chromium, headless, as a child process with a time
// limit, no network, a fresh profile. It must load the file, take a screenshot, and its DOM must
// hold the SVG charts with the data points of the runs.
//
// Chromium missing is a failure, not a skip: CI installs it with scripts/install-deps.
// CARBONTRACKER_CHROMIUM=/path/to/chromium picks another binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>

#include "report/html_report.hpp"
#include "sample_runs.hpp"
#include "test_support.hpp"

namespace carbontracker::report {
namespace {

namespace fs = std::filesystem;
using carbontracker::testing::ProcessResult;
using carbontracker::testing::TempDir;

std::string find_chromium() {
  if (const char* env = std::getenv("CARBONTRACKER_CHROMIUM"); env && *env) return env;
  const char* path = std::getenv("PATH");
  std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser"}) {
    std::size_t start = 0;
    while (start <= dirs.size()) {
      const std::size_t end = std::min(dirs.find(':', start), dirs.size());
      const fs::path p = fs::path(dirs.substr(start, end - start)) / name;
      if (::access(p.c_str(), X_OK) == 0) return p.string();
      start = end + 1;
    }
  }
  return {};
}

// chromium [flags] URL, killed after 50 s (SIGTERM, then SIGKILL 5 s later) by coreutils timeout:
// two runs stay within the 120 s CTest limit of a test.
ProcessResult run_chromium(const std::string& chromium, const TempDir& dir, const std::vector<std::string>& extra,
                           const std::string& url) {
  const fs::path profile = dir / ("profile-" + std::to_string(extra.size()) + "-" + std::to_string(::getpid()));
  fs::create_directories(profile);
  std::vector<std::string> argv = {"/usr/bin/timeout",
                                   "--kill-after=5",
                                   "50",
                                   chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-quic",
                                   "--user-data-dir=" + profile.string(),
                                   "--window-size=1280,2000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  // A home of its own, so nothing is written to (or read from) the real user's profile dirs.
  return carbontracker::testing::run_process(argv, {"HOME=" + (dir / "home").string(), "LANG=C.UTF-8"});
}

std::string section(const std::string& dom, const std::string& id) {
  const auto start = dom.find("id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  return dom.substr(start, dom.find("</figure>", start) - start);
}

// Every polyline of a series: (data-points, number of "x,y" pairs in points), as the browser
// serialised them.
std::vector<std::pair<int, int>> polylines(const std::string& dom, const std::string& series) {
  std::vector<std::pair<int, int>> out;
  const std::regex re("<polyline[^>]*data-series=\"" + series +
                      "\"[^>]*data-points=\"(\\d+)\"[^>]*points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), re); it != std::sregex_iterator(); ++it) {
    const std::string pts = (*it)[2];
    const std::regex pair("-?[0-9.]+,-?[0-9.]+");
    const auto n = std::distance(std::sregex_iterator(pts.begin(), pts.end(), pair), std::sregex_iterator());
    out.emplace_back(std::stoi((*it)[1]), static_cast<int>(n));
  }
  return out;
}

using carbontracker::testing::count_of;

TEST(Browser, ChromiumRendersTheReportWithItsCharts) {
  const std::string chromium = find_chromium();
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed: run scripts/install-deps (it installs Debian's "
                                    "chromium package), or set CARBONTRACKER_CHROMIUM to a chromium binary";
  ASSERT_EQ(::access("/usr/bin/timeout", X_OK), 0) << "coreutils timeout is needed to bound the browser";

  TempDir dir;
  HtmlOptions o;
  o.generated_at = std::chrono::sys_days(std::chrono::year(2024) / 5 / 6);
  const RunData ev = testing::event_log_run();
  const RunData py = testing::python_log_run();
  const fs::path html = dir / "report.html";
  carbontracker::testing::write_file(html, render_html_report({ev, py}, o));
  const std::string url = "file://" + html.string();

  // Screenshot: a PNG of a page full of charts is tens of kB; a blank page is a few hundred bytes.
  const fs::path png = dir / "report.png";
  ProcessResult shot = run_chromium(chromium, dir, {"--screenshot=" + png.string(), "--hide-scrollbars"}, url);
  ASSERT_EQ(shot.exit_code, 0) << "signal " << shot.signal << "\n" << shot.err;
  ASSERT_TRUE(fs::exists(png)) << shot.err;
  EXPECT_GT(fs::file_size(png), 30000u);
  const std::string head = carbontracker::testing::read_text(png).substr(0, 8);
  EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8));
  if (const char* keep = std::getenv("CARBONTRACKER_KEEP_SCREENSHOT"); keep && *keep)
    fs::copy_file(png, keep, fs::copy_options::overwrite_existing);

  ProcessResult dump = run_chromium(chromium, dir, {"--dump-dom"}, url);
  ASSERT_EQ(dump.exit_code, 0) << "signal " << dump.signal << "\n" << dump.err;
  const std::string& dom = dump.out;
  ASSERT_NE(dom.find("</html>"), std::string::npos) << dom.substr(0, 500);

  // Charts: summary 1, the event-log run 4, the Python run 3 (no power timeline).
  EXPECT_EQ(count_of(dom, "<svg class=\"chart\""), 8u);

  // Power: one polyline per component with every interval of the timeline (4), in the DOM.
  const std::string power = section(dom, "run-1-power");
  for (const std::string name : {"gpu", "dram", "cpu \\(estimated\\)"}) {
    const auto lines = polylines(power, name);
    ASSERT_EQ(lines.size(), 1u) << name;
    EXPECT_EQ(lines[0].first, static_cast<int>(ev.power.size() - 1)) << name;
    EXPECT_EQ(lines[0].second, lines[0].first) << name;
  }
  // Energy per epoch: a measured and an estimated bar per epoch.
  const std::string epochs = section(dom, "run-1-epochs");
  EXPECT_EQ(count_of(epochs, "class=\"bar\" data-series=\"measured\""), ev.epochs.size());
  EXPECT_EQ(count_of(epochs, "class=\"bar\" data-series=\"estimated or simulated\""), ev.epochs.size());
  // Cumulative CO2eq: 0 plus each epoch; the prediction interval as a band.
  const auto co2 = polylines(section(dom, "run-1-co2"), "measured");
  ASSERT_EQ(co2.size(), 1u);
  EXPECT_EQ(co2[0].second, static_cast<int>(ev.epochs.size() + 1));
  EXPECT_EQ(count_of(section(dom, "run-1-co2"), "class=\"band\""), 1u);
  // The Python run: bars for its two epochs, and the reason for the missing power chart.
  EXPECT_EQ(count_of(section(dom, "run-2-epochs"), "class=\"bar\""), py.epochs.size());
  EXPECT_NE(section(dom, "run-2-power").find("logs hold no power timeline"), std::string::npos);
  EXPECT_EQ(section(dom, "run-2-power").find("<svg"), std::string::npos);
  EXPECT_NE(dom.find("data-code=\"DEU\""), std::string::npos);
}

}  // namespace
}  // namespace carbontracker::report
