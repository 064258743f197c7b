#include "intensity/providers/factory.hpp"

#include "intensity/providers/carbonintensity_uk.hpp"
#include "intensity/providers/electricitymaps.hpp"
#include "intensity/providers/energidataservice.hpp"
#include "intensity/providers/geolocation.hpp"
#include "intensity/providers/watttime.hpp"

namespace carbontracker::intensity {
namespace {

// Providers hold a reference to their HTTP client; this keeps the client alive with them.
class Owning final : public IntensityProvider {
 public:
  Owning(std::shared_ptr<io::HttpClient> http, std::unique_ptr<IntensityProvider> inner)
      : http_(std::move(http)), inner_(std::move(inner)) {}
  std::string_view id() const noexcept override { return inner_->id(); }
  std::string_view display_name() const noexcept override { return inner_->display_name(); }
  Status suitable(const Location& w) const override { return inner_->suitable(w); }
  Result<IntensityQuote> latest(const Location& w) noexcept override { return inner_->latest(w); }
  Result<IntensitySeries> forecast(const Location& w, int h) noexcept override { return inner_->forecast(w, h); }
  Result<IntensitySeries> history(const Location& w, TimePoint a, TimePoint b) noexcept override {
    return inner_->history(w, a, b);
  }

 private:
  std::shared_ptr<io::HttpClient> http_;
  std::unique_ptr<IntensityProvider> inner_;
};

std::string env_or(const GetEnv& env, const char* name, std::string_view fallback) {
  if (auto v = env(name); v && !v->empty()) return *v;
  return std::string(fallback);
}

}  // namespace

Endpoints Endpoints::from_env(const GetEnv& env) {
  return {env_or(env, "CARBONTRACKER_ELECTRICITYMAPS_URL", kElectricityMapsBaseUrl),
          env_or(env, "CARBONTRACKER_ENERGIDATASERVICE_URL", kEnergiDataServiceBaseUrl),
          env_or(env, "CARBONTRACKER_CARBONINTENSITY_UK_URL", kCarbonIntensityUkBaseUrl),
          env_or(env, "CARBONTRACKER_WATTTIME_URL", kWattTimeBaseUrl),
          env_or(env, "CARBONTRACKER_GEOLOCATION_URL", kIpinfoBaseUrl)};
}

std::unique_ptr<IntensityProvider> make_provider(std::string_view id, std::shared_ptr<io::HttpClient> http,
                                                 const ProviderKeys& keys, const Endpoints& endpoints) {
  std::unique_ptr<IntensityProvider> p;
  if (id == kElectricityMapsId) {
    if (!keys.electricitymaps_token) return nullptr;
    ElectricityMapsConfig c;
    c.token = *keys.electricitymaps_token;
    c.base_url = endpoints.electricitymaps;
    p = std::make_unique<ElectricityMapsProvider>(*http, c);
  } else if (id == kEnergiDataServiceId) {
    EnergiDataServiceConfig c;
    c.base_url = endpoints.energidataservice;
    p = std::make_unique<EnergiDataServiceProvider>(*http, c);
  } else if (id == kNesoId) {
    CarbonIntensityUkConfig c;
    c.base_url = endpoints.carbonintensity_uk;
    p = std::make_unique<CarbonIntensityUkProvider>(*http, c);
  } else if (id == kWattTimeId) {
    if (!keys.watttime_user || !keys.watttime_password) return nullptr;
    WattTimeConfig c;
    c.username = *keys.watttime_user;
    c.password = *keys.watttime_password;
    c.base_url = endpoints.watttime;
    p = std::make_unique<WattTimeProvider>(*http, c);
  } else {
    return nullptr;
  }
  return std::make_unique<Owning>(std::move(http), std::move(p));
}

}  // namespace carbontracker::intensity
