#include "outputs/run_events.hpp"

namespace carbontracker::outputs {

OwnedRunEvent::OwnedRunEvent(const RunEvent& event) : event_(event) {
  if (auto* e = std::get_if<EpochEnded>(&event_)) {
    epoch_ = *e->epoch;
    e->epoch = &*epoch_;
  } else if (auto* f = std::get_if<RunFinished>(&event_)) {
    snapshot_ = *f->final_snapshot;
    f->final_snapshot = &*snapshot_;
  }
}

}  // namespace carbontracker::outputs
