// outputs/event_codec.hpp's per-epoch encoders (append_epoch_line, append_prediction_line,
// append_power_line) write the same bytes as encode() through JsonWriter, which renders every
// scalar with nlohmann_json: checked on many generated records whose numbers and strings are the
// awkward ones (NaN, infinities, -0, subnormals, huge and tiny values, integral doubles, random
// bit patterns; quotes, backslashes, control characters, DEL, valid and invalid UTF-8, NUL).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "outputs/event_codec.hpp"

namespace carbontracker::outputs {
namespace {

class FastCodecGen {
 public:
  explicit FastCodecGen(std::uint32_t seed) : rng_(seed) {}

  double number() {
    static const double kFixed[] = {0.0,
                                    -0.0,
                                    1.0,
                                    -1.0,
                                    0.1 + 0.2,
                                    1e-5,
                                    1e-4,
                                    0.001,
                                    123456789012345.0,
                                    1e15,
                                    1e16,
                                    1e17,
                                    1e21,
                                    1e22,
                                    1e300,
                                    -1e-300,
                                    5e-324,
                                    2.2250738585072014e-308,
                                    std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::lowest(),
                                    std::numeric_limits<double>::epsilon(),
                                    std::numeric_limits<double>::quiet_NaN(),
                                    -std::numeric_limits<double>::quiet_NaN(),
                                    std::numeric_limits<double>::infinity(),
                                    -std::numeric_limits<double>::infinity(),
                                    3600000.0,
                                    0.30575780400000003,
                                    9007199254740993.0,
                                    4.35,
                                    2.675};
    switch (pick(5)) {
      case 0:
        return kFixed[pick(sizeof kFixed / sizeof kFixed[0])];
      case 1: {  // any bit pattern: NaN payloads, subnormals, everything
        std::uint64_t bits = rng_();
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        return d;
      }
      case 2:  // integral values of every size
        return std::ldexp(static_cast<double>(pick(1000000)), static_cast<int>(pick(60)));
      case 3:  // decimals as the tracker sees them (joules, seconds, grams)
        return std::uniform_real_distribution<double>(0, 1000)(rng_) * std::pow(10.0, static_cast<int>(pick(25)) - 12);
      default:
        return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
    }
  }

  std::string text() {
    static const char* kPieces[] = {"estimated", "GPU 0 (A100)", "\"quoted\"", "back\\slash", "tab\there",
                                    "new\nline", "\x01\x1f", "\x7f", "caf\xc3\xa9", "\xf0\x9f\x94\xa5",
                                    "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "/", "</script>", "%s {} {{"};
    std::string s;
    const std::size_t n = pick(4);
    for (std::size_t i = 0; i < n; ++i) {
      if (pick(6) == 0) s += '\0';
      s += kPieces[pick(sizeof kPieces / sizeof kPieces[0])];
    }
    return s;
  }

  int integer() {
    static const int kFixed[] = {0, 1, -1, 7, 1000, std::numeric_limits<int>::max(), std::numeric_limits<int>::min()};
    return pick(2) == 0 ? kFixed[pick(7)] : static_cast<int>(rng_());
  }

  std::chrono::system_clock::time_point wall() {
    using namespace std::chrono;
    // Now, 1970, before 1970 (sub-second negatives too), and the clock's far ends (1678..2262).
    const std::int64_t kFixed[] = {0, -1, 1, -999999999, 1'763'481'234'567'890'123, -2'208'988'800'000'000'000,
                                   std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min() + 1};
    const std::int64_t ns = pick(2) == 0 ? kFixed[pick(8)] : static_cast<std::int64_t>(rng_());
    return system_clock::time_point(duration_cast<system_clock::duration>(nanoseconds(ns)));
  }

  EpochRecord epoch() {
    EpochRecord e;
    e.index = integer();
    e.complete = pick(2) == 0;
    e.start_s = number();
    e.wall_start = wall();
    e.wall_end = wall();
    e.totals.duration_s = number();
    e.totals.device_energy_j = {number(), number(), number(), number()};
    e.totals.measured_j = number();
    e.totals.estimated_j = number();
    e.totals.facility_energy_j = number();
    e.totals.co2eq_g = number();
    for (std::size_t i = pick(14); i > 0; --i) e.channel_energy_j.push_back(number());
    e.intensity_g_per_kwh = number();
    for (std::size_t i = pick(4); i > 0; --i) e.notes.push_back(text());
    return e;
  }

  Forecast forecast() {
    Forecast f;
    f.method = pick(2) == 0 ? ForecastMethod::robust : ForecastMethod::paper;
    f.after_epochs = integer();
    f.epochs = integer();
    f.confidence = number();
    f.duration_s = number();
    f.duration_s_low = number();
    f.duration_s_high = number();
    f.energy_j = number();
    f.energy_j_low = number();
    f.energy_j_high = number();
    f.co2eq_g = number();
    f.co2eq_g_low = number();
    f.co2eq_g_high = number();
    f.intensity_g_per_kwh = number();
    return f;
  }

  PredictionEvent prediction() {
    const double pues[] = {1.0, 1.58, 0.0, -1.0, std::numeric_limits<double>::quiet_NaN(), 1e-300};
    return {pick(2) == 0, ForecastRecord::of(forecast()), ForecastRecord::of(forecast()),
            pick(2) == 0 ? pues[pick(6)] : number()};
  }

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

 private:
  std::mt19937_64 rng_;
};

TEST(EventCodecFast, EpochLinesAreByteIdenticalToTheJsonWriters) {
  FastCodecGen gen(1);
  std::string reused;
  for (int i = 0; i < 5000; ++i) {
    const EpochRecord e = gen.epoch();
    const std::string expected = encode(EpochEvent{e});
    ASSERT_EQ(encode_epoch(e), expected) << "record " << i;
    reused.clear();
    append_epoch_line(reused, e);
    ASSERT_EQ(reused, expected) << "record " << i;
  }
}

TEST(EventCodecFast, PredictionLinesAreByteIdenticalToTheJsonWriters) {
  FastCodecGen gen(2);
  std::string out;
  for (int i = 0; i < 5000; ++i) {
    const PredictionEvent p = gen.prediction();
    out.clear();
    append_prediction_line(out, p);
    ASSERT_EQ(out, encode(p)) << "record " << i;
  }
}

TEST(EventCodecFast, PowerLinesAreByteIdenticalToTheJsonWriters) {
  FastCodecGen gen(3);
  std::string out;
  for (int i = 0; i < 5000; ++i) {
    PowerEvent p;
    p.t_s = gen.number();
    for (std::size_t n = gen.pick(14); n > 0; --n) p.energy_j.push_back(gen.number());
    out.clear();
    append_power_line(out, p.t_s, p.energy_j);
    ASSERT_EQ(out, encode(p)) << "record " << i;
  }
}

TEST(EventCodecFast, LinesAppendToWhatTheBufferHoldsAndDecodeBack) {
  EpochRecord e;
  e.index = 4;
  e.totals.duration_s = 60.5;
  e.notes = {"caf\xc3\xa9 \"x\"", "bad \xff byte"};
  std::string out = "prefix|";
  append_epoch_line(out, e);
  EXPECT_EQ(out, "prefix|" + encode(EpochEvent{e}));
  auto d = decode(std::string_view(out).substr(7), false);
  ASSERT_TRUE(std::holds_alternative<Decoded>(d));
  const auto& ev = std::get<Decoded>(d).event;
  ASSERT_TRUE(ev && std::holds_alternative<EpochEvent>(*ev));
  EXPECT_EQ(std::get<EpochEvent>(*ev).epoch.index, 4);
  EXPECT_EQ(std::get<EpochEvent>(*ev).epoch.notes[1], "bad \xef\xbf\xbd byte");  // U+FFFD, as nlohmann replaces
}

}  // namespace
}  // namespace carbontracker::outputs
