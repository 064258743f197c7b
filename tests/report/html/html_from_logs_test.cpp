// The HTML report of real logs (tests/fixtures/logs: written by our tracker and by the Python
// carbontracker v1/v2), read by the log reader: every run gets its four charts or the reason why
// not, simulated and estimated channels are labelled, and no NaN/inf ever reaches the page.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "report/html_report.hpp"
#include "report/log_reader.hpp"
#include "test_support.hpp"

namespace carbontracker::report {
namespace {

using carbontracker::testing::count_of;

std::string logs_figure(const std::string& html, const std::string& id) {
  const auto start = html.find("<figure class=\"chart-box\" id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  return html.substr(start, html.find("</figure>", start) - start);
}

TEST(ReportFromLogs, EveryFixtureRunHasItsChartsOrSaysWhyNot) {
  std::vector<std::filesystem::path> dirs;  // the reader does not descend: one path per directory
  for (const auto& d : std::filesystem::directory_iterator(carbontracker::testing::fixtures_dir() / "logs"))
    if (d.is_directory()) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  const ReadResult read = read_logs(dirs);
  ASSERT_GE(read.runs.size(), 3u);
  HtmlOptions o;
  o.issues = read.issues;
  const std::string html = render_html_report(read.runs, o);
  EXPECT_NE(html.find("id=\"summary\""), std::string::npos);
  for (std::size_t i = 1; i <= read.runs.size(); ++i) {
    for (const char* chart : {"power", "epochs", "co2", "intensity"}) {
      const std::string id = "run-" + std::to_string(i) + "-" + chart;
      const std::string fig = logs_figure(html, id);
      ASSERT_FALSE(fig.empty()) << id;
      const bool drawn = fig.find("<svg class=\"chart\"") != std::string::npos;
      const bool explained = fig.find("class=\"why-not\">Not drawn: ") != std::string::npos;
      EXPECT_NE(drawn, explained) << id << ": " << fig.substr(0, 300);
    }
  }
  // Numbers only: no NaN or infinity printed anywhere (absent values are "not in this log"). The
  // problem list and a damaged run's note quote the log's own text ("Energy is nan kWh"): not figures.
  std::string figures_only = html;
  const auto issues_at = figures_only.find("<section class=\"issues\">");
  ASSERT_NE(issues_at, std::string::npos);
  figures_only.erase(issues_at, figures_only.find("</section>", issues_at) - issues_at);
  for (std::size_t at; (at = figures_only.find("<span class=\"na damage\">")) != std::string::npos;)
    figures_only.erase(at, figures_only.find("</span>", at) - at);
  const std::regex bad(R"((^|[^A-Za-z])(nan|inf|NaN|Inf)([^A-Za-z]|$))");
  std::smatch m;
  EXPECT_FALSE(std::regex_search(figures_only, m, bad))
      << m.str() << " near " << figures_only.substr(m.position() > 80 ? m.position() - 80 : 0, 200);
}

TEST(ReportFromLogs, OurEventLogLabelsSimulatedAndEstimatedChannels) {
  const ReadResult read = read_logs({carbontracker::testing::fixtures_dir() / "logs" / "ours"});
  ASSERT_EQ(read.runs.size(), 1u);
  const RunData& run = read.runs[0];
  ASSERT_EQ(run.format, "carbontracker-cpp-events-v1");
  const std::string html = render_html_report(read.runs, {});
  std::size_t estimated = 0;
  for (const auto& c : run.channels) estimated += c.method == "estimated" || c.method == "simulated";
  ASSERT_GT(estimated, 0u);  // the fixture was written with simulated components
  EXPECT_EQ(count_of(html, "<tr class=\"estimated\">"), estimated);
  EXPECT_EQ(count_of(html, " (not measured)</td>"), estimated);
  // Each finished epoch has its bar(s), and the cumulative CO2eq has one point per epoch plus 0.
  const std::string epochs = logs_figure(html, "run-1-epochs");
  EXPECT_GE(count_of(epochs, "<rect class=\"bar\""), run.epochs.size());
  const std::string co2 = logs_figure(html, "run-1-co2");
  EXPECT_NE(co2.find("data-points=\"" + std::to_string(run.epochs.size() + 1) + "\""), std::string::npos) << co2;
  const std::string power = logs_figure(html, "run-1-power");
  if (run.power.size() >= 2) {
    EXPECT_NE(power.find("<svg"), std::string::npos);
  } else {
    EXPECT_NE(power.find("fewer than two power records"), std::string::npos);
  }
}

TEST(ReportFromLogs, PythonLogsHaveNoTimeline) {
  const ReadResult read = read_logs({carbontracker::testing::fixtures_dir() / "logs" / "python-v1"});
  ASSERT_FALSE(read.runs.empty());
  const std::string html = render_html_report(read.runs, {});
  for (std::size_t i = 1; i <= read.runs.size(); ++i) {
    const std::string power = logs_figure(html, "run-" + std::to_string(i) + "-power");
    EXPECT_NE(power.find("logs hold no power timeline"), std::string::npos) << power;
  }
}

}  // namespace
}  // namespace carbontracker::report
