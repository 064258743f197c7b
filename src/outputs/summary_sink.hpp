// The summary JSON (outputs/results_json.hpp) as a sink: written once, at RunFinished, whole or
// not at all (io::write_atomically: a mkstemp temporary in the same directory, renamed over the
// path), so a full disk or a file-size limit never leaves a torn summary, and two runs given the
// same path each leave a complete file (the last one stays).
//
// Contract: as outputs/sink.hpp, inline (one write at the run's end). A summary that cannot be
// written is an error of the run (failure_is_error): the tracker raises it from the next API
// call (or warns with ignore_errors). A previous run's summary left at the path is removed then,
// so it is never read as this run's.
#pragma once

#include <filesystem>
#include <optional>

#include "outputs/sink.hpp"

namespace carbontracker::outputs {

class SummarySink final : public Sink {
 public:
  explicit SummarySink(std::filesystem::path path) : path_(std::move(path)) {}
  [[nodiscard]] std::string name() const override { return "summary JSON"; }
  void on_event(const RunEvent& event) override;
  [[nodiscard]] Status status() const override { return status_; }
  [[nodiscard]] bool failure_is_error() const override { return true; }

 private:
  std::filesystem::path path_;
  Status status_;
  std::optional<JobRecord> job_;  // from RunStarted: the summary names the job too
};

}  // namespace carbontracker::outputs
