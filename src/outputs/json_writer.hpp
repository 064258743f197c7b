// JsonWriter: writes one JSON document as text without building a JSON value tree, for the
// records the tracker writes while training (event log, summary, C API, Python snapshot).
//
// Why not nlohmann::json values there: destroying an object or array value in nlohmann_json
// 3.11.2 (Debian 12) allocates (destroy() reserves a std::vector), inside a noexcept destructor,
// so one failed allocation terminated the process instead of becoming CT_ERR_NO_MEMORY
// (issue 11, section 6). This writer only holds std::strings and vectors of them, whose
// destructors never allocate: a std::bad_alloc from any call propagates and leaves nothing
// behind that can abort.
//
// Output is byte-identical to nlohmann::json::dump(indent) of the same document: every scalar
// is rendered by nlohmann_json itself (escaping, invalid UTF-8 replaced, shortest round-trip
// doubles, NaN/inf as null), object keys come out sorted as nlohmann's std::map orders them
// (so callers may write keys in any order), and the layout follows dump()'s rules.
//
// Contract: not thread-safe; use one writer per document. Calls must nest properly
// (begin/end pairs, a key before each value inside an object); misuse throws std::logic_error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carbontracker::outputs {

class JsonWriter {
 public:
  // indent < 0: compact, one line (an event-log record); >= 0: pretty, as dump(indent).
  explicit JsonWriter(int indent = -1) : indent_(indent) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // Names the next value of the enclosing object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::nullptr_t);
  JsonWriter& value(bool b);
  JsonWriter& value(int v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(long v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(long long v);
  JsonWriter& value(unsigned v) { return value(static_cast<unsigned long long>(v)); }
  JsonWriter& value(unsigned long v) { return value(static_cast<unsigned long long>(v)); }
  JsonWriter& value(unsigned long long v);
  JsonWriter& value(double v);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  template <typename T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : value(nullptr);
  }
  JsonWriter& value(const std::vector<std::string>& strings);

  // key(name).value(v)
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  // The finished document; the writer is empty afterwards.
  [[nodiscard]] std::string take();

 private:
  struct Frame {
    bool object = false;
    std::vector<std::pair<std::string, std::string>> members;  // raw key (empty in arrays), rendered value
    std::string pending_key;  // raw
    bool has_key = false;
  };
  JsonWriter& scalar(std::string text);
  void put(std::string text);  // a finished value into the enclosing frame, or the document
  [[nodiscard]] std::string close(Frame& frame) const;

  int indent_;
  std::vector<Frame> stack_;
  std::string document_;
  bool done_ = false;
};

}  // namespace carbontracker::outputs
