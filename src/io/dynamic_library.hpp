// dlopen wrapper: a vendor library is an object the caller owns; a missing library or symbol
// is a Status, never a crash.
#pragma once

#include <string>

#include "core/status.hpp"

namespace carbontracker::io {

class DynamicLibrary {
 public:
  DynamicLibrary() = default;
  ~DynamicLibrary();
  DynamicLibrary(DynamicLibrary&& other) noexcept;
  DynamicLibrary& operator=(DynamicLibrary&& other) noexcept;
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;

  // `name` is passed to dlopen as is: a bare soname searches the loader path.
  static Result<DynamicLibrary> open(const std::string& name);

  // nullptr when absent.
  [[nodiscard]] void* symbol(const char* name) const noexcept;
  template <class Fn>
  [[nodiscard]] Fn function(const char* name) const noexcept {
    return reinterpret_cast<Fn>(symbol(name));
  }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] bool is_open() const noexcept { return handle_ != nullptr; }

 private:
  void* handle_ = nullptr;
  std::string name_;
};

}  // namespace carbontracker::io
