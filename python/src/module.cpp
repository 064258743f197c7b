// carbontracker._carbontracker: the compiled half of the Python package (python/carbontracker/
// is the other half). Importing it does no work beyond registering the classes and functions:
// nothing is probed, spawned or read until a tracker is constructed or a parser function runs.
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "carbontracker/version.hpp"

PYBIND11_MODULE(_carbontracker, m) {
  m.doc() = "C++ core of the carbontracker Python package (use carbontracker.tracker / carbontracker.parser)";
  m.attr("__version__") = carbontracker::kVersion;
  carbontracker::python::bind_tracker(m);
  carbontracker::python::bind_parser(m);
}
