#include "py_streams.hpp"

#include <cstdio>

namespace py = pybind11;

namespace carbontracker::python {

bool interpreter_finalizing() noexcept {
#if PY_VERSION_HEX >= 0x030D0000
  return !Py_IsInitialized() || Py_IsFinalizing();
#else
  return !Py_IsInitialized() || _Py_IsFinalizing();
#endif
}

namespace {

void write_c_stdout(const char* data, std::size_t n) noexcept {
  std::fwrite(data, 1, n, stdout);
  std::fflush(stdout);
}

}  // namespace

PyStdoutBuf::~PyStdoutBuf() {
  if (!pending_.empty()) write_c_stdout(pending_.data(), pending_.size());
}

PyStdoutBuf::int_type PyStdoutBuf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  pending_.push_back(traits_type::to_char_type(ch));
  if (ch == '\n') emit_through(pending_.size());
  return ch;
}

std::streamsize PyStdoutBuf::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  const auto last_newline = pending_.rfind('\n');
  if (last_newline != std::string::npos) emit_through(last_newline + 1);
  return n;
}

std::optional<py::error_already_set> PyStdoutBuf::take_error() {
  auto e = std::move(error_);
  error_.reset();
  return e;
}

int PyStdoutBuf::sync() {
  emit_through(pending_.size());
  return 0;
}

void PyStdoutBuf::emit_through(std::size_t end) {
  if (end == 0) return;
  const std::string text = pending_.substr(0, end);
  pending_.erase(0, end);
  if (interpreter_finalizing()) {
    write_c_stdout(text.data(), text.size());
    return;
  }
  py::gil_scoped_acquire gil;
  bool written = false;
  try {
    py::object out = py::module_::import("sys").attr("stdout");
    if (!out.is_none()) {
      // The tracker's text is UTF-8 (paths, device names); a stray byte must not lose the line.
      py::object str = py::reinterpret_steal<py::object>(
          PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace"));
      if (!str) throw py::error_already_set();
      out.attr("write")(str);
      if (py::hasattr(out, "flush")) out.attr("flush")();
      written = true;
    }
  } catch (py::error_already_set& e) {
    // Ctrl-C while writing is the user's, kept for the binding to re-raise; a closed or broken
    // sys.stdout falls through to the C stdout (the report matters more than that error).
    if (e.matches(PyExc_KeyboardInterrupt) && !error_) error_.emplace(std::move(e));
  }
  if (!written) write_c_stdout(text.data(), text.size());
}

std::optional<py::error_already_set> PyInputBuf::take_error() {
  auto e = std::move(error_);
  error_.reset();
  return e;
}

PyInputBuf::int_type PyInputBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (error_ || interpreter_finalizing()) return traits_type::eof();
  py::gil_scoped_acquire gil;
  try {
    line_ = py::module_::import("builtins").attr("input")().cast<std::string>();
  } catch (py::error_already_set& e) {
    if (!e.matches(PyExc_EOFError)) error_.emplace(std::move(e));
    return traits_type::eof();
  } catch (const py::cast_error&) {
    return traits_type::eof();  // input() replaced by something that returns a non-string
  }
  line_.push_back('\n');
  setg(line_.data(), line_.data(), line_.data() + line_.size());
  return traits_type::to_int_type(*gptr());
}

}  // namespace carbontracker::python
