// The values the prediction module reasons with: NaN for "cannot be predicted" (never printed:
// the outputs turn it into words) and the one test for a value that may enter an estimate.
#pragma once

#include <cmath>
#include <limits>

namespace carbontracker::prediction {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// Finite and not negative: an observation that can be extrapolated from.
inline bool usable(double v) noexcept { return std::isfinite(v) && v >= 0.0; }

}  // namespace carbontracker::prediction
