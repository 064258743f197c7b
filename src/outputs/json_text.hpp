// JSON scalars appended straight to a string, for the records written on every epoch (the event
// log's epoch, prediction and power lines: outputs/event_codec.hpp), where building them through
// JsonWriter (one std::string and a sort per value) cost more than the rest of epoch_end.
//
// Contract: each function appends exactly the text nlohmann::json::dump(-1, ' ', false,
// error_handler_t::replace) writes for the same scalar, which is what JsonWriter writes:
//  - a double: nlohmann's own Grisu2 to_chars (shortest round-trip as nlohmann prints it, "1.0"
//    for integral values, "1e+20" exponents), NaN and infinities as null;
//  - a string: quoted; '"', '\\' and control characters escaped as nlohmann does, valid UTF-8
//    copied, invalid UTF-8 replaced by U+FFFD (rendered by nlohmann itself on that rare path);
//  - integers and booleans as their decimal / literal text.
// Keys are the caller's: they must be plain ASCII identifiers (no escaping) and written in
// nlohmann's sorted order. Allocation only when `out` grows; std::bad_alloc propagates.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace carbontracker::outputs::json_text {

void append_double(std::string& out, double v);
void append_int(std::string& out, long long v);
void append_bool(std::string& out, bool v);
void append_string(std::string& out, std::string_view s);
// "2025-11-18T15:53:54Z" quoted, as results_json's iso_utc (gmtime_r + strftime "%Y-%m-%dT%H:%M:%SZ").
void append_iso_utc(std::string& out, std::chrono::system_clock::time_point t);

}  // namespace carbontracker::outputs::json_text
