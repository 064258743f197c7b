// A sensor restricted to some of its channels: what a rank of a distributed job keeps of what
// the probe found (distributed/measure_scope.hpp), without teaching every backend about ranks.
//
// Contract: keep_channels() returns the sensor itself when every channel is kept, nullptr when
// none is (the sensor is destroyed: e.g. NVML shut down), else a wrapper whose channels are the
// kept ones in their order; its read() calls the inner read() into a buffer reserved at
// construction and renumbers the kept readings (no allocation per read). slow_tick() and
// channels_in_use() pass through, restricted the same way.
#pragma once

#include <memory>
#include <vector>

#include "sensors/sensor_interface.hpp"

namespace carbontracker::sensors {

std::unique_ptr<Sensor> keep_channels(std::unique_ptr<Sensor> sensor, const std::vector<bool>& keep);

}  // namespace carbontracker::sensors
