// The outputs of `carbontracker report`: a text summary with the statement researchers paste into
// a paper (optionally as LaTeX), and machine-readable JSON and CSV with versioned, documented
// columns (docs/report.md). Locale-independent.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/aggregate.hpp"

namespace carbontracker::report {

// "The training of models in this work is estimated to use X kWh of electricity contributing to
// Y kg of CO2eq. This is equivalent to Z km travelled by car. ..." with the basis disclosed.
std::string paper_statement(const TotalFigures& t, bool latex);

std::string render_text(const std::vector<RunFigures>& runs, const TotalFigures& t, const std::vector<ReadIssue>& issues,
                        bool latex);
nlohmann::json render_json(const std::vector<RunFigures>& runs, const TotalFigures& t,
                           const std::vector<ReadIssue>& issues);
// One row per run; columns documented in docs/report.md (first line is the header).
std::string render_csv(const std::vector<RunFigures>& runs);

}  // namespace carbontracker::report
