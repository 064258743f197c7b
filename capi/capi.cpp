// The C API (include/carbontracker/carbontracker.h): a thin boundary over carbontracker::Tracker.
// Every entry point catches everything (guarded() below is noexcept) and maps it to a status
// code: an exception unwinding into a C or FFI frame would be undefined behaviour.
#include "carbontracker/carbontracker.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "carbontracker/tracker.hpp"
#include "config_document.hpp"
#include "carbontracker/version.hpp"
#include "outputs/results_json.hpp"
#include "tracker/config_keys.hpp"
#include "tracker/safe_text.hpp"

struct ct_tracker {
  std::unique_ptr<carbontracker::Tracker> tracker;
  std::string last_error;
  pid_t owner = ::getpid();  // a fork()ed child gets CT_ERR_FORKED from every call
};

namespace {

using carbontracker::Config;

// The message for ct_last_error(NULL). thread_local: a failed ct_tracker_new has no handle to
// carry it, and two threads creating trackers must not see each other's errors.
thread_local std::string t_last_error;

// Used when even the message cannot be stored (out of memory).
constexpr const char* kNoMemoryMessage = "out of memory";

// Carries a status code and its message out of the JSON parsing below.
struct ApiError {
  int code;
  std::string message;
};

// The api_keys values of the configuration being parsed on this thread: no message may
// contain them, whatever the input (ct_tracker_new sets and clears it).
thread_local std::vector<std::string> t_secrets;

// Stores "prefix + message", without secrets and bounded in length (tracker/safe_text.hpp). On
// out of memory it keeps a short fixed message instead, which fits the string's inline buffer,
// so this cannot throw.
void store(std::string& slot, std::string_view prefix, std::string_view message) noexcept {
  try {
    std::string text(prefix);
    text.append(message);
    slot = carbontracker::tracker::safe_message(std::move(text), t_secrets);
  } catch (...) {
    slot.clear();
    try {
      slot.assign(kNoMemoryMessage);
    } catch (...) {
    }
  }
}

int fail(ct_tracker* t, int code, std::string_view message, std::string_view prefix = {}) noexcept {
  store(t_last_error, prefix, message);
  if (t) store(t->last_error, prefix, message);
  return code;
}

// Runs `body`, which returns a ct_status, and maps every exception to a status code.
template <class F>
int guarded(ct_tracker* t, F&& body) noexcept {
  try {
    return body();
  } catch (const ApiError& e) {
    return fail(t, e.code, e.message);
  } catch (const carbontracker::BudgetExceeded& e) {
    // action "ask" answered "n" is the user's decision; action "stop" is the budget's.
    return fail(t, e.event().action == carbontracker::BudgetAction::ask ? CT_STOP_USER : CT_STOP_BUDGET, e.what());
  } catch (const carbontracker::StopTraining& e) {
    return fail(t, CT_STOP_USER, e.what());
  } catch (const carbontracker::ConfigError& e) {
    return fail(t, CT_ERR_INVALID_ARGUMENT, e.what());
  } catch (const carbontracker::TrackerError& e) {
    return fail(t, CT_ERR_TRACKER, e.what());
  } catch (const std::bad_alloc&) {
    return fail(t, CT_ERR_NO_MEMORY, kNoMemoryMessage);
  } catch (const std::exception& e) {
    return fail(t, CT_ERR_INTERNAL, e.what(), "carbontracker: internal error: ");
  } catch (...) {
    return fail(t, CT_ERR_INTERNAL, "carbontracker: internal error: unknown exception");
  }
}

[[noreturn]] void invalid(const std::string& message, const std::string& fix) {
  throw ApiError{CT_ERR_INVALID_ARGUMENT, message + "; fix: " + fix};
}

// A JSON scalar as the text the shared config-key parser reads (the same text a TOML file or
// an environment variable would give).
std::string value_text(const std::string& key, const carbontracker::capi::JsonScalar& v) {
  if (v.type == "string" || v.type == "boolean" || v.type == "number") return v.text;
  if (v.type == "null") {
    invalid(fmt::format("config_json: \"{}\" is null", key), fmt::format("give {} a value, or leave the key out", key));
  }
  invalid(fmt::format("config_json: \"{}\" must be a number, a boolean or a string, not {}", key, v.type),
          fmt::format("give {} a single value", key));
}

Config parse_config(const char* text) {
  using carbontracker::capi::ConfigDocumentError;
  carbontracker::capi::ConfigDocument doc;
  try {
    doc = carbontracker::capi::read_config_document(text);
  } catch (const ConfigDocumentError& e) {
    if (e.kind() == ConfigDocumentError::Kind::overflow) {
      // A number beyond a double (e.g. 1e400): a bad value, not an internal error.
      invalid(fmt::format("config_json: the number given for \"{}\" overflows a double", e.key()),
              fmt::format("give {} a value in its range (docs/configuration.md#bounds)", e.key()));
    }
    invalid(fmt::format("config_json is not valid JSON: {}", e.what()),
            R"(pass a JSON object such as {"epochs": 10, "log_dir": "logs"}, or "{}" for the defaults)");
  }
  if (doc.type != "object") {
    invalid(fmt::format("config_json must be a JSON object, not {}", doc.type),
            R"(pass a JSON object such as {"epochs": 10}, or "{}" for the defaults)");
  }
  Config config;
  for (const auto& [key, value] : doc.members) {
    if (key == "api_keys") {
      if (value.type != "object") invalid("config_json: \"api_keys\" must be an object", R"(write "api_keys": {"electricitymaps": "..."})");
      for (const auto& [provider, secret] : doc.api_keys) {
        // The value is a secret: it never appears in a message.
        if (secret.type != "string") {
          invalid(fmt::format("config_json: api_keys.{} must be a string", carbontracker::tracker::excerpt(provider)),
                  "quote the key");
        }
        t_secrets.push_back(secret.text);
        config.api_keys[provider] = secret.text;
      }
      continue;
    }
    const std::string origin = "config_json";
    const std::string value_str = value_text(carbontracker::tracker::excerpt(key), value);
    if (auto st = carbontracker::tracker::set_config_key(config, key, value_str, origin); !st) {
      // The registry quotes the key and the value whole: a megabyte of either becomes an excerpt.
      using carbontracker::tracker::shorten_echo;
      throw ApiError{CT_ERR_INVALID_ARGUMENT, shorten_echo(shorten_echo(st.to_string(), value_str), key)};
    }
  }
  return config;
}

// Clears t_secrets when ct_tracker_new returns, however it returns.
struct SecretsScope {
  SecretsScope() noexcept { t_secrets.clear(); }
  ~SecretsScope() { t_secrets.clear(); }
  SecretsScope(const SecretsScope&) = delete;
  SecretsScope& operator=(const SecretsScope&) = delete;
};

// The handle was created by another process (this one is its fork()ed child): the tracker's
// threads do not exist here and its logs are the parent's. Every call returns CT_ERR_FORKED
// and writes nothing.
bool forked(const ct_tracker* t) noexcept { return t->owner != ::getpid(); }

int fail_forked(ct_tracker* t, const char* function) noexcept {
  char buf[300];
  const auto r = fmt::format_to_n(buf, sizeof buf - 1,
                                  "{}: this process is a fork() child of process {}, which created the tracker: "
                                  "nothing was done; fix: create a tracker in the child (ct_tracker_new) to measure it",
                                  function, t->owner);
  return fail(t, CT_ERR_FORKED, std::string_view(buf, std::min<std::size_t>(r.size, sizeof buf - 1)));
}

char* copy_to_malloc(const std::string& text) {
  auto* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

}  // namespace

extern "C" {

int ct_tracker_new(const char* config_json, ct_tracker** out) {
  if (out) *out = nullptr;
  if (!out) return fail(nullptr, CT_ERR_NULL, "ct_tracker_new: out is NULL; fix: pass the address of a ct_tracker*");
  if (!config_json) {
    return fail(nullptr, CT_ERR_NULL, R"(ct_tracker_new: config_json is NULL; fix: pass "{}" for the defaults)");
  }
  SecretsScope secrets;
  return guarded(nullptr, [&] {
    auto handle = std::make_unique<ct_tracker>();
    handle->tracker = std::make_unique<carbontracker::Tracker>(parse_config(config_json));
    *out = handle.release();
    return static_cast<int>(CT_OK);
  });
}

int ct_epoch_start(ct_tracker* t) {
  if (!t) return fail(nullptr, CT_ERR_NULL, "ct_epoch_start: the tracker is NULL");
  if (forked(t)) return fail_forked(t, "ct_epoch_start");
  return guarded(t, [&] {
    t->tracker->epoch_start();
    return static_cast<int>(CT_OK);
  });
}

int ct_epoch_end(ct_tracker* t) {
  if (!t) return fail(nullptr, CT_ERR_NULL, "ct_epoch_end: the tracker is NULL");
  if (forked(t)) return fail_forked(t, "ct_epoch_end");
  return guarded(t, [&] {
    (void)t->tracker->epoch_end();
    return static_cast<int>(CT_OK);
  });
}

int ct_epoch_discard(ct_tracker* t) {
  if (!t) return fail(nullptr, CT_ERR_NULL, "ct_epoch_discard: the tracker is NULL");
  if (forked(t)) return fail_forked(t, "ct_epoch_discard");
  return guarded(t, [&] {
    t->tracker->discard_epoch();
    return static_cast<int>(CT_OK);
  });
}

int ct_stop(ct_tracker* t) {
  if (!t) return fail(nullptr, CT_ERR_NULL, "ct_stop: the tracker is NULL");
  if (forked(t)) return fail_forked(t, "ct_stop");
  return guarded(t, [&] {
    t->tracker->stop();
    return static_cast<int>(CT_OK);
  });
}

int ct_summary_json(ct_tracker* t, char** out) {
  if (out) *out = nullptr;
  if (!t) return fail(nullptr, CT_ERR_NULL, "ct_summary_json: the tracker is NULL");
  if (!out) return fail(t, CT_ERR_NULL, "ct_summary_json: out is NULL; fix: pass the address of a char*");
  if (forked(t)) return fail_forked(t, "ct_summary_json");
  return guarded(t, [&] {
    *out = copy_to_malloc(carbontracker::outputs::summary_json_text(t->tracker->snapshot()));
    return static_cast<int>(CT_OK);
  });
}

void ct_free(char* text) { std::free(text); }

void ct_tracker_free(ct_tracker* t) {
  // ~Tracker stops and swallows errors; delete cannot throw. In a fork()ed child it writes
  // nothing and leaves the parent's state alone (see Tracker::~Tracker).
  delete t;
}

const char* ct_last_error(const ct_tracker* t) {
  return t ? t->last_error.c_str() : t_last_error.c_str();
}

const char* ct_status_string(int status) {
  switch (status) {
    case CT_OK:
      return "CT_OK: success";
    case CT_STOP_BUDGET:
      return "CT_STOP_BUDGET: a budget with action stop was crossed; end the training";
    case CT_STOP_USER:
      return "CT_STOP_USER: the user chose to stop; end the training";
    case CT_ERR_INVALID_ARGUMENT:
      return "CT_ERR_INVALID_ARGUMENT: invalid configuration";
    case CT_ERR_TRACKER:
      return "CT_ERR_TRACKER: the tracker reported an internal failure";
    case CT_ERR_INTERNAL:
      return "CT_ERR_INTERNAL: unexpected internal error";
    case CT_ERR_NULL:
      return "CT_ERR_NULL: a required argument was NULL";
    case CT_ERR_NO_MEMORY:
      return "CT_ERR_NO_MEMORY: out of memory";
    case CT_ERR_FORKED:
      return "CT_ERR_FORKED: the tracker belongs to the parent process; this fork() child cannot use it";
    default:
      return "unknown status";
  }
}

const char* ct_version(void) { return carbontracker::kVersion; }

}  // extern "C"
