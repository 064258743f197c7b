#include "intensity/providers/watttime.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

namespace carbontracker::intensity {
namespace {

using nlohmann::json;
using namespace provider_detail;

constexpr std::string_view kWattTimeName = "WattTime";
constexpr auto kTokenLifetime = std::chrono::minutes{30};
constexpr auto kTokenMargin = std::chrono::minutes{1};
constexpr int kMaxHorizonHours = 72;
constexpr auto kHistoryChunk = std::chrono::days{30};  // the API serves ~32 days per request

const char* const kCredentialFix =
    "set api_keys {\"watttime_user\": ..., \"watttime_password\": ...} in the config, or "
    "CARBONTRACKER_WATTTIME_USER and CARBONTRACKER_WATTTIME_PASSWORD; accounts from https://watttime.org";

Result<json> parse_object(std::string_view text) {
  try {
    auto j = json::parse(text);
    if (!j.is_object()) return unusable_answer(kWattTimeName, "the answer is not a JSON object");
    return j;
  } catch (const json::parse_error& e) {
    return unusable_answer(kWattTimeName, "malformed JSON at byte " + std::to_string(e.byte));
  }
}

Result<std::string> string_field(std::string_view text, const char* key) {
  try {
    auto j = parse_object(text);
    if (!j) return j.status();
    const auto it = j->find(key);
    if (it == j->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return unusable_answer(kWattTimeName, std::string("no '") + key + "' in the answer");
    }
    return it->get<std::string>();
  } catch (const std::exception& e) {
    return unusable_answer(kWattTimeName, e.what());
  }
}

bool is_watttime_region(const std::optional<std::string>& zone) {
  return zone && zone->find('_') != std::string::npos;
}

}  // namespace

Result<std::string> parse_watttime_token(std::string_view text) { return string_field(text, "token"); }
Result<std::string> parse_watttime_region(std::string_view text) { return string_field(text, "region"); }

Result<IntensitySeries> parse_watttime_series(std::string_view text, QuoteKind kind) {
  try {
    auto root = parse_object(text);
    if (!root) return root.status();
    const auto meta = root->find("meta");
    if (meta == root->end() || !meta->is_object()) return unusable_answer(kWattTimeName, "no 'meta' object");
    const std::string units = meta->value("units", std::string{});
    double factor = 0;
    if (units == "lbs_co2_per_mwh") {
      factor = kGPerKwhPerLbPerMwh;
    } else if (units == "kg_co2_per_mwh" || units == "g_co2_per_kwh") {
      factor = 1.0;
    } else {
      return Status(StatusCode::unavailable,
                    units.empty() ? std::string("WattTime: the answer does not state its units; not used")
                                  : "WattTime: unknown units '" + units + "' (expected lbs_co2_per_mwh); not used",
                    "percentiles (signal-index) and other signals are not intensities; ask for co2_moer");
    }
    const std::string region = meta->value("region", std::string{});
    const std::string signal = meta->value("signal_type", std::string("co2_moer"));
    std::chrono::seconds period{300};
    if (const auto p = meta->find("data_point_period_seconds"); p != meta->end() && p->is_number_integer() &&
                                                                  p->get<long long>() > 0 &&
        p->get<long long>() <= 86400) {  // a day at most: a huge period would overflow the time arithmetic
      period = std::chrono::seconds{p->get<long long>()};
    }
    const auto data = root->find("data");
    if (data == root->end() || !data->is_array()) return unusable_answer(kWattTimeName, "no 'data' array");
    IntensitySeries out;
    for (const auto& pt : *data) {
      if (!pt.is_object()) return unusable_answer(kWattTimeName, "a point is not an object");
      const auto t = pt.find("point_time");
      const auto v = pt.find("value");
      if (t == pt.end() || !t->is_string()) return unusable_answer(kWattTimeName, "a point has no 'point_time'");
      if (v == pt.end()) return unusable_answer(kWattTimeName, "a point has no 'value'");
      if (v->is_null()) continue;
      if (!v->is_number()) return unusable_answer(kWattTimeName, "a 'value' is not a number");
      const auto start = parse_utc_time(t->get_ref<const std::string&>());
      if (!start) return unusable_answer(kWattTimeName, "bad point_time '" + t->get<std::string>() + "'");
      const double g = v->get<double>() * factor;
      if (auto st = check_intensity(kWattTimeName, g, t->get<std::string>()); !st) return st;
      IntensityQuote q;
      q.g_per_kwh = g;
      q.start = *start;
      q.end = *start + period;
      q.kind = kind;
      q.signal = Signal::marginal;
      q.source = "WattTime " + signal + " (marginal)" + (region.empty() ? "" : " " + region);
      q.zone = region;
      out.push_back(std::move(q));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    return out;
  } catch (const std::exception& e) {
    return unusable_answer(kWattTimeName, e.what());
  }
}

WattTimeProvider::WattTimeProvider(io::HttpClient& http, WattTimeConfig config, const Clock& clock)
    : http_(http), config_(std::move(config)), clock_(clock) {
  config_.base_url = trim_slash(std::move(config_.base_url));
}

Status WattTimeProvider::suitable(const Location& where) const {
  if (config_.username.empty() || config_.password.empty()) {
    return {StatusCode::unavailable, "WattTime needs a username and a password", kCredentialFix};
  }
  if (!is_watttime_region(where.zone) && !(where.latitude && where.longitude)) {
    return {StatusCode::unavailable, "WattTime needs coordinates or a WattTime region (e.g. zone CAISO_NORTH)",
            "set the coordinates, or a WattTime region as the zone"};
  }
  return Status::ok();
}

Result<std::string> WattTimeProvider::token(bool force_login) {
  std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  if (!force_login && !token_.empty() && now - token_at_ < kTokenLifetime - kTokenMargin) return token_;
  token_.clear();
  auto req = make_request(config_.base_url + "/login", config_.http);
  req.basic_auth.emplace(config_.username, config_.password);
  auto body = fetch_json(http_, req, kWattTimeName,
                         DeniedText{"the username/password were rejected at login", kCredentialFix});
  if (!body) return body.status();
  auto tok = parse_watttime_token(*body);
  if (!tok) return tok.status();
  token_ = *tok;
  token_at_ = now;
  return token_;
}

Result<std::string> WattTimeProvider::authed_get(const std::string& path_and_query) {
  for (int round = 0; round < 2; ++round) {
    // A fresh login after a refusal: the token may have expired early or been revoked.
    auto tok = token(round == 1);
    if (!tok) return tok.status();
    auto req = make_request(config_.base_url + path_and_query, config_.http);
    req.headers.emplace_back("Authorization", "Bearer " + *tok);
    auto r = http_.get(req);
    if (r) return json_body(std::move(*r), req, kWattTimeName);
    if (r.status().code() != StatusCode::permission_denied || round == 1) {
      return provider_error(kWattTimeName, r.status(),
                            DeniedText{"access was refused after a fresh login (the plan may not cover this "
                                       "region or endpoint: the free plan covers CAISO_NORTH only)",
                                       kCredentialFix});
    }
  }
  return Status(StatusCode::internal, "WattTime: unreachable");
}

Result<std::string> WattTimeProvider::region(const Location& where) {
  if (is_watttime_region(where.zone)) return *where.zone;
  const std::pair<double, double> key{*where.latitude, *where.longitude};
  {
    std::lock_guard lock(mutex_);
    if (const auto it = regions_.find(key); it != regions_.end()) return it->second;
  }
  auto body = authed_get("/v3/region-from-loc?latitude=" + number_text(key.first) +
                         "&longitude=" + number_text(key.second) + "&signal_type=co2_moer");
  if (!body) return body.status();
  auto r = parse_watttime_region(*body);
  if (!r) return r.status();
  std::lock_guard lock(mutex_);
  regions_[key] = *r;
  return r;
}

Result<IntensitySeries> WattTimeProvider::historical(const std::string& reg, TimePoint from, TimePoint to) {
  IntensitySeries all;
  for (TimePoint chunk = from; chunk < to; chunk += kHistoryChunk) {
    const TimePoint chunk_end = std::min(to, chunk + kHistoryChunk);
    auto body = authed_get("/v3/historical?region=" + url_encode(reg) + "&signal_type=co2_moer&start=" +
                           url_encode(format_utc(chunk, TimeFormat::seconds_offset)) +
                           "&end=" + url_encode(format_utc(chunk_end, TimeFormat::seconds_offset)));
    if (!body) return body.status();
    auto part = parse_watttime_series(*body, QuoteKind::measured);
    if (!part) return part;
    all.insert(all.end(), part->begin(), part->end());
  }
  std::erase_if(all, [&](const IntensityQuote& q) { return !(q.end > from && q.start < to); });
  return all;
}

Result<IntensityQuote> WattTimeProvider::latest(const Location& where) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    auto reg = region(where);
    if (!reg) return reg.status();
    const auto now = clock_.wall();
    auto series = historical(*reg, now - std::chrono::hours{1}, now);
    if (!series) return series.status();
    if (series->empty()) {
      return Status(StatusCode::not_found, "WattTime: no data for " + *reg + " in the last hour");
    }
    return series->back();
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kWattTimeName) + ": " + e.what());
  }
}

Result<IntensitySeries> WattTimeProvider::forecast(const Location& where, int hours) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    if (hours <= 0) return Status(StatusCode::invalid_argument, "WattTime: forecast hours must be positive");
    auto reg = region(where);
    if (!reg) return reg.status();
    const int horizon = std::min(hours, kMaxHorizonHours);
    auto body = authed_get("/v3/forecast?region=" + url_encode(*reg) +
                           "&signal_type=co2_moer&horizon_hours=" + std::to_string(horizon));
    if (!body) return body.status();
    auto series = parse_watttime_series(*body, QuoteKind::forecast);
    if (!series) return series;
    if (series->empty()) return Status(StatusCode::not_found, "WattTime: the forecast for " + *reg + " is empty");
    return limit_hours(std::move(*series), horizon);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kWattTimeName) + ": " + e.what());
  }
}

Result<IntensitySeries> WattTimeProvider::history(const Location& where, TimePoint from, TimePoint to) noexcept {
  try {
    if (auto st = suitable(where); !st) return st;
    if (!(from < to)) return Status(StatusCode::invalid_argument, "WattTime: empty history window");
    auto reg = region(where);
    if (!reg) return reg.status();
    auto series = historical(*reg, from, to);
    if (!series) return series;
    if (series->empty()) {
      return Status(StatusCode::not_found, "WattTime: no data for " + *reg + " between " +
                                               format_utc(from, TimeFormat::minutes_z) + " and " +
                                               format_utc(to, TimeFormat::minutes_z));
    }
    return std::move(*series);
  } catch (const std::exception& e) {
    return Status(StatusCode::internal, std::string(kWattTimeName) + ": " + e.what());
  }
}

}  // namespace carbontracker::intensity
