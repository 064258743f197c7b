#include "io/dynamic_library.hpp"

#include <dlfcn.h>

namespace carbontracker::io {

DynamicLibrary::~DynamicLibrary() {
  if (handle_) ::dlclose(handle_);
}

DynamicLibrary::DynamicLibrary(DynamicLibrary&& other) noexcept
    : handle_(other.handle_), name_(std::move(other.name_)) {
  other.handle_ = nullptr;
}

DynamicLibrary& DynamicLibrary::operator=(DynamicLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_) ::dlclose(handle_);
    handle_ = other.handle_;
    name_ = std::move(other.name_);
    other.handle_ = nullptr;
  }
  return *this;
}

Result<DynamicLibrary> DynamicLibrary::open(const std::string& name) {
  ::dlerror();
  void* h = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* err = ::dlerror();
    return Status(StatusCode::unavailable, "cannot load " + name + ": " + (err ? err : "unknown dlopen error"));
  }
  DynamicLibrary lib;
  lib.handle_ = h;
  lib.name_ = name;
  return lib;
}

void* DynamicLibrary::symbol(const char* name) const noexcept {
  if (!handle_) return nullptr;
  return ::dlsym(handle_, name);
}

}  // namespace carbontracker::io
