#include "outputs/json_writer.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace carbontracker::outputs {
namespace {

// Scalars only: a string, number, boolean or null value's destructor never allocates.
template <typename T>
std::string render(const T& v) {
  return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

JsonWriter& JsonWriter::begin_object() {
  if (done_) throw std::logic_error("JsonWriter: the document is already complete");
  if (!stack_.empty() && stack_.back().object && !stack_.back().has_key) {
    throw std::logic_error("JsonWriter: an object member needs a key");
  }
  stack_.emplace_back().object = true;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  if (done_) throw std::logic_error("JsonWriter: the document is already complete");
  if (!stack_.empty() && stack_.back().object && !stack_.back().has_key) {
    throw std::logic_error("JsonWriter: an object member needs a key");
  }
  stack_.emplace_back().object = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  if (stack_.empty() || !stack_.back().object || stack_.back().has_key) {
    throw std::logic_error("JsonWriter: end_object() without a matching begin_object()");
  }
  std::string text = close(stack_.back());
  stack_.pop_back();
  put(std::move(text));
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  if (stack_.empty() || stack_.back().object) {
    throw std::logic_error("JsonWriter: end_array() without a matching begin_array()");
  }
  std::string text = close(stack_.back());
  stack_.pop_back();
  put(std::move(text));
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (stack_.empty() || !stack_.back().object || stack_.back().has_key) {
    throw std::logic_error("JsonWriter: key() outside an object, or twice");
  }
  stack_.back().pending_key = std::string(name);
  stack_.back().has_key = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::nullptr_t) { return scalar("null"); }
JsonWriter& JsonWriter::value(bool b) { return scalar(b ? "true" : "false"); }
JsonWriter& JsonWriter::value(long long v) { return scalar(render(static_cast<std::int64_t>(v))); }
JsonWriter& JsonWriter::value(unsigned long long v) { return scalar(render(static_cast<std::uint64_t>(v))); }
JsonWriter& JsonWriter::value(double v) { return scalar(render(v)); }
JsonWriter& JsonWriter::value(std::string_view s) { return scalar(render(std::string(s))); }

JsonWriter& JsonWriter::value(const std::vector<std::string>& strings) {
  begin_array();
  for (const auto& s : strings) value(s);
  return end_array();
}

JsonWriter& JsonWriter::scalar(std::string text) {
  if (done_) throw std::logic_error("JsonWriter: the document is already complete");
  put(std::move(text));
  return *this;
}

void JsonWriter::put(std::string text) {
  if (stack_.empty()) {
    document_ = std::move(text);
    done_ = true;
    return;
  }
  Frame& f = stack_.back();
  if (f.object && !f.has_key) throw std::logic_error("JsonWriter: an object member needs a key");
  f.members.emplace_back(f.object ? std::move(f.pending_key) : std::string(), std::move(text));
  f.has_key = false;
}

// The layout of nlohmann::json::dump(indent): nested values were rendered when they closed,
// one level deeper, so only this level's separators and indentation are added here.
std::string JsonWriter::close(Frame& frame) const {
  const char open = frame.object ? '{' : '[';
  const char end = frame.object ? '}' : ']';
  if (frame.members.empty()) return std::string{open, end};
  if (frame.object) {
    // nlohmann::json keeps object members in a std::map: sorted by key, bytewise.
    std::stable_sort(frame.members.begin(), frame.members.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < frame.members.size(); ++i) {
      if (frame.members[i].first == frame.members[i - 1].first) {
        throw std::logic_error("JsonWriter: duplicate key " + render(frame.members[i].first));
      }
    }
  }
  std::string out(1, open);
  if (indent_ < 0) {
    for (std::size_t i = 0; i < frame.members.size(); ++i) {
      if (i > 0) out += ',';
      if (frame.object) out += render(frame.members[i].first) + ':';
      out += frame.members[i].second;
    }
  } else {
    // This frame's depth is the number of frames still open around it.
    const std::size_t depth = stack_.size() - 1;
    const std::string inner((depth + 1) * static_cast<std::size_t>(indent_), ' ');
    out += '\n';
    for (std::size_t i = 0; i < frame.members.size(); ++i) {
      if (i > 0) out += ",\n";
      out += inner;
      if (frame.object) out += render(frame.members[i].first) + ": ";
      out += frame.members[i].second;
    }
    out += '\n';
    out += std::string(depth * static_cast<std::size_t>(indent_), ' ');
  }
  out += end;
  return out;
}

std::string JsonWriter::take() {
  if (!done_ || !stack_.empty()) throw std::logic_error("JsonWriter: take() before the document is complete");
  done_ = false;
  return std::exchange(document_, std::string());
}

}  // namespace carbontracker::outputs
