// stub, replaced by the backend implementation
#include "sensors/backends.hpp"
namespace carbontracker::sensors {
void probe_estimated_cpu(const SensorContext&, Coverage&, ProbeOutput&) {}
}
