// stub, replaced by the backend implementation
#include "sensors/perf_event_api.hpp"
namespace carbontracker::sensors {
std::shared_ptr<PerfEventApi> real_perf_event_api() { return nullptr; }
}
