// Tracker::set_api_keys after construction: the next intensity fetch sends the new key (the
// Python tool's set_api_keys), proven against a real HTTP server on 127.0.0.1 standing in for
// Electricity Maps; an unknown provider name is refused at the call and changes nothing.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "carbontracker/tracker.hpp"
#include "local_http_server.hpp"
#include "tracker_test_support.hpp"

namespace carbontracker {
namespace {

using testing::LocalHttpServer;
using testing::TrackerRig;
using namespace std::chrono_literals;

constexpr const char* kOld = "OLD-TOKEN-1111";
constexpr const char* kNew = "NEW-TOKEN-2222";

// Electricity Maps on 127.0.0.1: the server's request log keeps the auth-token of every request;
// it answers the latest value only to the new token (the old one is refused, as an expired key
// would be).
class FakeElectricityMaps {
 public:
  FakeElectricityMaps() {
    http_.get(R"(/carbon-intensity/.*)", [](const httplib::Request& req, httplib::Response& res) {
      const std::string token = req.get_header_value("auth-token");
      if (token != kNew || req.path != "/carbon-intensity/latest") {
        res.status = token == kNew ? 404 : 401;
        return;
      }
      res.set_content(R"({"zone":"DE","carbonIntensity":321,"datetime":"2023-11-14T22:00:00.000Z",)"
                      R"("updatedAt":"2023-11-14T22:10:00.000Z","isEstimated":false})",
                      "application/json");
    });
    http_.start();
  }

  std::string url() const { return http_.base_url(); }

  // Waits (bounded, so a broken build fails instead of hanging) until a request carried `token`.
  bool wait_for_token(const std::string& token) {
    return http_.wait_for_request([&](const testing::LoggedRequest& r) { return r.header("auth-token") == token; },
                                  20s);
  }

  std::vector<std::string> tokens() const {
    std::vector<std::string> all;
    for (const auto& r : http_.requests()) {
      if (r.path.rfind("/carbon-intensity/", 0) == 0) all.push_back(r.header("auth-token"));
    }
    return all;
  }

 private:
  LocalHttpServer http_;
};

Config german_config() {
  Config c;
  c.epochs = 3;
  c.update_interval = 3600;
  c.verbose = 0;
  c.zone = "DE";  // only Electricity Maps serves it: the key decides whether there is a live provider
  c.intensity_refresh_s = 60;
  return c;
}

void point_at(TrackerRig& rig, const std::string& url) {
  rig.ctx->getenv = [url](const std::string& name) -> std::optional<std::string> {
    if (name == "CARBONTRACKER_ELECTRICITYMAPS_URL") return url;
    return std::nullopt;
  };
}

TEST(TrackerApiKeys, AKeySetAfterConstructionIsSentByTheNextFetch) {
  FakeElectricityMaps em;
  TrackerRig rig;
  point_at(rig, em.url());
  Config c = german_config();
  c.api_keys = {{"electricitymaps", kOld}};
  Tracker t(c, rig.env());
  ASSERT_TRUE(em.wait_for_token(kOld)) << "the first fetch, at start, uses the constructor's key";

  t.set_api_keys({{"electricitymaps", kNew}});
  // The first fetch round is over when the sampler and the intensity thread both wait on the
  // clock; only then does moving it make the next refresh due.
  ASSERT_TRUE(rig.clock.wait_for_waiters(2));
  const std::size_t before = em.tokens().size();
  rig.clock.advance(61s);
  ASSERT_TRUE(em.wait_for_token(kNew)) << "the refresh after set_api_keys sent the new key";
  t.stop();

  const auto tokens = em.tokens();
  // Every request after the first one with the new key carries it; the old key is gone.
  bool switched = false;
  for (std::size_t i = before; i < tokens.size(); ++i) {
    if (tokens[i] == kNew) switched = true;
    if (switched) {
      EXPECT_EQ(tokens[i], kNew) << "request " << i;
    }
  }
  EXPECT_TRUE(switched);
}

TEST(TrackerApiKeys, AKeyForAZoneThatHadNoProviderStartsTheLiveFetches) {
  FakeElectricityMaps em;
  TrackerRig rig;
  point_at(rig, em.url());
  Config c = german_config();
  c.epochs = 1000;
  Tracker t(c, rig.env());  // no key: the offline table, no fetch thread
  const std::string offline_source = t.snapshot().intensity.source;
  t.set_api_keys({{"ElectricityMaps", kNew}});  // the Python tool lower-cases the name
  ASSERT_TRUE(em.wait_for_token(kNew)) << "the provider is built from the new key and fetched at once";
  // The answer is applied on the service's thread; each epoch end reads the value in force.
  IntensityInfo seen;
  const auto deadline = std::chrono::steady_clock::now() + 60s;  // generous: sanitizers, a loaded CI
  while (std::chrono::steady_clock::now() < deadline) {
    t.epoch_start();
    rig.spend(1, 1, 1, 0.01);
    t.epoch_end();
    seen = t.snapshot().intensity;
    if (seen.source.find("Electricity Maps") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  t.stop();
  EXPECT_NE(seen.source.find("Electricity Maps"), std::string::npos) << seen.source << " / " << seen.why;
  EXPECT_NE(seen.source, offline_source);
  EXPECT_NE(seen.why.find("token from config api_keys"), std::string::npos) << seen.why;
}

TEST(TrackerApiKeys, AnUnknownProviderNameIsRefusedAtTheCallAndChangesNothing) {
  FakeElectricityMaps em;
  TrackerRig rig;
  point_at(rig, em.url());
  Config c = german_config();
  c.api_keys = {{"electricitymaps", kOld}};
  Tracker t(c, rig.env());
  try {
    t.set_api_keys({{"electricitymaps", kNew}, {"co2signal", "x"}});
    FAIL() << "an unknown provider name was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.parameter(), "api_keys");
    const std::string what = e.what();
    EXPECT_NE(what.find("invalid API name 'co2signal' given"), std::string::npos) << what;
    EXPECT_EQ(what.find(kNew), std::string::npos) << "a key is a secret: " << what;
  }
  ASSERT_TRUE(em.wait_for_token(kOld));
  ASSERT_TRUE(rig.clock.wait_for_waiters(2));
  const std::size_t first_round = em.tokens().size();
  rig.clock.advance(61s);
  // The refresh after the refused call still uses the old key: wait for its requests.
  for (int i = 0; i < 2000 && em.tokens().size() <= first_round; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_GT(em.tokens().size(), first_round) << "a second fetch round ran";
  t.stop();
  for (const auto& token : em.tokens()) EXPECT_EQ(token, kOld);
}

}  // namespace
}  // namespace carbontracker
