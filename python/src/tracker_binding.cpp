// carbontracker._carbontracker.Tracker: the C++ tracker facade for the Python CarbonTracker
// (python/carbontracker/tracker.py holds the Python tool's signature and defaults; this class
// takes the options as a dict so both stay in one place each).
//
// Why the console and stdin go through Python: notebooks, contextlib.redirect_stdout and pytest
// capture replace sys.stdout, not file descriptor 1; and stop_and_confirm / `ask` budgets must
// read with input() like the Python tool (so a test can patch builtins.input). The tracker
// writes and reads only on the calling thread, so only that thread ever takes the GIL here;
// the sampler thread never does.
#include <unistd.h>

#include <exception>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "core/text.hpp"
#include "carbontracker/tracker.hpp"
#include "json_to_python.hpp"
#include "outputs/results_json.hpp"
#include "py_streams.hpp"
#include "io/fs.hpp"
#include "tracker/config_bounds.hpp"
#include "tracker/config_keys.hpp"
#include "tracker/safe_text.hpp"

namespace py = pybind11;

namespace carbontracker::python {

[[noreturn]] void raise_as_python(const std::exception_ptr& error) {
  py::module_ exceptions = py::module_::import("carbontracker.exceptions");
  auto raise = [&](const char* cls_name, py::tuple args) {
    py::object cls = exceptions.attr(cls_name);
    py::object exc = cls(*args);
    PyErr_SetObject(cls.ptr(), exc.ptr());
    throw py::error_already_set();
  };
  try {
    std::rethrow_exception(error);
  } catch (py::error_already_set&) {
    throw;
  } catch (const NoComponentsAvailable& e) {
    raise("NoComponentsAvailableError", py::make_tuple(e.what()));
  } catch (const ConfigError& e) {
    // The Python tool raised ComponentNameError for a bad `components`; ours is a ConfigError
    // (a ValueError) either way, so both `except` clauses keep working.
    raise(e.parameter() == "components" ? "ComponentNameError" : "ConfigError",
          py::make_tuple(e.what(), e.parameter()));
  } catch (const BudgetExceeded& e) {
    raise("BudgetExceeded", py::make_tuple(e.what(), to_python(nlohmann::json::parse(outputs::budget_event_json_text(e.event())))));
  } catch (const StopTraining& e) {
    raise("StopTraining", py::make_tuple(e.what()));
  } catch (const TrackerError& e) {
    raise("TrackerError", py::make_tuple(e.what()));
  } catch (const std::exception& e) {
    raise("TrackerError", py::make_tuple(std::string("carbontracker: internal error: ") + e.what()));
  }
  throw std::logic_error("raise_as_python: unreachable");
}

namespace {

// One Python option value as the text the shared key registry parses, so a value given here
// is checked and reported exactly as the same key from the CLI, environment or config file.
std::optional<std::string> option_text(const std::string& key, const py::handle& value) {
  if (value.is_none()) return std::nullopt;  // None: keep the default
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value) || py::isinstance<py::str>(value)) return py::str(value).cast<std::string>();
  if (py::isinstance<py::float_>(value)) return py::repr(value).cast<std::string>();  // round-trips
  if (py::hasattr(value, "__fspath__")) {
    return py::module_::import("os").attr("fsdecode")(value).cast<std::string>();
  }
  // numpy scalars and other numbers: their int/float form.
  if (py::hasattr(value, "__index__")) return py::str(py::int_(py::reinterpret_borrow<py::object>(value))).cast<std::string>();
  if (py::hasattr(value, "__float__")) {
    return py::repr(py::float_(py::reinterpret_borrow<py::object>(value))).cast<std::string>();
  }
  throw ConfigError(key, "unsupported type " + py::str(value.get_type().attr("__name__")).cast<std::string>(),
                    "give " + key + " as a number, bool, string or path");
}

// The registry's message speaks of text ("expected an integer, got \"2.5\""); here the value
// is a Python object, so the message shows its repr and the fix names the Python parameter.
ConfigError bad_value(const std::string& key, const py::handle& value, const std::string& text, const Status& st) {
  // A number out of its range, or a string the shared checks refuse (NUL, a prefix with '/'):
  // the shared problem and fix (tracker/config_bounds.hpp), not a type complaint.
  if (auto p = tracker::text_problem(key, text)) return {key, p->problem, p->fix};
  if (auto v = text::parse_double(text, key)) {
    if (auto p = tracker::number_problem(key, *v)) return {key, p->problem, p->fix};
  }
  static const std::map<std::string, std::string> kPhrases = {
      {"int", "an integer"}, {"number", "a finite number"}, {"bool", "True or False"},
      {"warn|ask|stop", "one of \"warn\", \"ask\", \"stop\""}};
  for (const auto& k : tracker::config_keys()) {
    if (k.name != key) continue;
    const auto phrase = kPhrases.find(k.type);
    if (phrase == kPhrases.end()) break;
    return {key, "expected " + phrase->second + ", got " + tracker::excerpt(py::repr(value).cast<std::string>()),
            "pass " + key + " as " + phrase->second + " (" + k.description + ")"};
  }
  return {key, tracker::shorten_echo(st.message(), text), st.fix()};
}

Config make_config(const py::dict& options, const py::object& api_keys) {
  Config config;
  for (const auto& [k, v] : options) {
    const auto key = k.cast<std::string>();
    const auto text = option_text(key, v);
    if (!text) continue;
    const Status st = tracker::set_config_key(config, key, *text, "CarbonTracker(" + key + "=...)");
    if (!st) throw bad_value(key, v, *text, st);
  }
  if (!api_keys.is_none()) {
    if (!py::isinstance<py::dict>(api_keys)) {
      throw ConfigError("api_keys", "must be a dict of provider name to key",
                        "pass e.g. api_keys={\"electricitymaps\": \"KEY\"}");
    }
    for (const auto& [k, v] : api_keys.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k) || !py::isinstance<py::str>(v)) {
        // Never echo the value: it is a secret.
        throw ConfigError("api_keys", "keys and values must be strings",
                          "pass e.g. api_keys={\"electricitymaps\": \"KEY\"}");
      }
      config.api_keys[k.cast<std::string>()] = v.cast<std::string>();
    }
  }
  return config;
}

class NativeTracker {
 public:
  NativeTracker(const py::dict& options, const py::object& api_keys) {
    std::exception_ptr error;
    try {
      Config config = make_config(options, api_keys);
      TrackerEnvironment env;
      // The Python tool's monitor_epochs=-1: monitoring goes on until stop().
      env.monitor_until_stop = true;
      env.console = &console_;
      env.input = &input_;
      py::gil_scoped_release release;
      try {
        tracker_ = std::make_unique<Tracker>(std::move(config), std::move(env));
      } catch (...) {
        error = std::current_exception();
      }
    } catch (py::error_already_set&) {
      throw;
    } catch (...) {
      error = std::current_exception();
    }
    finish_call(error);
  }

  NativeTracker(const NativeTracker&) = delete;
  NativeTracker& operator=(const NativeTracker&) = delete;

  ~NativeTracker() {
    // The tracker's destructor stops it (final report) if nobody did; it joins the sampler,
    // which must not wait for a GIL we hold. While the interpreter is finalizing the GIL is
    // left alone (the console then writes to the C stdout).
    if (!tracker_) return;
    if (::getpid() != owner_pid_) {
      // A forked child's copy: its sampler thread does not exist here and the report is the
      // parent's to write. Leaked on purpose; the child's memory goes with it.
      (void)tracker_.release();
      return;
    }
    if (interpreter_finalizing()) {
      tracker_.reset();
      return;
    }
    py::gil_scoped_release release;
    tracker_.reset();
  }

  void epoch_start() {
    call([&] { tracker_->epoch_start(); });
  }
  // Returns finished(): the wrapper needs it after every epoch_end, and one call into the
  // module is cheaper than two. The EpochRecord is not converted (the Python API returns None).
  bool epoch_end() {
    call([&] { (void)tracker_->epoch_end(); });
    return tracker_->finished();
  }
  void discard_epoch() {
    call([&] { tracker_->discard_epoch(); });
  }
  void stop() {
    call([&] { tracker_->stop(); });
  }
  bool finished() const { return tracker_->finished(); }

  void set_api_keys(const py::object& keys) {
    Config scratch;
    try {
      scratch = make_config(py::dict(), keys);
    } catch (const ConfigError&) {
      raise_as_python(std::current_exception());
    }
    // An unknown provider name is refused at the call, as FetcherNameError (the Python tool's
    // name; it exits the process with status 70 instead). Nothing was changed then.
    try {
      call([&] { tracker_->set_api_keys(std::move(scratch.api_keys)); });
    } catch (py::error_already_set& e) {
      py::module_ exceptions = py::module_::import("carbontracker.exceptions");
      if (!e.matches(exceptions.attr("ConfigError"))) throw;
      py::object cls = exceptions.attr("FetcherNameError");
      py::object exc = cls(py::str(e.value()), "api_keys");
      PyErr_SetObject(cls.ptr(), exc.ptr());
      throw py::error_already_set();
    }
  }

  py::object snapshot() const {
    nlohmann::json j;
    {
      py::gil_scoped_release release;
      j = nlohmann::json::parse(outputs::summary_json_text(tracker_->snapshot(), -1));
    }
    return to_python(j);
  }

 private:
  template <class F>
  void call(F&& body) {
    if (::getpid() != owner_pid_) {
      raise_as_python(std::make_exception_ptr(TrackerError(
          "carbontracker: this tracker belongs to process " + std::to_string(owner_pid_) +
          "; a forked child cannot use it (create a tracker in the child, or call it from the parent)")));
    }
    std::exception_ptr error;
    {
      py::gil_scoped_release release;
      try {
        body();
      } catch (...) {
        error = std::current_exception();
      }
    }
    finish_call(error);
  }

  // Ctrl-C at the prompt or while printing comes first: it is what the user asked for.
  void finish_call(const std::exception_ptr& error) {
    if (auto e = input_buf_.take_error()) {
      e->restore();
      throw py::error_already_set();
    }
    if (auto e = console_buf_.take_error()) {
      e->restore();
      throw py::error_already_set();
    }
    if (error) raise_as_python(error);
  }

  PyStdoutBuf console_buf_;
  PyInputBuf input_buf_;
  std::ostream console_{&console_buf_};
  std::istream input_{&input_buf_};
  pid_t owner_pid_ = ::getpid();
  std::unique_ptr<Tracker> tracker_;  // last: destroyed first, while the streams still exist
};

}  // namespace

void bind_tracker(py::module_& m) {
  py::class_<NativeTracker>(m, "Tracker",
                            "The C++ tracker. Use carbontracker.tracker.CarbonTracker, which gives it the "
                            "Python tool's signature.")
      .def(py::init<const py::dict&, const py::object&>(), py::arg("options"), py::arg("api_keys") = py::none())
      .def("epoch_start", &NativeTracker::epoch_start)
      .def("epoch_end", &NativeTracker::epoch_end)
      .def("discard_epoch", &NativeTracker::discard_epoch)
      .def("stop", &NativeTracker::stop)
      .def("finished", &NativeTracker::finished)
      .def("set_api_keys", &NativeTracker::set_api_keys, py::arg("api_keys"))
      .def("snapshot", &NativeTracker::snapshot);
  py::list keys;
  for (const auto& k : tracker::config_keys()) keys.append(py::make_tuple(k.name, k.type, k.description));
  m.attr("config_keys") = keys;
}

}  // namespace carbontracker::python
