// Helpers of the exporter tests: a plain HTTP GET over 127.0.0.1 and the samples of a scrape.
#pragma once

#include <httplib.h>

#include <map>
#include <sstream>
#include <string>

namespace carbontracker::testing {

struct Scrape {
  int status = 0;
  std::string content_type;
  std::string body;
};

inline Scrape scrape(int port, const std::string& path = "/metrics") {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  Scrape s;
  if (auto res = client.Get(path.c_str())) {
    s.status = res->status;
    s.content_type = res->get_header_value("Content-Type");
    s.body = res->body;
  }
  return s;
}

// Sum of the samples of `metric` whose line contains every `needle` (e.g. "component=\"gpu\"").
inline double sum_of(const std::string& text, const std::string& metric, const std::string& needle = "") {
  double sum = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(metric + "{", 0) != 0 && line.rfind(metric + " ", 0) != 0) continue;
    if (!needle.empty() && line.find(needle) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

}  // namespace carbontracker::testing
