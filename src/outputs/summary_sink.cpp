#include "outputs/summary_sink.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "io/safe_file.hpp"
#include "outputs/results_json.hpp"

namespace carbontracker::outputs {

void SummarySink::on_event(const RunEvent& event) {
  if (const auto* started = std::get_if<RunStarted>(&event)) job_ = started->record.job;
  const auto* finished = std::get_if<RunFinished>(&event);
  if (!finished) return;
  const std::string text = summary_json_text(*finished->final_snapshot, 2, job_ ? &*job_ : nullptr) + "\n";
  const Status st = io::write_atomically(path_, text,
                                         "could not write the summary");
  if (st) return;
  struct stat old {};
  if (::lstat(path_.c_str(), &old) == 0 && S_ISREG(old.st_mode)) ::unlink(path_.c_str());
  status_ = st;
}

}  // namespace carbontracker::outputs
