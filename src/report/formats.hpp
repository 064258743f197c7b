// The outputs of `carbontracker report`: a text summary with the statement researchers paste into
// a paper (optionally as LaTeX), and machine-readable JSON and CSV with versioned, documented
// columns (docs/report.md). Locale-independent.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/aggregate.hpp"
#include "report/jobs.hpp"

namespace carbontracker::report {

// "The training of models in this work is estimated to use X kWh of electricity contributing to
// Y kg of CO2eq. This is equivalent to Z km travelled by car. ..." with the basis disclosed.
std::string paper_statement(const TotalFigures& t, bool latex);

// `jobs` (jobs_for over the same runs): a "Jobs" section after the total when there is one; the
// text of runs that were no job's processes is as it was before jobs existed.
std::string render_text(const std::vector<RunFigures>& runs, const TotalFigures& t, const std::vector<ReadIssue>& issues,
                        bool latex, const std::vector<JobFigures>& jobs = {});
nlohmann::json render_json(const std::vector<RunFigures>& runs, const TotalFigures& t,
                           const std::vector<ReadIssue>& issues, const std::vector<JobFigures>& jobs = {});
// One row per run; columns documented in docs/report.md (first line is the header).
std::string render_csv(const std::vector<RunFigures>& runs);
// One row per job attempt (`report --format csv --table jobs`); columns in docs/report.md.
std::string render_jobs_csv(const std::vector<JobFigures>& jobs);
// A job's JSON object (the entries of render_json's "jobs").
nlohmann::json job_json(const JobFigures& job);

}  // namespace carbontracker::report
