// nlohmann::json -> Python objects (dict, list, str, int, float, bool, None), for snapshot().
// Contract: call with the GIL held; throws py::error_already_set if Python runs out of memory.
// Non-finite doubles stay floats (nan, inf), as Python's json module reads them.
#pragma once

#include <nlohmann/json.hpp>
#include <pybind11/pybind11.h>

namespace carbontracker::python {

pybind11::object to_python(const nlohmann::json& j);

}  // namespace carbontracker::python
