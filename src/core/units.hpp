// Unit-carrying value types. SI inside (J, W, s); kWh and g/kWh exist only for the edges
// (reports, intensity tables), with explicit conversions.
//
// Contract: a Quantity is a double tagged with its unit. Same-unit arithmetic and ordering
// are allowed; the only cross-unit products are the physical ones below (W*s = J, J/s = W,
// J/W = s, kWh * g/kWh = g). Everything is constexpr and noexcept; no I/O.
#pragma once

#include <compare>

namespace carbontracker {

template <class Tag>
class Quantity {
 public:
  constexpr Quantity() noexcept = default;
  constexpr explicit Quantity(double value) noexcept : value_(value) {}

  [[nodiscard]] constexpr double value() const noexcept { return value_; }

  constexpr Quantity& operator+=(Quantity o) noexcept { value_ += o.value_; return *this; }
  constexpr Quantity& operator-=(Quantity o) noexcept { value_ -= o.value_; return *this; }
  constexpr Quantity& operator*=(double k) noexcept { value_ *= k; return *this; }
  constexpr Quantity& operator/=(double k) noexcept { value_ /= k; return *this; }

  friend constexpr Quantity operator+(Quantity a, Quantity b) noexcept { return Quantity(a.value_ + b.value_); }
  friend constexpr Quantity operator-(Quantity a, Quantity b) noexcept { return Quantity(a.value_ - b.value_); }
  friend constexpr Quantity operator-(Quantity a) noexcept { return Quantity(-a.value_); }
  friend constexpr Quantity operator*(Quantity a, double k) noexcept { return Quantity(a.value_ * k); }
  friend constexpr Quantity operator*(double k, Quantity a) noexcept { return Quantity(a.value_ * k); }
  friend constexpr Quantity operator/(Quantity a, double k) noexcept { return Quantity(a.value_ / k); }
  friend constexpr double operator/(Quantity a, Quantity b) noexcept { return a.value_ / b.value_; }
  friend constexpr auto operator<=>(Quantity a, Quantity b) noexcept = default;

 private:
  double value_ = 0.0;
};

struct JoulesTag {};
struct WattsTag {};
struct SecondsTag {};
struct KilowattHoursTag {};
struct GramsTag {};
struct GramsPerKwhTag {};

using Joules = Quantity<JoulesTag>;
using Watts = Quantity<WattsTag>;
using Seconds = Quantity<SecondsTag>;
using KilowattHours = Quantity<KilowattHoursTag>;
using Grams = Quantity<GramsTag>;
using GramsPerKwh = Quantity<GramsPerKwhTag>;

inline constexpr double kJoulesPerKwh = 3.6e6;

constexpr Joules operator*(Watts p, Seconds t) noexcept { return Joules(p.value() * t.value()); }
constexpr Joules operator*(Seconds t, Watts p) noexcept { return p * t; }
constexpr Watts operator/(Joules e, Seconds t) noexcept { return Watts(e.value() / t.value()); }
constexpr Seconds operator/(Joules e, Watts p) noexcept { return Seconds(e.value() / p.value()); }
constexpr Grams operator*(KilowattHours e, GramsPerKwh i) noexcept { return Grams(e.value() * i.value()); }
constexpr Grams operator*(GramsPerKwh i, KilowattHours e) noexcept { return e * i; }

constexpr KilowattHours to_kwh(Joules e) noexcept { return KilowattHours(e.value() / kJoulesPerKwh); }
constexpr Joules to_joules(KilowattHours e) noexcept { return Joules(e.value() * kJoulesPerKwh); }
// The same at the edges where values are plain doubles (JSON fields, log lines, report tables).
constexpr double kwh_from_j(double energy_j) noexcept { return energy_j / kJoulesPerKwh; }

namespace literals {
constexpr Joules operator""_J(long double v) noexcept { return Joules(static_cast<double>(v)); }
constexpr Joules operator""_J(unsigned long long v) noexcept { return Joules(static_cast<double>(v)); }
constexpr Watts operator""_W(long double v) noexcept { return Watts(static_cast<double>(v)); }
constexpr Watts operator""_W(unsigned long long v) noexcept { return Watts(static_cast<double>(v)); }
constexpr Seconds operator""_s(long double v) noexcept { return Seconds(static_cast<double>(v)); }
constexpr Seconds operator""_s(unsigned long long v) noexcept { return Seconds(static_cast<double>(v)); }
}  // namespace literals

}  // namespace carbontracker
