#include "intensity/providers/geolocation.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "local_http_server.hpp"
#include "provider_test_util.hpp"

namespace carbontracker::intensity {
namespace {

using carbontracker::testing::fixture;
using carbontracker::testing::LocalHttpServer;
using carbontracker::testing::seconds_since;
using carbontracker::testing::serve_json;

TEST(Geolocation, CountryAndCoordinatesFromIpinfo) {
  LocalHttpServer server;
  server.get("/json", [](const httplib::Request&, httplib::Response& res) {
    serve_json(res, fixture("ipinfo.json"));
  });
  server.start();
  auto http = io::make_curl_http_client();
  auto r = locate_by_ip(*http, server.base_url());
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->location.country, "DK");
  ASSERT_TRUE(r->location.latitude && r->location.longitude);
  EXPECT_DOUBLE_EQ(*r->location.latitude, 55.6759);
  EXPECT_DOUBLE_EQ(*r->location.longitude, 12.5655);
  EXPECT_FALSE(r->location.gb_postcode);  // a Danish postal code is not a GB outward code
  EXPECT_EQ(r->location.how, "IP geolocation (ipinfo.io)");
  EXPECT_EQ(r->city, "Copenhagen");
  EXPECT_EQ(r->region, "Capital Region");
  auto just_location = geolocate_by_ip(*http, server.base_url());
  ASSERT_TRUE(just_location) << just_location.status().to_string();
  EXPECT_EQ(just_location->country, "DK");
  EXPECT_EQ(just_location->how, "IP geolocation (ipinfo.io)");
}

TEST(Geolocation, GreatBritainGivesTheOutwardPostcode) {
  auto r = parse_ipinfo(fixture("ipinfo_gb.json"));
  ASSERT_TRUE(r) << r.status().to_string();
  EXPECT_EQ(r->location.country, "GB");
  EXPECT_EQ(r->location.gb_postcode, "RG10");
}

TEST(Geolocation, TimeoutIsAStatusWithinTheShortLimit) {
  LocalHttpServer server;
  server.get("/json", [](const httplib::Request&, httplib::Response& res) { serve_json(res, fixture("ipinfo.json")); });
  server.hang(std::chrono::seconds{5});
  server.start();
  auto http = io::make_curl_http_client();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = locate_by_ip(*http, server.base_url(), 0.3);
  const double elapsed = seconds_since(t0);
  server.release();
  EXPECT_EQ(server.request_count("/json"), 1u);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::transient);
  EXPECT_NE(r.status().message().find("ipinfo.io"), std::string::npos) << r.status().message();
  EXPECT_FALSE(r.status().fix().empty());
  EXPECT_LT(elapsed, 0.3 + 0.5);
}

TEST(Geolocation, OfflineIsAStatus) {
  int port = 0;
  {
    LocalHttpServer gone;
    gone.start();
    port = gone.port();
  }
  auto http = io::make_curl_http_client();
  auto r = locate_by_ip(*http, "http://127.0.0.1:" + std::to_string(port));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), StatusCode::unavailable);
}

TEST(Geolocation, UnusableAnswersAreRefusedNotGuessed) {
  EXPECT_FALSE(parse_ipinfo(R"({"ip":"10.0.0.1","bogon":true})"));
  EXPECT_FALSE(parse_ipinfo(R"({"ip":"192.0.2.1","loc":"1,2"})"));
  EXPECT_FALSE(parse_ipinfo(R"({"country":"Denmark"})"));
  EXPECT_FALSE(parse_ipinfo("<html>"));
  auto no_loc = parse_ipinfo(R"({"country":"de","loc":"north,east"})");
  ASSERT_TRUE(no_loc);
  EXPECT_EQ(no_loc->location.country, "DE");
  EXPECT_FALSE(no_loc->location.latitude);
}

}  // namespace
}  // namespace carbontracker::intensity
