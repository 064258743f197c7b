#include "sensors/perf_power.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <filesystem>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/text.hpp"
#include "io/fs.hpp"
#include "sensors/backends.hpp"
#include "sensors/rapl_zones.hpp"

namespace carbontracker::sensors {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRealPmuDir = "/sys/bus/event_source/devices/power";
constexpr std::string_view kPerfmonFix =
    "grant CAP_PERFMON (sudo setcap cap_perfmon=ep $(command -v carbontracker)) or sudo sysctl "
    "kernel.perf_event_paranoid=0";

struct EventDef {
  std::string_view name;
  Component component;
};
// Report order; the order they are opened in is the RAPL policy's (rapl_zones.hpp).
constexpr EventDef kEvents[] = {
    {"energy-pkg", Component::cpu},
    {"energy-ram", Component::dram},
    {"energy-psys", Component::psys},
};

// One CPU of the cpumask: the kernel exposes one per package (per die on multi-die Intel).
struct Socket {
  int cpu = 0;
  std::string label;  // "1", or "0-die-1" when the cpumask holds several dies of one package
};

// Closes every fd it holds unless released: a probe that fails half-way leaks nothing.
class FdGuard {
 public:
  explicit FdGuard(PerfEventApi& api) : api_(api) {}
  ~FdGuard() {
    for (int fd : fds_) api_.close(fd);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  std::vector<int>& fds() { return fds_; }
  std::vector<int> release() { return std::exchange(fds_, {}); }

 private:
  PerfEventApi& api_;
  std::vector<int> fds_;
};

RaplDomain rapl_domain_of(Component c) {
  switch (c) {
    case Component::dram: return RaplDomain::dram;
    case Component::psys: return RaplDomain::psys;
    default: return RaplDomain::package;
  }
}

std::string cpu_topology_file(int cpu, std::string_view file) {
  return "devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/" + std::string(file);
}

std::vector<Socket> sockets_of(const SensorContext& ctx, const std::vector<int>& cpus) {
  std::vector<Socket> out;
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    auto pkg = io::read_u64(ctx.sysfs_root / cpu_topology_file(cpus[i], "physical_package_id"));
    Socket s{cpus[i], std::to_string(pkg ? *pkg : i)};
    ++seen[s.label];
    out.push_back(std::move(s));
  }
  const bool multi_die = std::any_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second > 1; });
  if (multi_die) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      auto die = io::read_u64(ctx.sysfs_root / cpu_topology_file(out[i].cpu, "die_id"));
      out[i].label += "-die-" + std::to_string(die ? *die : i);
    }
  }
  return out;
}

std::string channel_name(Component c, const Socket& s) {
  switch (c) {
    case Component::dram: return "dram (package-" + s.label + ")";
    case Component::psys: return "psys (package-" + s.label + ")";
    default: return "package-" + s.label;
  }
}

SourceReport report_for(std::string_view event, Component c, const fs::path& path, const Socket* s) {
  SourceReport r;
  r.info.id = "perf:" + std::string(event) + (s ? ":" + s->label : std::string());
  r.info.component = c;
  r.info.method = Method::counter;
  r.info.name = s ? channel_name(c, *s) : std::string(event);
  r.info.source = "perf";
  r.info.path = path.string();
  r.info.resolution_s = kRaplResolutionS;
  if (s) r.info.notes.push_back("opened on cpu " + std::to_string(s->cpu));
  return r;
}

std::string paranoid_text(const SensorContext& ctx) {
  auto v = io::read_line(ctx.procfs_root / "sys" / "kernel" / "perf_event_paranoid");
  if (!v) return "kernel.perf_event_paranoid is unknown (" + v.status().message() + ")";
  return "kernel.perf_event_paranoid = " + *v;
}

struct EventFiles {
  std::uint64_t config = 0;
  double scale = 0.0;
};

Result<EventFiles> read_event(const fs::path& file) {
  auto text = io::read_line(file);
  if (!text) return text.status();
  auto config = parse_perf_event_config(*text, file.string());
  if (!config) return config.status();
  fs::path scale_file = file;
  scale_file += ".scale";
  auto scale = io::read_double(scale_file);
  if (!scale) return scale.status();
  if (!std::isfinite(*scale) || *scale <= 0.0) {
    return Status(StatusCode::invalid_argument, scale_file.string() + ": scale must be a positive number");
  }
  fs::path unit_file = file;
  unit_file += ".unit";
  if (io::exists(unit_file)) {
    auto unit = io::read_line(unit_file);
    if (!unit) return unit.status();
    if (*unit != "Joules") {
      return Status(StatusCode::invalid_argument, unit_file.string() + ": unit is \"" + *unit + "\", expected Joules");
    }
  }
  return EventFiles{*config, *scale};
}

void report_pmu_unusable(const fs::path& path, std::string reason, std::string fix, ProbeOutput& out) {
  SourceReport r = report_for("power", Component::cpu, path, nullptr);
  r.info.name = "perf power PMU";
  r.available = false;
  r.reason = std::move(reason);
  r.fix = std::move(fix);
  out.reports.push_back(std::move(r));
}

void probe_perf_power_impl(const SensorContext& ctx, const std::shared_ptr<PerfEventApi>& perf, Coverage& coverage,
                           ProbeOutput& out) {
  const fs::path dir = ctx.sysfs_root / "bus" / "event_source" / "devices" / "power";
  if (!io::exists(dir)) {
    report_pmu_unusable(dir,
                        "no perf `power` PMU (RAPL not exposed to perf: VM, non-Intel/AMD CPU, or kernel without "
                        "RAPL perf support)",
                        "on bare-metal x86 load it: sudo modprobe rapl (CONFIG_PERF_EVENTS_INTEL_RAPL); otherwise "
                        "powercap or the estimate is used",
                        out);
    return;
  }
  const std::string bad_pmu_fix = "check the kernel's perf power PMU files (ls " + std::string(kRealPmuDir) + ")";
  auto type = io::read_u64(dir / "type");
  if (!type || *type > std::numeric_limits<std::uint32_t>::max()) {
    report_pmu_unusable(dir, "cannot use " + (dir / "type").string() + ": " +
                                 (type ? "value out of range" : type.status().message()),
                        bad_pmu_fix, out);
    return;
  }
  auto mask_text = io::read_line(dir / "cpumask");
  auto cpus = mask_text ? parse_cpu_list(*mask_text, (dir / "cpumask").string())
                        : Result<std::vector<int>>(mask_text.status());
  if (!cpus) {
    report_pmu_unusable(dir, "cannot use " + (dir / "cpumask").string() + ": " + cpus.status().message(), bad_pmu_fix,
                        out);
    return;
  }
  const std::vector<Socket> sockets = sockets_of(ctx, *cpus);

  FdGuard guard(*perf);
  std::vector<ChannelInfo> channels;
  std::optional<std::string> paranoid;  // read once, on the first permission error

  // Reports are kept per event and emitted in kEvents order, whatever order the policy opens in.
  constexpr std::size_t kEventCount = std::size(kEvents);
  std::vector<SourceReport> reports[kEventCount];
  std::optional<EventFiles> usable[kEventCount];
  for (std::size_t ei = 0; ei < kEventCount; ++ei) {
    const EventDef& ev = kEvents[ei];
    const fs::path file = dir / "events" / ev.name;
    if (!io::exists(file)) {
      SourceReport r = report_for(ev.name, ev.component, file, nullptr);
      r.available = false;
      r.reason = "the power PMU has no " + std::string(ev.name) + " event" +
                 (ev.component == Component::dram ? " (AMD CPUs and most client parts have no DRAM RAPL domain)" : "");
      r.fix = ev.component == Component::psys
                  ? "none needed: psys is only a fallback for missing energy-pkg/energy-ram"
                  : "none needed: " + std::string(to_string(ev.component)) + " falls back to powercap or an estimate";
      reports[ei].push_back(std::move(r));
      continue;
    }
    auto files = read_event(file);
    if (!files) {
      SourceReport r = report_for(ev.name, ev.component, file, nullptr);
      r.available = false;
      r.reason = "cannot use event " + std::string(ev.name) + ": " + files.status().message();
      r.fix = bad_pmu_fix;
      reports[ei].push_back(std::move(r));
      continue;
    }
    usable[ei] = *files;
  }

  // An event counts only when it opens on every socket: a partial sum would undercount.
  auto open_event = [&](std::size_t ei) {
    const EventDef& ev = kEvents[ei];
    const fs::path file = dir / "events" / ev.name;
    const EventFiles& files = *usable[ei];
    // Reserved first so that no allocation can fail between an open and its bookkeeping.
    std::vector<Result<int>> opened;
    opened.reserve(sockets.size());
    guard.fds().reserve(guard.fds().size() + sockets.size());
    channels.reserve(channels.size() + sockets.size());
    bool all_ok = true;
    for (const auto& s : sockets) {
      opened.push_back(perf->open(static_cast<std::uint32_t>(*type), files.config, s.cpu));
      all_ok = all_ok && opened.back().is_ok();
    }
    std::string first_failure;
    for (std::size_t k = 0; k < sockets.size(); ++k) {
      if (!opened[k]) {
        if (first_failure.empty()) {
          first_failure = "cpu " + std::to_string(sockets[k].cpu) + ": " + opened[k].status().message();
        }
      } else if (all_ok) {
        guard.fds().push_back(*opened[k]);
      } else {
        perf->close(*opened[k]);
      }
    }
    for (std::size_t k = 0; k < sockets.size(); ++k) {
      SourceReport r = report_for(ev.name, ev.component, file, &sockets[k]);
      r.info.joules_per_unit = files.scale;
      r.info.counter = CounterSpec{CounterKind::resetting, std::numeric_limits<std::uint64_t>::max(), 1};
      if (all_ok) {
        r.available = true;
        r.counted = true;
        if (ev.component == Component::psys) {
          r.info.notes.push_back("psys covers the whole platform; counted because energy-pkg and energy-ram are not");
        }
        channels.push_back(r.info);
      } else if (opened[k]) {
        r.available = true;
        r.reason = "not counted: " + std::string(ev.name) + " did not open on every package (" + first_failure +
                   "), and a partial sum would undercount";
      } else {
        const Status& st = opened[k].status();
        r.available = false;
        if (st.code() == StatusCode::permission_denied) {
          if (!paranoid) paranoid = paranoid_text(ctx);
          r.reason = st.message() + "; " + *paranoid +
                     " (system-wide perf events need paranoid <= 0 or CAP_PERFMON)";
          r.fix = std::string(kPerfmonFix);
        } else {
          r.reason = st.message();
          r.fix = "check that cpu " + std::to_string(sockets[k].cpu) + " is online and dmesg for RAPL errors";
        }
      }
      reports[ei].push_back(std::move(r));
    }
    return all_ok;
  };

  std::vector<RaplZone> candidates;
  std::vector<std::size_t> event_of;  // candidates[k] is kEvents[event_of[k]]
  for (std::size_t ei = 0; ei < kEventCount; ++ei) {
    if (!usable[ei]) continue;
    candidates.push_back({rapl_domain_of(kEvents[ei].component), true});
    event_of.push_back(ei);
  }
  const RaplPlan plan = plan_rapl_zones(
      candidates,
      {coverage.covered(Component::cpu), coverage.covered(Component::dram), coverage.covered(Component::psys)},
      [&](std::size_t k) { return open_event(event_of[k]); });

  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const EventDef& ev = kEvents[event_of[k]];
    std::string skip_reason;
    switch (plan.verdicts[k]) {
      case RaplVerdict::counted:
      case RaplVerdict::open_failed:
        continue;  // open_event made the reports
      case RaplVerdict::superseded:
        skip_reason = "superseded: " + coverage.claimed_by(ev.component);
        break;
      case RaplVerdict::psys_overlaps:
        skip_reason = "overlaps package and DRAM energy (energy-pkg, energy-ram)";
        break;
      case RaplVerdict::overlaps_psys:
        skip_reason = "overlaps energy-psys, which is counted because energy-pkg could not be opened";
        break;
      default:
        skip_reason = "not a RAPL event this backend counts";  // kEvents are all top-level domains
        break;
    }
    const fs::path file = dir / "events" / ev.name;
    for (const auto& s : sockets) {
      SourceReport r = report_for(ev.name, ev.component, file, &s);
      r.available = true;
      r.reason = skip_reason;
      reports[event_of[k]].push_back(std::move(r));
    }
  }
  for (auto& event_reports : reports) {
    for (auto& r : event_reports) out.reports.push_back(std::move(r));
  }

  for (std::size_t k = 0; k < candidates.size(); ++k) {
    if (plan.verdicts[k] != RaplVerdict::counted) continue;
    const EventDef& ev = kEvents[event_of[k]];
    const std::string by = "perf (power/" + std::string(ev.name) + ")";
    if (ev.component != Component::psys) {
      coverage.claim(ev.component, by);
    } else {
      const std::string psys_by = by + ", which includes CPU and DRAM";
      coverage.claim(Component::psys, psys_by);
      coverage.claim(Component::cpu, psys_by);
      coverage.claim(Component::dram, psys_by);
    }
  }
  if (!channels.empty()) {
    out.sensors.push_back(std::make_unique<PerfPowerSensor>(perf, std::move(channels), guard.release()));
  }
}

}  // namespace

Result<std::vector<int>> parse_cpu_list(std::string_view text, std::string_view what) {
  const std::string_view t = carbontracker::text::trim(text);
  auto bad = [&] {
    return Status(StatusCode::invalid_argument,
                  std::string(what) + ": expected a CPU list like \"0,36\" or \"0-3\", got \"" + std::string(t) + "\"");
  };
  if (t.empty()) return bad();
  std::vector<int> cpus;
  std::string_view rest = t;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty()) return bad();
    const auto dash = item.find('-');
    int lo = 0;
    int hi = 0;
    auto num = [](std::string_view s, int& v) {
      const auto n = carbontracker::text::to_number<int>(s);
      v = n.value_or(-1);
      return v >= 0;
    };
    if (dash == std::string_view::npos) {
      if (!num(item, lo)) return bad();
      hi = lo;
    } else if (!num(item.substr(0, dash), lo) || !num(item.substr(dash + 1), hi) || hi < lo) {
      return bad();
    }
    for (int c = lo; c <= hi; ++c) cpus.push_back(c);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

Result<std::uint64_t> parse_perf_event_config(std::string_view text, std::string_view what) {
  const std::string_view t = carbontracker::text::trim(text);
  constexpr std::string_view kEvent = "event=";
  auto bad = [&] {
    return Status(StatusCode::invalid_argument,
                  std::string(what) + ": expected \"event=0x..\", got \"" + std::string(t) + "\"");
  };
  if (t.substr(0, kEvent.size()) != kEvent) return bad();
  std::string_view v = t.substr(kEvent.size());
  int base = 10;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    v.remove_prefix(2);
    base = 16;
  }
  std::uint64_t config = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), config, base);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return bad();
  return config;
}

PerfPowerSensor::PerfPowerSensor(std::shared_ptr<PerfEventApi> api, std::vector<ChannelInfo> channels,
                                 std::vector<int> fds)
    : api_(std::move(api)), channels_(std::move(channels)), fds_(std::move(fds)) {}

PerfPowerSensor::~PerfPowerSensor() {
  for (int fd : fds_) api_->close(fd);
}

Status PerfPowerSensor::read(std::vector<Reading>& out) noexcept {
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    Reading r;
    r.channel = static_cast<std::uint32_t>(i);
    auto v = api_->read(fds_[i]);
    if (v) {
      r.counter = *v;
    } else {
      r.state = v.status().code() == StatusCode::gone ? ReadingState::lost : ReadingState::failed;
    }
    out.push_back(r);
  }
  return Status::ok();
}

void probe_perf_power(const SensorContext& ctx, std::shared_ptr<PerfEventApi> perf, Coverage& coverage,
                      ProbeOutput& out) {
  auto report_failure = [&](const char* what) noexcept {
    try {
      report_pmu_unusable(ctx.sysfs_root / "bus" / "event_source" / "devices" / "power",
                          std::string("perf power probe failed: ") + what, "report this as a carbontracker bug", out);
    } catch (...) {  // out of memory while reporting: nothing more can be done
    }
  };
  try {
    probe_perf_power_impl(ctx, perf, coverage, out);
  } catch (const std::exception& e) {
    report_failure(e.what());
  } catch (...) {
    report_failure("unknown exception");
  }
}

}  // namespace carbontracker::sensors
