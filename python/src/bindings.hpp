// The two halves of the extension module, registered by module.cpp.
//
// Contract: both run once, at import, with the GIL held. The functions they register release
// the GIL while C++ works and take it back only to build Python objects, to write the console
// (py_streams.hpp) or to read an answer with input(). C++ exceptions never cross into Python
// untranslated: they become the classes of carbontracker.exceptions (see raise_as_python).
#pragma once

#include <exception>

#include <pybind11/pybind11.h>

namespace carbontracker::python {

void bind_tracker(pybind11::module_& m);
void bind_parser(pybind11::module_& m);

// Rethrows `error` (a C++ exception from the tracker) as the matching Python exception of
// carbontracker.exceptions: ConfigError (ValueError, with .parameter), TrackerError,
// StopTraining, BudgetExceeded (with .event). Needs the GIL; always throws.
[[noreturn]] void raise_as_python(const std::exception_ptr& error);

}  // namespace carbontracker::python
