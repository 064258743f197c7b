// stub, replaced by the backend implementation
#include "sensors/backends.hpp"
namespace carbontracker::sensors {
void probe_perf_power(const SensorContext&, PerfEventApi&, Coverage&, ProbeOutput&) {}
}
