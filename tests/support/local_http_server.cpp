#include "local_http_server.hpp"

#include <regex>
#include <stdexcept>

namespace carbontracker::testing {

namespace {

void wait_unless(const std::atomic<bool>& released, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!released.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
}

}  // namespace

std::string LoggedRequest::param(const std::string& name) const {
  const auto it = params.find(name);
  return it == params.end() ? std::string{} : it->second;
}

std::string LoggedRequest::header(const std::string& name) const {
  // httplib::Headers compares names case-insensitively.
  const auto it = headers.find(name);
  return it == headers.end() ? std::string{} : it->second;
}

LocalHttpServer::LocalHttpServer() {
  // Every request is logged, then waits out hang mode, before routing; Unhandled lets the route
  // table answer it.
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
    {
      std::lock_guard lock(log_mutex_);
      log_.push_back(LoggedRequest{req.method, req.path, req.params, req.headers});
    }
    log_cv_.notify_all();
    if (const long long ms = hang_ms_.load(); ms > 0) wait_unless(released_, std::chrono::milliseconds{ms});
    return httplib::Server::HandlerResponse::Unhandled;
  });
}

LocalHttpServer::~LocalHttpServer() { stop(); }

LocalHttpServer& LocalHttpServer::get(const std::string& pattern, Handler handler) {
  server_.Get(pattern, std::move(handler));
  return *this;
}

LocalHttpServer& LocalHttpServer::answer(const std::string& pattern, int status, std::string body,
                                         std::string content_type) {
  return get(pattern, [status, body = std::move(body), type = std::move(content_type)](const httplib::Request&,
                                                                                      httplib::Response& res) {
    res.status = status;
    res.set_content(body, type);
  });
}

void LocalHttpServer::start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind a port on 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (!server_.is_running()) {
    if (std::chrono::steady_clock::now() > until) {
      stop();
      throw std::runtime_error("the local HTTP server did not start within 5 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
}

void LocalHttpServer::stop() {
  release();
  if (thread_.joinable()) {
    server_.stop();
    thread_.join();
  }
}

void LocalHttpServer::hold(std::chrono::milliseconds d) const { wait_unless(released_, d); }

void LocalHttpServer::release() { released_ = true; }

std::vector<LoggedRequest> LocalHttpServer::requests() const {
  std::lock_guard lock(log_mutex_);
  return log_;
}

std::size_t LocalHttpServer::request_count(const std::string& path_pattern) const {
  const std::regex re(path_pattern.empty() ? std::string{".*"} : path_pattern);
  std::lock_guard lock(log_mutex_);
  std::size_t n = 0;
  for (const auto& r : log_) n += std::regex_match(r.path, re) ? 1 : 0;
  return n;
}

bool LocalHttpServer::wait_for_request(const std::function<bool(const LoggedRequest&)>& pred,
                                       std::chrono::milliseconds timeout) {
  std::unique_lock lock(log_mutex_);
  return log_cv_.wait_for(lock, timeout, [&] {
    for (const auto& r : log_) {
      if (pred(r)) return true;
    }
    return false;
  });
}

}  // namespace carbontracker::testing
