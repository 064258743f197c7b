// Logs written by the Python carbontracker itself (tests/fixtures/logs/python-real-*, see the
// README there for how they were made): our reader must count each run as the Python tool's own
// parser.aggregate_consumption() does on the same files. The expected figures are what that
// function returned for these directories (Python 3.11, carbontracker at lfwa/carbontracker
// 8beb2b9), recorded when the fixtures were written.
#include <gtest/gtest.h>

#include <cmath>

#include "report/aggregate.hpp"
#include "report/log_reader.hpp"
#include "report/python_compat.hpp"
#include "test_support.hpp"

namespace carbontracker::report {
namespace {

namespace fs = std::filesystem;

struct Expected {
  const char* dir;
  RunBasis basis;  // ours, for the one run in the directory
  int epochs;
  double energy_kwh;  // Python's aggregate_consumption()[0]
  double co2eq_g;     // Python's aggregate_consumption()[1]
};

constexpr Expected kRuns[] = {
    // monitor_epochs=1, epochs=40, six epochs trained: the prediction for all 40 counts.
    {"python-real-old-default", RunBasis::predicted, 40, 0.000439484412, 0.211392002112},
    // epochs=5, stop() after 3: what was used counts.
    {"python-real-interrupted", RunBasis::actual, 3, 3.2712997e-05, 0.015734951461},
    {"python-real-complete", RunBasis::actual, 3, 3.2314091e-05, 0.015543077768},
};

class PythonRealLogs : public ::testing::TestWithParam<Expected> {};

TEST_P(PythonRealLogs, CountedAsThePythonToolCountsThem) {
  const Expected& e = GetParam();
  const fs::path dir = testing::fixtures_dir() / "logs" / e.dir;
  const ReadResult r = read_logs({dir});
  ASSERT_EQ(r.runs.size(), 1u);
  const RunFigures f = figures_for(r.runs[0]);
  EXPECT_EQ(f.basis, e.basis);
  EXPECT_EQ(f.epochs, e.epochs);
  EXPECT_NEAR(f.energy_kwh, e.energy_kwh, 1e-12);
  EXPECT_NEAR(f.co2eq_g, e.co2eq_g, 1e-9);

  const python_compat::AggregateConsumption a = python_compat::aggregate_consumption(dir);
  EXPECT_NEAR(a.energy_kwh, e.energy_kwh, 1e-12);
  EXPECT_NEAR(a.co2eq_g, e.co2eq_g, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PythonRealLogs, ::testing::ValuesIn(kRuns),
                         [](const auto& test_info) {
                           std::string name = test_info.param.dir;
                           for (auto& c : name) if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace carbontracker::report
