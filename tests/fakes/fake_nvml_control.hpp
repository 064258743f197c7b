// Drives the fake libnvidia-ml from an in-process test (link the `fake_nvml_control` target).
//
// FakeNvml dlopen()s the same path the product loads, so both see one instance of the fake;
// holding this handle also keeps the fake's state alive while the product closes and reopens
// it. Construction and destruction reset the fake. Errors (library or symbol missing, config
// rejected) throw std::runtime_error, which fails the test.
#pragma once

#include <dlfcn.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fake_nvml.h"

namespace carbontracker::testing {

class FakeNvml {
 public:
#ifdef FAKE_NVML_LIBRARY
  static constexpr const char* kFull = FAKE_NVML_LIBRARY;
  static constexpr const char* kNoEnergySymbol = FAKE_NVML_NO_ENERGY_SYMBOL_LIBRARY;
  static constexpr const char* kNoProcessApi = FAKE_NVML_NO_PROCESS_API_LIBRARY;
  FakeNvml() : FakeNvml(kFull) {}
#endif

  explicit FakeNvml(std::string path) : path_(std::move(path)) {
    handle_ = ::dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) throw std::runtime_error("cannot dlopen " + path_ + ": " + ::dlerror());
    try {
      resolve(load_config_, "fake_nvml_load_config");
      resolve(reset_, "fake_nvml_reset");
      resolve(set_energy_mj_, "fake_nvml_set_energy_mj");
      resolve(set_power_mw_, "fake_nvml_set_power_mw");
      resolve(set_lost_, "fake_nvml_set_lost");
      resolve(set_compute_pids_, "fake_nvml_set_compute_pids");
      resolve(call_count_, "fake_nvml_call_count");
      resolve(init_refcount_, "fake_nvml_init_refcount");
    } catch (...) {
      ::dlclose(handle_);
      throw;
    }
    reset_();
  }
  ~FakeNvml() {
    reset_();
    ::dlclose(handle_);
  }
  FakeNvml(const FakeNvml&) = delete;
  FakeNvml& operator=(const FakeNvml&) = delete;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }

  void load_config(const std::string& text) { check(load_config_(text.c_str()), "load_config"); }
  void reset() { reset_(); }
  void set_energy_mj(unsigned index, unsigned long long mj) { check(set_energy_mj_(index, mj), "set_energy_mj"); }
  void set_power_mw(unsigned index, unsigned mw) { check(set_power_mw_(index, mw), "set_power_mw"); }
  void set_lost(unsigned index, bool lost) { check(set_lost_(index, lost ? 1 : 0), "set_lost"); }
  void set_compute_pids(unsigned index, const std::vector<unsigned>& pids) {
    check(set_compute_pids_(index, pids.data(), static_cast<unsigned>(pids.size())), "set_compute_pids");
  }
  [[nodiscard]] unsigned long call_count(const std::string& nvml_function) const {
    const unsigned long n = call_count_(nvml_function.c_str());
    if (n == static_cast<unsigned long>(-1)) throw std::runtime_error("fake_nvml has no function " + nvml_function);
    return n;
  }
  [[nodiscard]] int init_refcount() const { return init_refcount_(); }

 private:
  template <class Fn>
  void resolve(Fn& slot, const char* name) {
    slot = reinterpret_cast<Fn>(::dlsym(handle_, name));
    if (!slot) throw std::runtime_error(path_ + " lacks " + name);
  }
  static void check(int rc, const char* what) {
    if (rc != 0) throw std::runtime_error(std::string("fake_nvml_") + what + " failed (see stderr)");
  }

  std::string path_;
  void* handle_ = nullptr;
  decltype(&fake_nvml_load_config) load_config_ = nullptr;
  decltype(&fake_nvml_reset) reset_ = nullptr;
  decltype(&fake_nvml_set_energy_mj) set_energy_mj_ = nullptr;
  decltype(&fake_nvml_set_power_mw) set_power_mw_ = nullptr;
  decltype(&fake_nvml_set_lost) set_lost_ = nullptr;
  decltype(&fake_nvml_set_compute_pids) set_compute_pids_ = nullptr;
  decltype(&fake_nvml_call_count) call_count_ = nullptr;
  decltype(&fake_nvml_init_refcount) init_refcount_ = nullptr;
};

}  // namespace carbontracker::testing
