// stub, replaced by the backend implementation
#include "sensors/backends.hpp"
namespace carbontracker::sensors {
void probe_nvml(const SensorContext&, Coverage&, ProbeOutput&) {}
}
