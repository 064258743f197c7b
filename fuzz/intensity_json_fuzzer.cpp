// libFuzzer target: every live intensity provider's pure JSON parser (src/intensity/providers/:
// Electricity Maps, Energi Data Service, NESO Carbon Intensity, WattTime, ipinfo.io) and the
// ISO-8601 time parser they share. Each input goes to every parser, so a seed of one provider's
// shape also probes the others. Contract: never throw (a Result), and a successful parse holds
// only finite intensities >= 0 g/kWh, sorted by start, with end >= start.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "intensity/providers/carbonintensity_uk.hpp"
#include "intensity/providers/electricitymaps.hpp"
#include "intensity/providers/energidataservice.hpp"
#include "intensity/providers/geolocation.hpp"
#include "intensity/providers/provider_util.hpp"
#include "intensity/providers/watttime.hpp"

namespace {

using carbontracker::Result;
using namespace carbontracker::intensity;

void check_quote(const IntensityQuote& q) {
  FUZZ_CHECK(std::isfinite(q.g_per_kwh) && q.g_per_kwh >= 0);
  FUZZ_CHECK(q.end >= q.start);
}

void check_series(const Result<IntensitySeries>& r) {
  if (!r) return;
  for (std::size_t i = 0; i < r->size(); ++i) {
    check_quote((*r)[i]);
    if (i > 0) FUZZ_CHECK((*r)[i - 1].start <= (*r)[i].start);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace carbontracker::intensity;
  const std::string_view json(reinterpret_cast<const char*>(data), size);

  if (auto q = parse_electricitymaps_latest(json, "DK-DK2")) check_quote(*q);
  if (auto q = parse_electricitymaps_latest(json)) check_quote(*q);
  check_series(parse_electricitymaps_series(json, QuoteKind::forecast, "DE"));
  check_series(parse_electricitymaps_series(json, QuoteKind::measured));

  for (const std::string_view area : {"DK1", "DK2", "DK"}) {
    check_series(parse_energidataservice(json, QuoteKind::measured, area));
  }
  check_series(parse_energidataservice(json, QuoteKind::forecast, "DK2"));

  check_series(parse_carbonintensity_uk(json));

  (void)parse_watttime_token(json);
  (void)parse_watttime_region(json);
  check_series(parse_watttime_series(json, QuoteKind::measured));
  check_series(parse_watttime_series(json, QuoteKind::forecast));

  if (auto loc = parse_ipinfo(json)) {
    const Location& l = loc->location;
    if (l.latitude) FUZZ_CHECK(std::isfinite(*l.latitude));
    if (l.longitude) FUZZ_CHECK(std::isfinite(*l.longitude));
  }

  // Short inputs are also timestamps ("2025-01-01T00:00Z").
  if (size <= 64) (void)provider_detail::parse_utc_time(json);
  return 0;
}
