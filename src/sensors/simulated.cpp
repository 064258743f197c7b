// stub, replaced by the backend implementation
#include "sensors/backends.hpp"
namespace carbontracker::sensors {
void probe_simulated_cpu(const SensorContext&, Coverage&, ProbeOutput&) {}
void probe_simulated_gpu(const SensorContext&, Coverage&, ProbeOutput&) {}
}
