#include "outputs/summary_sink.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "io/safe_file.hpp"
#include "outputs/results_json.hpp"

namespace carbontracker::outputs {

void SummarySink::on_event(const RunEvent& event) {
  const auto* finished = std::get_if<RunFinished>(&event);
  if (!finished) return;
  const Status st = io::write_atomically(path_, summary_json_text(*finished->final_snapshot) + "\n",
                                         "could not write the summary");
  if (st) return;
  struct stat old {};
  if (::lstat(path_.c_str(), &old) == 0 && S_ISREG(old.st_mode)) ::unlink(path_.c_str());
  status_ = st;
}

}  // namespace carbontracker::outputs
