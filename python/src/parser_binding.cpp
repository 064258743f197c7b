// The Python carbontracker's parser functions over report/python_compat, returning the Python
// tool's shapes as plain dicts, lists and tuples (carbontracker/parser.py turns the arrays into
// numpy arrays where the Python tool returned them). The GIL is released while the logs are read.
// A log directory that does not exist (or is not a directory) raises the OSError os.listdir
// raises (FileNotFoundError / NotADirectoryError), as in the Python tool.
#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "report/python_compat.hpp"

namespace py = pybind11;
namespace pc = carbontracker::report::python_compat;

namespace carbontracker::python {
namespace {

py::list floats(const std::vector<double>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = py::float_(v[i]);
  return out;
}

py::list rows(const std::vector<std::vector<double>>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = floats(v[i]);
  return out;
}

py::list strings(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = py::str(v[i]);
  return out;
}

py::dict number_map(const std::map<std::string, double>& m) {
  py::dict out;
  for (const auto& [k, v] : m) out[py::str(k)] = py::float_(v);
  return out;
}

py::object consumption(const std::optional<pc::ConsumptionDict>& c) {
  if (!c) return py::none();
  py::dict d;
  d["epochs"] = c->epochs;
  d["duration (s)"] = c->duration_s;
  d["energy (kWh)"] = c->energy_kwh;
  d["co2eq (g)"] = c->co2eq_g;
  d["equivalents"] = c->equivalents ? py::object(number_map(*c->equivalents)) : py::object(py::none());
  return py::object(std::move(d));
}

py::dict component_logs(const std::map<std::string, pc::ComponentLog>& logs) {
  // In the order of the components line, as the Python tool's dict.
  std::vector<std::pair<std::string, const pc::ComponentLog*>> ordered;
  for (const auto& [name, c] : logs) ordered.emplace_back(name, &c);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.second->position < b.second->position; });
  py::dict out;
  for (const auto& [name, cp] : ordered) {
    const pc::ComponentLog& c = *cp;
    py::dict d;
    d["avg_power_usages (W)"] = c.avg_power_usages_w ? py::object(rows(*c.avg_power_usages_w)) : py::object(py::none());
    d["avg_energy_usages (J)"] =
        c.avg_energy_usages_j ? py::object(rows(*c.avg_energy_usages_j)) : py::object(py::none());
    d["epoch_durations (s)"] = c.epoch_durations_s ? py::object(floats(*c.epoch_durations_s)) : py::object(py::none());
    d["devices"] = strings(c.devices);
    // Not keys of the Python tool's dict: carbontracker/parser.py takes them out (MismatchedEpochsError,
    // get_epoch_energies).
    d["_mismatch"] = c.mismatch;
    d["_epoch_energy (J)"] = floats(c.epoch_energy_j);
    out[py::str(name)] = std::move(d);
  }
  return out;
}

py::list issue_list(const std::vector<report::ReadIssue>& issues) {
  py::list out;
  for (const auto& i : issues) out.append(py::make_tuple(i.file, i.line, i.message));
  return out;
}

// f() without the GIL; a std::filesystem::filesystem_error becomes the OSError of its errno
// (Python picks the subclass: FileNotFoundError for ENOENT), with the path as its filename.
template <class T, class F>
T without_gil(F&& f) {
  try {
    py::gil_scoped_release release;
    return f();
  } catch (const std::filesystem::filesystem_error& e) {
    const int code = e.code().category() == std::generic_category() || e.code().category() == std::system_category()
                         ? e.code().value()
                         : EIO;
    const py::object err = py::module_::import("builtins").attr("OSError")(code, std::generic_category().message(code),
                                                                           e.path1().string());
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
    throw py::error_already_set();
  }
}

}  // namespace

void bind_parser(py::module_& m) {
  m.def("get_consumption", [](const std::string& text) {
    auto [actual, pred] = without_gil<decltype(pc::get_consumption(text))>([&] { return pc::get_consumption(text); });
    return py::make_tuple(consumption(actual), consumption(pred));
  });
  m.def("get_early_stop", [](const std::string& text) { return pc::get_early_stop(text); });
  m.def("get_devices", [](const std::string& text) {
    py::dict out;
    for (const auto& [k, v] : pc::get_devices(text)) out[py::str(k)] = strings(v);
    return out;
  });
  m.def("get_epoch_durations", [](const std::string& text) { return floats(pc::get_epoch_durations(text)); });
  m.def("get_avg_power_usages", [](const std::string& text) {
    py::dict out;
    for (const auto& [k, v] : pc::get_avg_power_usages(text)) out[py::str(k)] = rows(v);
    return out;
  });
  m.def(
      "parse_logs",
      // "" for a file: the most recent one in log_dir (None in Python).
      [](const std::string& log_dir, const std::string& std_log_file, const std::string& output_log_file) {
        std::vector<report::ReadIssue> issues;
        auto logs = without_gil<std::map<std::string, pc::ComponentLog>>([&] {
          std::optional<std::filesystem::path> s, o;
          if (!std_log_file.empty()) s = std_log_file;
          if (!output_log_file.empty()) o = output_log_file;
          return pc::parse_logs(log_dir, s, o, &issues);
        });
        return py::make_tuple(component_logs(logs), issue_list(issues));
      },
      py::arg("log_dir"), py::arg("std_log_file") = "", py::arg("output_log_file") = "");
  m.def("parse_all_logs", [](const std::string& log_dir) {
    std::vector<report::ReadIssue> issues;
    auto entries = without_gil<std::vector<pc::LogEntry>>([&] { return pc::parse_all_logs(log_dir, &issues); });
    py::list out;
    for (const auto& e : entries) {
      py::dict d;
      d["output_filename"] = e.output_filename;
      d["standard_filename"] = e.standard_filename;
      d["components"] = component_logs(e.components);
      d["early_stop"] = e.early_stop;
      d["actual"] = consumption(e.actual);
      d["pred"] = consumption(e.pred);
      out.append(std::move(d));
    }
    return py::make_tuple(out, issue_list(issues));
  });
  m.def("aggregate_consumption", [](const std::string& log_dir) {
    std::vector<report::ReadIssue> issues;
    auto a = without_gil<pc::AggregateConsumption>([&] { return pc::aggregate_consumption(log_dir, &issues); });
    py::list runs;
    for (const auto& r : a.runs) runs.append(py::make_tuple(r.file, std::string(report::to_string(r.basis))));
    py::dict d;
    d["energy (kWh)"] = a.energy_kwh;
    d["co2eq (g)"] = a.co2eq_g;
    d["equivalents"] = number_map(a.equivalents);
    d["basis"] = std::string(pc::to_string(a.basis));
    d["runs"] = runs;
    d["sentence"] = pc::aggregate_sentence(a);
    d["issues"] = issue_list(issues);
    return d;
  });
}

}  // namespace carbontracker::python
