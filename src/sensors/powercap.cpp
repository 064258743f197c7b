// stub, replaced by the backend implementation
#include "sensors/backends.hpp"
namespace carbontracker::sensors {
void probe_powercap(const SensorContext&, Coverage&, ProbeOutput&) {}
}
