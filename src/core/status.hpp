// Status and Result: errors as values, classified by what the caller must do.
//
// Contract: nothing in carbontracker throws across a sensor read, the sampler thread, an
// exporter or the C ABI; those return Status/Result. A Status carries a human message and,
// where one exists, the fix the user can apply ("fix: add a udev rule ...").
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <optional>

namespace carbontracker {

enum class StatusCode {
  ok = 0,
  unavailable,        // hardware/interface absent: feature off, fall back
  permission_denied,  // present but not readable: tell the user the fix
  not_found,          // a named thing (file, symbol, device) does not exist
  invalid_argument,   // bad input from the user or a file: name the input and the fix
  transient,          // try again later (busy, timeout, 5xx)
  gone,               // was there and vanished (GPU lost): end that channel
  internal,           // a bug or an impossible state
};

std::string_view to_string(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;
  Status(StatusCode code, std::string message, std::string fix = {})
      : code_(code), message_(std::move(message)), fix_(std::move(fix)) {}

  static Status ok() noexcept { return {}; }

  [[nodiscard]] bool is_ok() const noexcept { return code_ == StatusCode::ok; }
  explicit operator bool() const noexcept { return is_ok(); }
  [[nodiscard]] StatusCode code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  [[nodiscard]] const std::string& fix() const noexcept { return fix_; }

  // "message; fix: ..." — the form every user-facing error takes.
  [[nodiscard]] std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
  std::string fix_;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.is_ok() && "Result built from an ok Status has no value");
  }

  [[nodiscard]] bool is_ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return is_ok(); }

  [[nodiscard]] T& value() & { return *value_; }
  [[nodiscard]] const T& value() const& { return *value_; }
  [[nodiscard]] T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

  // Ok when a value is held.
  [[nodiscard]] const Status& status() const noexcept { return status_; }

  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return is_ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace carbontracker
