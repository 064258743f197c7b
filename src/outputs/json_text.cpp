#include "outputs/json_text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

#include <nlohmann/json.hpp>

namespace carbontracker::outputs::json_text {

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  std::array<char, 64> buf{};
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

void append_int(std::string& out, long long v) {
  std::array<char, 24> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  out.append(buf.data(), static_cast<std::size_t>(r.ptr - buf.data()));
}

void append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

void append_string(std::string& out, std::string_view s) {
  // The common case: printable ASCII with nothing to escape (nlohmann leaves 0x7f as it is).
  bool plain = true;
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

void two_digits(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

void append_iso_utc(std::string& out, std::chrono::system_clock::time_point t) {
  // gmtime_r takes glibc's time-zone lock; the calendar arithmetic here does not. Same fields.
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  const long long s = static_cast<long long>(secs);
  long long days = s / 86400;
  long long rem = s % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  const int year = static_cast<int>(ymd.year());
  if (year < 1000 || year > 9999) {  // strftime's %Y is not zero-padded: keep its text exactly
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    append_string(out, std::string_view(buf, n));
    return;
  }
  out += '"';
  append_int(out, year);
  out += '-';
  two_digits(out, static_cast<int>(static_cast<unsigned>(ymd.month())));
  out += '-';
  two_digits(out, static_cast<int>(static_cast<unsigned>(ymd.day())));
  out += 'T';
  two_digits(out, static_cast<int>(rem / 3600));
  out += ':';
  two_digits(out, static_cast<int>(rem / 60 % 60));
  out += ':';
  two_digits(out, static_cast<int>(rem % 60));
  out += "Z\"";
}

}  // namespace carbontracker::outputs::json_text
