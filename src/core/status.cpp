#include "core/status.hpp"

namespace carbontracker {

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::unavailable: return "unavailable";
    case StatusCode::permission_denied: return "permission denied";
    case StatusCode::not_found: return "not found";
    case StatusCode::invalid_argument: return "invalid argument";
    case StatusCode::transient: return "transient";
    case StatusCode::gone: return "gone";
    case StatusCode::internal: return "internal error";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  if (fix_.empty()) return message_;
  return message_ + "; fix: " + fix_;
}

}  // namespace carbontracker
