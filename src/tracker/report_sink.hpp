// The text report as sinks: the console, and the three Python-format logs (std, output, err),
// in the Python tool's formats (outputs/python_format.hpp) and ours (tracker/messages.hpp).
// Both are one ReportSink over an outputs::CarbontrackerLog: the console's log has no files, the
// logs' has no console, so each line is decided once here and each stream gets its part.
// (In tracker/, not outputs/, because its sentences are tracker/messages.hpp's.)
//
// Contract: as outputs/sink.hpp, inline (formatting and buffered writes; the console is
// flushed per line as the Python tool's print). Keeps what the report refers back to: the
// channels, the intensity line of the header (the end repeats it only if it changed) and the
// forecast last printed (run mode prints an update only outside its interval). OutputFailed is
// shown by the console sink only (reports_output_failures). status(): the log files' state.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outputs/carbontracker_log.hpp"
#include "outputs/sink.hpp"

namespace carbontracker::tracker {

// The console of a distributed job's ranks (docs/distributed.md): rank 0 prints the job's final
// report (JobPredicted, JobFinished) instead of its own; the other ranks print warnings,
// questions and rank 0's stop order only.
// The log files are per process whatever the role.
enum class ConsoleRole { process, job_rank0, job_other };

class ReportSink final : public outputs::Sink {
 public:
  ReportSink(std::string name, std::unique_ptr<outputs::CarbontrackerLog> log, bool reports_output_failures,
             ConsoleRole role = ConsoleRole::process)
      : name_(std::move(name)), log_(std::move(log)), reports_output_failures_(reports_output_failures), role_(role) {}

  [[nodiscard]] std::string name() const override { return name_; }
  void on_event(const outputs::RunEvent& event) override;
  void flush() override { log_->flush(); }
  [[nodiscard]] Status status() const override { return log_->status(); }
  void shutdown(std::chrono::milliseconds /*timeout*/) override { log_->flush(); }
  [[nodiscard]] const outputs::CarbontrackerLog& log() const noexcept { return *log_; }

 private:
  void header(const outputs::RunStarted& e);
  void epoch(const outputs::EpochEnded& e);
  void prediction(const outputs::PredictionMade& e);
  void budget(const outputs::BudgetDecided& e);
  void note(const outputs::Note& e);
  void finished(const outputs::RunFinished& e);
  void job_finished(const outputs::JobFinished& e);
  void job_predicted(const outputs::JobPredicted& e);
  void run_breakdown(outputs::WallTime t, const Snapshot& s);

  std::string name_;
  std::unique_ptr<outputs::CarbontrackerLog> log_;
  bool reports_output_failures_ = false;
  ConsoleRole role_ = ConsoleRole::process;
  // From RunStarted.
  std::vector<ChannelInfo> channels_;
  int decimal_precision_ = 12;
  bool interpretable_ = true;
  bool open_ended_ = false;
  int epochs_before_pred_ = 0;
  double pue_ = 1.0;
  std::string header_intensity_line_;
  std::optional<Forecast> last_printed_;  // the forecast whose interval was last printed
};

}  // namespace carbontracker::tracker
