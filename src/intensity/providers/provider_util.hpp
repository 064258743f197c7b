// Helpers shared by the live providers: a GET that must answer JSON, provider-named errors,
// ISO-8601 UTC times, query encoding, value checks.
//
// Contract: nothing here throws (JSON parsing happens in the providers' parse_* functions,
// which catch). Times are UTC; text output is locale-independent (std::to_chars, no iostreams).
// Header-only so the provider files stay one pair per provider in the build.
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.hpp"
#include "core/text.hpp"
#include "intensity/quote.hpp"
#include "io/http_client.hpp"

namespace carbontracker::intensity {

// Timeouts and retries for one provider's requests (defaults: http_client.hpp's).
struct HttpOptions {
  double connect_timeout_s = 2.0;
  double total_timeout_s = 5.0;
  int max_attempts = 3;
};

namespace provider_detail {

inline std::string trim_slash(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

inline io::HttpRequest make_request(std::string url, const HttpOptions& o) {
  io::HttpRequest r;
  r.url = std::move(url);
  r.headers.emplace_back("Accept", "application/json");
  r.connect_timeout_s = o.connect_timeout_s;
  r.total_timeout_s = o.total_timeout_s;
  r.max_attempts = o.max_attempts;
  return r;
}

inline std::string number_text(double v) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Percent-encodes everything but RFC 3986 unreserved characters.
inline std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// "YYYY-MM-DDThh:mm[:ss[.fff]][Z|+hh:mm|-hhmm]"; no zone means UTC (the providers are asked
// for UTC). nullopt for anything else.
inline std::optional<TimePoint> parse_utc_time(std::string_view s) {
  const auto num = [&](std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!num(0, 4, y) || s.size() < 16 || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      (s[10] != 'T' && s[10] != ' ') || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi)) {
    return std::nullopt;
  }
  std::size_t p = 16;
  if (p < s.size() && s[p] == ':') {
    if (!num(p + 1, 2, sec)) return std::nullopt;
    p += 3;
    if (p < s.size() && s[p] == '.') {
      ++p;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    }
  }
  int offset_min = 0;
  if (p < s.size()) {
    if (s[p] == 'Z' || s[p] == 'z') {
      ++p;
    } else if (s[p] == '+' || s[p] == '-') {
      const int sign = s[p] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!num(p + 1, 2, oh)) return std::nullopt;
      p += 3;
      if (p < s.size() && s[p] == ':') ++p;
      if (!num(p, 2, om)) return std::nullopt;
      p += 2;
      offset_min = sign * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  if (p != s.size()) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  // TimePoint counts int64 nanoseconds (years 1677..2262): a later year would overflow it.
  if (static_cast<int>(ymd.year()) < 1900 || static_cast<int>(ymd.year()) > 2200) return std::nullopt;
  const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi - offset_min} +
                 std::chrono::seconds{sec};
  return std::chrono::time_point_cast<TimePoint::duration>(t);
}

enum class TimeFormat {
  minutes_z,       // 2026-05-04T09:00Z      (NESO)
  minutes,         // 2026-05-04T09:00       (Energi Data Service with timezone=UTC)
  seconds_z,       // 2026-05-04T09:00:00Z   (Electricity Maps)
  seconds_offset,  // 2026-05-04T09:00:00+00:00 (WattTime, as its own client sends)
};

inline std::string format_utc(TimePoint t, TimeFormat f) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{secs - day};
  char buf[40];
  const int y = static_cast<int>(ymd.year());
  const unsigned mo = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  const int h = static_cast<int>(hms.hours().count()), mi = static_cast<int>(hms.minutes().count()),
            s = static_cast<int>(hms.seconds().count());
  switch (f) {
    case TimeFormat::minutes_z: std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02dZ", y, mo, d, h, mi); break;
    case TimeFormat::minutes: std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d", y, mo, d, h, mi); break;
    case TimeFormat::seconds_z:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
      break;
    case TimeFormat::seconds_offset:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d+00:00", y, mo, d, h, mi, s);
      break;
  }
  return buf;
}

// A provider-named Status from an HTTP failure. `denied` replaces the generic message for
// 401/403: the text and the fix saying where the key goes.
struct DeniedText {
  std::string what;  // "the token was rejected"
  std::string fix;   // "set api_keys ... or CARBONTRACKER_..."
};

inline Status provider_error(std::string_view provider, const Status& http, const std::optional<DeniedText>& denied) {
  const std::string name(provider);
  if (http.code() == StatusCode::permission_denied) {
    if (denied) return {http.code(), name + ": " + denied->what + " (" + http.message() + ")", denied->fix};
    return {http.code(), name + ": access was refused (" + http.message() + ")",
            "this service needs no key; a proxy or firewall in between may be refusing the request"};
  }
  return {http.code(), name + ": " + http.message(), http.fix()};
}

inline bool is_json_content_type(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string t(ct.substr(0, semi));
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  t = text::to_lower(t);
  return t == "application/json" || t == "text/json" || (t.size() > 5 && t.ends_with("+json"));
}

// The body of `response`, which must be declared JSON (or undeclared: then the parser
// decides). An HTML error page from a proxy or captive portal is named as such.
inline Result<std::string> json_body(io::HttpResponse&& response, const io::HttpRequest& request,
                                     std::string_view provider) {
  if (!response.content_type.empty() && !is_json_content_type(response.content_type)) {
    const std::string ct = response.content_type.substr(0, response.content_type.find(';'));
    const bool html = ct.find("html") != std::string::npos;
    return Status(StatusCode::unavailable,
                  std::string(provider) + ": the answer from " + io::redact_url(request.url) + " is " + ct +
                      ", not JSON" + (html ? " (an HTML page: an error page, a proxy or a captive portal?)" : ""),
                  "check the base URL and any proxy in between");
  }
  return std::move(response.body);
}

// An answer that arrived but cannot be read: the provider may have changed its API.
inline Status unusable_answer(std::string_view provider, const std::string& what) {
  return {StatusCode::unavailable, std::string(provider) + ": unusable answer: " + what,
          "check the base URL; the API may have changed"};
}

// GET `request` and return its JSON body, or a provider-named Status.
inline Result<std::string> fetch_json(io::HttpClient& http, const io::HttpRequest& request, std::string_view provider,
                                      const std::optional<DeniedText>& denied) {
  auto r = http.get(request);
  if (!r) return provider_error(provider, r.status(), denied);
  return json_body(std::move(*r), request, provider);
}

// Intensities lie in the physical range (quote.hpp: 0..2500 g/kWh); anything else means a broken
// answer, never a value.
inline Status check_intensity(std::string_view provider, double g_per_kwh, std::string_view at) {
  if (intensity_in_range(g_per_kwh)) return Status::ok();
  return {StatusCode::unavailable, std::string(provider) + ": invalid intensity " + number_text(g_per_kwh) +
                                       " g/kWh" + (at.empty() ? "" : " at " + std::string(at)) +
                                       ", outside the physical range " + number_text(kMinIntensityGPerKwh) + ".." +
                                       number_text(kMaxIntensityGPerKwh) + " g/kWh; the answer is not used"};
}

// Keeps the quotes that start within `hours` of the first one (providers may send more).
inline IntensitySeries limit_hours(IntensitySeries series, int hours) {
  if (series.empty()) return series;
  const auto until = series.front().start + std::chrono::hours{hours};
  std::erase_if(series, [&](const IntensityQuote& q) { return q.start >= until; });
  return series;
}

}  // namespace provider_detail
}  // namespace carbontracker::intensity
