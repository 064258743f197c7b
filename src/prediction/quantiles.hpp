// Quantiles of the standard normal and Student's t distributions, for the prediction
// intervals. Self-contained (no Boost), deterministic, thread-safe: no global state is
// touched (std::lgamma writes the global `signgam` on glibc, so the log-gamma here is
// our own Lanczos approximation).
//
// Contract: noexcept, no allocation. p outside (0, 1) gives -inf/+inf at the ends (p <= 0,
// p >= 1) and NaN for NaN. df <= 0 or NaN gives NaN; df = +inf (or above 1e7) is the normal.
// Accuracy: relative error below 1e-9 for p in [1e-10, 1 - 1e-10] and df >= 0.5.
#pragma once

namespace carbontracker::prediction {

double normal_quantile(double p) noexcept;
double student_t_cdf(double t, double df) noexcept;
double student_t_quantile(double p, double df) noexcept;

}  // namespace carbontracker::prediction
