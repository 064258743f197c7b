// The basis a run's figures come from (report::RunFigures) and the words every output prints for
// it (text, JSON, CSV, HTML, PDF, the statement, the Python module): to_string gives them exactly,
// so the formats do not change with the type. aggregate.hpp says what each basis means.
#pragma once

#include <cstdint>
#include <string_view>

namespace carbontracker::report {

enum class RunBasis : std::uint8_t {
  actual,     // the run's actual consumption block
  partial,    // the epochs a killed run completed (only `carbontracker report`, not python_compat)
  predicted,  // its prediction
  damaged,    // the figures that basis needs are NaN, negative or missing: left out of the totals
  none,       // nothing usable
};

constexpr std::string_view to_string(RunBasis b) noexcept {
  switch (b) {
    case RunBasis::actual: return "actual";
    case RunBasis::partial: return "partial";
    case RunBasis::predicted: return "predicted";
    case RunBasis::damaged: return "damaged";
    case RunBasis::none: return "none";
  }
  return "none";
}

}  // namespace carbontracker::report
