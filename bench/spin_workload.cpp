// A deterministic, CPU-bound stand-in for a training script, for run_overhead: a fixed number
// of rounds of a dependent integer hash chain (one core, no memory traffic, no system calls),
// split into equal epochs, printing "Epoch k/N checksum" and flushing after each one, as a
// training loop prints its progress.
//
//   spin_workload ITERATIONS EPOCHS RESULT_FILE
//       runs the work and writes "wall_s cpu_s checksum" to RESULT_FILE: its own wall time
//       from main() to the last epoch line (steady_clock) and its CPU time over the same span
//       (getrusage), so the figures leave out exec, dynamic loading and exit, whoever started it.
//   spin_workload --calibrate SECONDS
//       prints how many iterations this machine runs per second (over about SECONDS).
//
// Fixed work rather than fixed time: a tracker that slows the child shows as a longer wall time.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "spin.hpp"

namespace {

using Steady = std::chrono::steady_clock;

using carbontracker::bench::spin;

double seconds_since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

double cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

int calibrate(double seconds) {
  std::uint64_t rounds = 1 << 20;
  std::uint64_t x = 1;
  for (;;) {
    const auto t = Steady::now();
    x = spin(x, rounds);
    const double s = seconds_since(t);
    if (s >= seconds) {
      std::printf("%.0f %llu\n", static_cast<double>(rounds) / s, static_cast<unsigned long long>(x & 1));
      return 0;
    }
    rounds *= 2;
  }
}

bool parse_count(const char* text, std::uint64_t& out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v == 0) return false;
  out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const auto t0 = Steady::now();
  const double cpu0_s = cpu_seconds();  // exec and loading are not the work
  if (argc == 3 && std::string(argv[1]) == "--calibrate") return calibrate(std::atof(argv[2]));
  std::uint64_t iterations = 0, epochs = 0;
  if (argc != 4 || !parse_count(argv[1], iterations) || !parse_count(argv[2], epochs)) {
    std::fprintf(stderr, "usage: spin_workload ITERATIONS EPOCHS RESULT_FILE | --calibrate SECONDS\n");
    return 2;
  }
  std::uint64_t x = 42;
  for (std::uint64_t e = 1; e <= epochs; ++e) {
    x = spin(x, iterations / epochs);
    std::printf("Epoch %llu/%llu %016llx\n", static_cast<unsigned long long>(e),
                static_cast<unsigned long long>(epochs), static_cast<unsigned long long>(x));
    std::fflush(stdout);
  }
  const double wall_s = seconds_since(t0);
  const double cpu_s = cpu_seconds() - cpu0_s;
  std::FILE* out = std::fopen(argv[3], "w");
  if (!out) {
    std::perror(argv[3]);
    return 1;
  }
  std::fprintf(out, "%.6f %.6f %016llx\n", wall_s, cpu_s, static_cast<unsigned long long>(x));
  return std::fclose(out) == 0 ? 0 : 1;
}
