#include "exporter/pushgateway_sink.hpp"

#include <fmt/format.h>

namespace carbontracker::exporter {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (unreserved(c)) out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// RFC 4648 base64url, padded (the Pushgateway accepts both; "=" is how it spells an empty value).
std::string base64url(const std::string& s) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                       static_cast<unsigned char>(s[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const std::size_t rest = s.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(s[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(s[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// "/name/value", or "/name@base64/..." where a plain segment cannot carry the value.
std::string segment(const std::string& name, const std::string& value) {
  if (value.empty()) return "/" + name + "@base64/=";
  if (value.find('/') != std::string::npos) return "/" + name + "@base64/" + base64url(value);
  return "/" + name + "/" + percent_encode(value);
}

}  // namespace

std::string pushgateway_url(const std::string& base, const std::string& host, const std::string& rank,
                            const std::string& job_id) {
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  // The job id in the key too: two jobs with the same rank on one node must not replace each
  // other's group (a PUT replaces its whole group).
  return b + "/metrics/job/carbontracker" + (job_id.empty() ? std::string() : segment("job_id", job_id)) +
         segment("node", host) + segment("rank", rank);
}

Status check_pushgateway_url(const std::string& url) {
  const bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!http || url.find_first_of("?# \n") != std::string::npos) {
    return {StatusCode::invalid_argument, fmt::format("\"{}\" is not an http:// or https:// base URL",
                                                      io::redact_url(url)),
            "give the Pushgateway's base URL, e.g. --pushgateway http://127.0.0.1:9091"};
  }
  return Status::ok();
}

PushgatewaySink::PushgatewaySink(std::shared_ptr<const MetricsStore> store, std::string url,
                                 std::unique_ptr<io::HttpClient> http)
    : store_(std::move(store)), url_(std::move(url)), http_(std::move(http)) {}

Status PushgatewaySink::push() {
  const auto snap = store_->load();
  if (!snap) return {StatusCode::unavailable, "the Pushgateway push: no metrics to push"};
  std::string host, rank, job_id;
  for (const auto& [k, v] : snap->target) {
    if (k == "host") host = v;
    if (k == "rank") rank = v;
    if (k == "job_id") job_id = v;
  }
  io::HttpRequest req;
  req.url = pushgateway_url(url_, host, rank, job_id);
  req.method = "PUT";
  req.body = render_metrics_text(*snap);
  req.content_type = std::string(kMetricsContentType);
  req.connect_timeout_s = 2.0;
  req.total_timeout_s = 4.0;  // within the sink list's shutdown (5 s)
  req.max_attempts = 2;
  auto r = http_->send(req);
  if (!r) {
    return {r.status().code(), "the Pushgateway push failed: " + r.status().message(),
            r.status().fix().empty() ? "check --pushgateway (the Pushgateway's base URL) and that it runs"
                                     : r.status().fix()};
  }
  return Status::ok();
}

void PushgatewaySink::on_event(const outputs::RunEvent& event) {
  if (pushed_ || !std::holds_alternative<outputs::RunFinished>(event)) return;
  pushed_ = true;
  Status st = push();
  std::lock_guard lock(mutex_);
  outcome_ = std::move(st);
  done_cv_.notify_all();
}

Status PushgatewaySink::wait_for_push(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!done_cv_.wait_for(lock, timeout, [this] { return outcome_.has_value(); })) {
    return {StatusCode::transient,
            fmt::format("the Pushgateway push did not finish within {} s; the final metrics may not be there",
                        static_cast<double>(timeout.count()) / 1000.0),
            "check that the Pushgateway at --pushgateway answers"};
  }
  return *outcome_;
}

void PushgatewaySink::shutdown(std::chrono::milliseconds) {
  // A run that ended without RunFinished (abandoned) pushes nothing: nothing was measured.
}

}  // namespace carbontracker::exporter
