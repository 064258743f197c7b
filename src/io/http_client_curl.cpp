// HttpClient over libcurl (contract in http_client.hpp).
//
// Redirects are followed here rather than by libcurl: libcurl re-sends custom headers (such
// as Electricity Maps' `auth-token`) to whatever host a redirect names, so each hop is checked
// and secrets are dropped when the origin changes; an https -> http downgrade is refused.
#include <atomic>
#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "carbontracker/version.hpp"
#include "io/dynamic_library.hpp"
#include "io/http_client.hpp"

namespace carbontracker::io {
namespace {

using Steady = std::chrono::steady_clock;

constexpr int kMaxRedirects = 3;
constexpr double kFirstBackoffS = 0.25;

// libcurl is loaded with dlopen on the first request, not linked: its dependency closure
// (OpenSSL, GnuTLS, Kerberos, LDAP, ...) is about 5 MB of resident memory and several ms of
// relocation at start-up, which every program linking carbontracker would pay although most
// runs never fetch anything (a fixed intensity, or the offline tables). The header still gives
// the types and constants; the soname is the ABI of Debian's libcurl4.
constexpr const char* kCurlSoname = "libcurl.so.4";

struct CurlApi {
  decltype(&::curl_global_init) global_init = nullptr;
  decltype(&::curl_easy_init) easy_init = nullptr;
  decltype(&::curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&::curl_easy_reset) easy_reset = nullptr;
  decltype(&::curl_easy_setopt) easy_setopt = nullptr;
  decltype(&::curl_easy_perform) easy_perform = nullptr;
  decltype(&::curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&::curl_easy_strerror) easy_strerror = nullptr;
  decltype(&::curl_slist_append) slist_append = nullptr;
  decltype(&::curl_slist_free_all) slist_free_all = nullptr;
};

std::once_flag g_curl_init_once;
Status g_curl_init_status;
CurlApi g_curl;  // written once under g_curl_init_once, read-only afterwards

Status load_curl() {
  auto lib = DynamicLibrary::open(kCurlSoname);
  const std::string fix = "install libcurl (Debian: apt-get install libcurl4), or use a fixed intensity "
                          "(--intensity) or the offline tables (no --provider)";
  if (!lib) {
    return Status(StatusCode::unavailable, std::string(kCurlSoname) + " could not be loaded: " + lib.status().message(),
                  fix);
  }
  CurlApi api;
  bool complete = true;
  const auto bind = [&](auto& fn, const char* name) {
    fn = lib->function<std::remove_reference_t<decltype(fn)>>(name);
    complete = complete && fn != nullptr;
  };
  bind(api.global_init, "curl_global_init");
  bind(api.easy_init, "curl_easy_init");
  bind(api.easy_cleanup, "curl_easy_cleanup");
  bind(api.easy_reset, "curl_easy_reset");
  bind(api.easy_setopt, "curl_easy_setopt");
  bind(api.easy_perform, "curl_easy_perform");
  bind(api.easy_getinfo, "curl_easy_getinfo");
  bind(api.easy_strerror, "curl_easy_strerror");
  bind(api.slist_append, "curl_slist_append");
  bind(api.slist_free_all, "curl_slist_free_all");
  if (!complete) return Status(StatusCode::unavailable, std::string(kCurlSoname) + " lacks a libcurl function", fix);
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Status(StatusCode::unavailable, "libcurl could not be initialised");
  }
  // Kept for the life of the process: libcurl cannot be unloaded once initialised.
  static DynamicLibrary keep;
  keep = std::move(*lib);
  g_curl = api;
  return {};
}

const Status& global_init() {
  std::call_once(g_curl_init_once, [] { g_curl_init_status = load_curl(); });
  return g_curl_init_status;
}

struct EasyDeleter {
  void operator()(CURL* h) const noexcept { g_curl.easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { g_curl.slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

std::string_view scheme_of(std::string_view url) {
  const auto p = url.find("://");
  return p == std::string_view::npos ? std::string_view{} : url.substr(0, p);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// scheme://host[:port], lower-cased scheme; what "same origin" compares.
std::string origin_of(const std::string& url) {
  const std::string r = redact_url(url);
  const auto s = r.find("://");
  if (s == std::string::npos) return r;
  const auto slash = r.find('/', s + 3);
  std::string o = r.substr(0, slash);
  std::transform(o.begin(), o.begin() + static_cast<std::ptrdiff_t>(s), o.begin(),
                 [](unsigned char c) { return static_cast<char>(c | 0x20); });
  return o;
}

// CR, LF or NUL in a header would let a value inject headers of its own.
bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

struct BodySink {
  std::string body;
  std::size_t max_bytes = 0;
  bool overflow = false;
};

size_t write_body(char* data, size_t size, size_t count, void* user) noexcept {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  // Stop as soon as the limit would be passed: memory stays bounded whatever the server sends.
  if (sink->body.size() + n > sink->max_bytes) {
    sink->overflow = true;
    return 0;
  }
  try {
    sink->body.append(data, n);
  } catch (...) {
    sink->overflow = true;
    return 0;
  }
  return n;
}

// One HTTP exchange (one hop of one attempt).
struct Exchange {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string content_type;
  std::string redirect_url;
  double retry_after_s = -1;
  BodySink sink;
  std::string curl_error;  // libcurl's error buffer, scrubbed later
};

struct HopSettings {
  const std::string* url = nullptr;
  bool send_secrets = true;
  double connect_timeout_s = 2.0;
  double remaining_s = 5.0;
  const std::atomic<bool>* cancelled = nullptr;
};

// libcurl calls this often during a transfer (also while resolving and connecting): a non-zero
// return aborts it, so cancel() ends a hanging request within milliseconds.
int check_cancelled(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  const auto* flag = static_cast<const std::atomic<bool>*>(user);
  return flag != nullptr && flag->load(std::memory_order_relaxed) ? 1 : 0;
}

long to_ms(double s) { return std::max(1L, static_cast<long>(std::ceil(s * 1000.0))); }

Exchange perform(CURL* h, const HttpRequest& req, const HopSettings& hop) {
  Exchange ex;
  ex.sink.max_bytes = req.max_body_bytes;
  char errbuf[CURL_ERROR_SIZE] = {};
  g_curl.easy_reset(h);

  HeaderList headers;
  if (hop.send_secrets) {
    for (const auto& [name, value] : req.headers) {
      curl_slist* l = g_curl.slist_append(headers.get(), (name + ": " + value).c_str());
      if (l == nullptr) {
        ex.rc = CURLE_OUT_OF_MEMORY;
        return ex;
      }
      (void)headers.release();
      headers.reset(l);
    }
  }
  static const std::string user_agent = std::string("carbontracker/") + kVersion;

  g_curl.easy_setopt(h, CURLOPT_URL, hop.url->c_str());
  g_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  g_curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  g_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we run on threads
  // A name lookup runs on a resolver thread that getaddrinfo() can hold for tens of seconds
  // (a silent nameserver: 5 s x attempts x servers). On a timeout or cancel() libcurl would
  // join that thread before returning; with QUICK_EXIT it leaves it to finish on its own, so
  // the caller (and the tracker's stop()) is never held by a lookup. Older libcurl (< 7.87)
  // refuses the option: the connect timeout still bounds the wait there.
  (void)g_curl.easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
  g_curl.easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
  g_curl.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // the body limit applies after decoding
  g_curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, to_ms(std::min(hop.connect_timeout_s, hop.remaining_s)));
  g_curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, to_ms(hop.remaining_s));
  g_curl.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_body_bytes));
  g_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, &write_body);
  g_curl.easy_setopt(h, CURLOPT_WRITEDATA, &ex.sink);
  g_curl.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  // TLS verification stays at libcurl's default (peer and host verified); never turned off.
  if (req.method == "PUT") {
    // The body is the caller's (it outlives perform()); Content-Type is not a secret.
    // "Expect:" (empty) stops libcurl waiting for a 100 Continue before a body over 1 kB.
    for (const std::string& line : {"Content-Type: " + req.content_type, std::string("Expect:")}) {
      curl_slist* l = g_curl.slist_append(headers.get(), line.c_str());
      if (l == nullptr) {
        ex.rc = CURLE_OUT_OF_MEMORY;
        return ex;
      }
      (void)headers.release();
      headers.reset(l);
    }
    g_curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    g_curl.easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    g_curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }
  if (headers) g_curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  if (hop.send_secrets && req.basic_auth) {
    g_curl.easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    g_curl.easy_setopt(h, CURLOPT_USERNAME, req.basic_auth->first.c_str());
    g_curl.easy_setopt(h, CURLOPT_PASSWORD, req.basic_auth->second.c_str());
  }

  g_curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  g_curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &check_cancelled);
  g_curl.easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(hop.cancelled));
  ex.rc = g_curl.easy_perform(h);
  ex.curl_error = errbuf[0] != '\0' ? std::string(errbuf) : std::string(g_curl.easy_strerror(ex.rc));
  g_curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &ex.status);
  char* ctype = nullptr;
  if (g_curl.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != nullptr) ex.content_type = ctype;
  char* location = nullptr;
  if (g_curl.easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr) {
    ex.redirect_url = location;
  }
  curl_off_t retry_after = 0;
  if (g_curl.easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    ex.retry_after_s = static_cast<double>(retry_after);
  }
  // The handle points at errbuf and the header list: detach both before they go out of scope.
  g_curl.easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  g_curl.easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  return ex;
}

// Removes anything secret that a libcurl message could echo (defence in depth: libcurl's
// messages name hosts and ports, but a URL with a query or credentials must never leak).
std::string scrub(std::string text, const HttpRequest& req) {
  std::vector<std::string> secrets;
  for (const auto& [name, value] : req.headers) secrets.push_back(value);
  if (req.basic_auth) {
    secrets.push_back(req.basic_auth->first);
    secrets.push_back(req.basic_auth->second);
  }
  secrets.push_back(req.url);
  if (const auto q = req.url.find('?'); q != std::string::npos) secrets.push_back(req.url.substr(q));
  for (const auto& s : secrets) {
    if (s.size() < 3) continue;  // too short to be a credential; replacing would mangle text
    for (auto p = text.find(s); p != std::string::npos; p = text.find(s, p)) {
      text.replace(p, s.size(), "<redacted>");
      p += 10;
    }
  }
  return text;
}

bool is_retryable_transport(CURLcode rc) {
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Locale-independent ("0.25 s" under a comma-decimal locale too).
std::string seconds_text(double s) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, s, std::chars_format::general, 3);
  return std::string(buf, r.ptr) + " s";
}

std::string attempts_text(int attempts) {
  return attempts == 1 ? std::string("after 1 attempt") : "after " + std::to_string(attempts) + " attempts";
}

Status transport_status(const Exchange& ex, const std::string& where, const HttpRequest& req, int attempts) {
  const std::string detail = scrub(ex.curl_error, req);
  if (ex.rc == CURLE_WRITE_ERROR && ex.sink.overflow) {
    return {StatusCode::invalid_argument,
            "the answer from " + where + " is larger than the limit of " + std::to_string(req.max_body_bytes) +
                " bytes; it was cut off"};
  }
  switch (ex.rc) {
    case CURLE_FILESIZE_EXCEEDED:
      return {StatusCode::invalid_argument, "the answer from " + where + " is larger than the limit of " +
                                                std::to_string(req.max_body_bytes) + " bytes; not downloaded"};
    case CURLE_OPERATION_TIMEDOUT:
      return {StatusCode::transient,
              "no complete answer from " + where + " within " + seconds_text(req.total_timeout_s) + " (" +
                  attempts_text(attempts) + ": " + detail + ")",
              "check the network connection, or try again later"};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {StatusCode::unavailable, "cannot resolve the host of " + where + " (" + detail + ")",
              "check the network connection and DNS, or work offline with a fixed intensity"};
    case CURLE_COULDNT_CONNECT:
      return {StatusCode::unavailable, "cannot connect to " + where + " (" + detail + ")",
              "check the network connection, a firewall or the proxy settings"};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return {StatusCode::unavailable, "TLS with " + where + " failed (" + detail + ")",
              "install the system CA certificates (package ca-certificates) and check the clock; a proxy "
              "that intercepts TLS needs its CA installed (certificate checks are never turned off)"};
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return {StatusCode::invalid_argument, "the URL " + where + " cannot be fetched (" + detail + ")",
              "use an http:// or https:// base URL"};
    default:
      if (is_retryable_transport(ex.rc)) {
        return {StatusCode::transient,
                "the connection to " + where + " failed (" + attempts_text(attempts) + ": " + detail + ")",
                "try again later"};
      }
      return {StatusCode::unavailable, "the request to " + where + " failed (" + detail + ")"};
  }
}

Status http_status(long status, const std::string& where, int attempts) {
  const std::string head = "HTTP " + std::to_string(status) + " from " + where;
  if (status == 401 || status == 403) {
    return {StatusCode::permission_denied, head + ": the service rejected the credentials"};
  }
  if (status == 404) return {StatusCode::not_found, head + ": not found"};
  if (status == 429) {
    return {StatusCode::transient, head + ": too many requests (" + attempts_text(attempts) + ")",
            "wait a few minutes; the service limits how often it may be asked"};
  }
  if (status >= 500) {
    return {StatusCode::transient, head + ": server error (" + attempts_text(attempts) + ")", "try again later"};
  }
  if (is_redirect(status)) return {StatusCode::unavailable, head + ": a redirect without a usable Location"};
  if (status >= 400) return {StatusCode::invalid_argument, head + ": the request was refused"};
  return {StatusCode::unavailable, head + ": unexpected status"};
}

class CurlHttpClient final : public HttpClient {
 public:
  void cancel() noexcept override { cancelled_.store(true); }

  Result<HttpResponse> get(const HttpRequest& request) noexcept override {
    if (request.method != "GET") return Status(StatusCode::invalid_argument, "get() with method " + request.method);
    return send(request);
  }

  Result<HttpResponse> send(const HttpRequest& request) noexcept override {
    if (request.method != "GET" && request.method != "PUT") {
      return Status(StatusCode::invalid_argument, "HTTP method " + request.method + " is not supported");
    }
    if (cancelled_.load()) return Status(StatusCode::unavailable, "HTTP client shut down");
    try {
      return get_impl(request);
    } catch (const std::exception& e) {
      return Status(StatusCode::internal, std::string("HTTP client failed: ") + e.what());
    } catch (...) {
      return Status(StatusCode::internal, "HTTP client failed");
    }
  }

 private:
  Result<HttpResponse> get_impl(const HttpRequest& req) {
    const std::string first_where = redact_url(req.url);
    const std::string_view scheme = scheme_of(req.url);
    if (!iequals(scheme, "http") && !iequals(scheme, "https")) {
      return Status(StatusCode::invalid_argument, "the URL " + first_where + " is not http:// or https://",
                    "use an http:// or https:// base URL");
    }
    for (const auto& [name, value] : req.headers) {
      if (name.empty() || has_line_break(name) || has_line_break(value) || name.find(':') != std::string::npos) {
        return Status(StatusCode::invalid_argument,
                      "request header '" + (has_line_break(name) ? std::string("?") : name) +
                          "' for " + first_where + " is malformed (line break or colon)");
      }
    }
    if (!(req.total_timeout_s > 0) || !(req.connect_timeout_s > 0)) {
      return Status(StatusCode::invalid_argument, "HTTP timeouts must be positive");
    }
    if (const Status& loaded = global_init(); !loaded.is_ok()) return loaded;
    EasyHandle handle(g_curl.easy_init());
    if (!handle) return Status(StatusCode::unavailable, "libcurl could not create a handle");

    const auto deadline = Steady::now() + std::chrono::duration_cast<Steady::duration>(
                                              std::chrono::duration<double>(req.total_timeout_s));
    const auto remaining_s = [&] { return std::chrono::duration<double>(deadline - Steady::now()).count(); };
    const int max_attempts = std::max(1, req.max_attempts);

    Status last;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
      std::string url = req.url;
      bool send_secrets = true;
      Exchange ex;
      for (int hop = 0;; ++hop) {
        const double left = remaining_s();
        if (left <= 0) {
          ex = Exchange{};
          ex.rc = CURLE_OPERATION_TIMEDOUT;
          ex.curl_error = "time limit reached";
          break;
        }
        ex = perform(handle.get(), req, {&url, send_secrets, req.connect_timeout_s, left, &cancelled_});
        if (ex.rc != CURLE_OK || !is_redirect(ex.status) || ex.redirect_url.empty() || req.method != "GET") break;
        if (hop == kMaxRedirects) {
          return Status(StatusCode::unavailable,
                        "more than " + std::to_string(kMaxRedirects) + " redirects from " + first_where);
        }
        if (iequals(scheme_of(url), "https") && !iequals(scheme_of(ex.redirect_url), "https")) {
          return Status(StatusCode::unavailable, redact_url(url) + " redirects from https to " +
                                                     redact_url(ex.redirect_url) + "; refused");
        }
        // Credentials are for the origin the caller named, never for a host a redirect picks.
        if (origin_of(ex.redirect_url) != origin_of(req.url)) send_secrets = false;
        url = ex.redirect_url;
      }
      const std::string where = redact_url(url);

      if (ex.rc == CURLE_OK && ex.status >= 200 && ex.status < 300) {
        HttpResponse out;
        out.status = ex.status;
        out.content_type = std::move(ex.content_type);
        out.body = std::move(ex.sink.body);
        out.attempts = attempt;
        return out;
      }

      bool retry = false;
      if (ex.rc != CURLE_OK) {
        last = transport_status(ex, where, req, attempt);
        retry = is_retryable_transport(ex.rc);
      } else {
        last = http_status(ex.status, where, attempt);
        retry = ex.status == 429 || ex.status >= 500;
      }
      if (!retry || attempt == max_attempts) return last;

      const double backoff_s = ex.retry_after_s > 0 ? ex.retry_after_s : kFirstBackoffS * std::ldexp(1.0, attempt - 1);
      if (ex.rc == CURLE_OPERATION_TIMEDOUT && remaining_s() <= 0) return last;
      if (backoff_s >= remaining_s()) {
        // Waiting would pass the caller's time limit: give up now rather than sleep in vain.
        return Status(last.code(),
                      last.message() + "; the next retry (in " + seconds_text(backoff_s) + ") would pass the " +
                          seconds_text(req.total_timeout_s) + " limit",
                      last.fix());
      }
      // Sleep in short steps so cancel() is honoured during a backoff too.
      const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(backoff_s);
      while (std::chrono::steady_clock::now() < until && !cancelled_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (cancelled_.load()) return Status(StatusCode::unavailable, "HTTP client shut down");
    }
    return last;
  }

  std::atomic<bool> cancelled_{false};
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_http_client() { return std::make_unique<CurlHttpClient>(); }

std::string redact_url(const std::string& url) {
  const auto cut = url.find_first_of("?#");
  std::string base = url.substr(0, cut);
  const auto s = base.find("://");
  const std::size_t host_start = s == std::string::npos ? 0 : s + 3;
  const auto path_start = base.find('/', host_start);
  const auto at = base.rfind('@', path_start == std::string::npos ? std::string::npos : path_start);
  if (at != std::string::npos && at >= host_start) base.erase(host_start, at + 1 - host_start);
  return base;
}

}  // namespace carbontracker::io
