#include "sensors/powercap.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <set>
#include <tuple>
#include <utility>

#include "sensors/backends.hpp"
#include "sensors/rapl_zones.hpp"

namespace carbontracker::sensors {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMsrType = "intel-rapl";
constexpr std::string_view kMmioType = "intel-rapl-mmio";
// Fixes name the real location even when the probe ran against an injected root: that is where
// the user has to act (on the host, when the root is a bind mount).
constexpr std::string_view kRealPowercap = "/sys/class/powercap/";
constexpr double kJoulesPerMicrojoule = 1e-6;

struct Zone {
  std::string dir_name;  // "intel-rapl:0:1"
  fs::path path;         // under <sysfs_root>/class/powercap
  PowercapZoneName id;
  std::string name;      // contents of `name`; empty when unreadable
  Status name_status;
  RaplDomain domain = RaplDomain::other;
  std::string parent_name;  // subzones: name of the zone one level up
  int top = -1;             // index of the top-level zone this one belongs to
};

// One decision per zone, in zone order.
struct Entry {
  SourceReport report;
  std::optional<io::CounterFile> file;
  bool denied = false;  // energy_uj refused for lack of permission
};

bool is_top_level(const Zone& z) { return z.id.ids.size() == 1; }

std::string zone_label(const Zone& z) { return z.name.empty() ? z.dir_name : z.name; }

// Adds the zones found under `dir` (a control-type or zone directory) whose names extend
// `parent` by one id. Real sysfs lists every zone flat under class/powercap; plain trees (and
// bind mounts of devices/virtual/powercap) may only nest them, so both are walked.
void collect_nested(const fs::path& dir, const PowercapZoneName& parent, std::set<std::string>& seen,
                    std::vector<Zone>& zones) {
  auto names = io::list_dir(dir);
  if (!names) return;
  for (const auto& n : *names) {
    auto id = parse_powercap_zone_name(n);
    if (!id || id->control_type != parent.control_type || id->ids.size() != parent.ids.size() + 1 ||
        !std::equal(parent.ids.begin(), parent.ids.end(), id->ids.begin()) || seen.count(n)) {
      continue;
    }
    seen.insert(n);
    zones.push_back(Zone{n, dir / n, *id, {}, {}, RaplDomain::other, {}, -1});
    const PowercapZoneName child = zones.back().id;
    collect_nested(dir / n, child, seen, zones);
  }
}

std::vector<Zone> enumerate_zones(const fs::path& root, const std::vector<std::string>& entries,
                                  std::vector<std::string>& control_types) {
  std::vector<Zone> zones;
  std::set<std::string> seen;
  for (const auto& e : entries) {
    if (auto id = parse_powercap_zone_name(e)) {
      seen.insert(e);
      zones.push_back(Zone{e, root / e, std::move(*id), {}, {}, RaplDomain::other, {}, -1});
    } else if (e.find(':') == std::string::npos) {
      control_types.push_back(e);
    }
  }
  for (const auto& t : control_types) collect_nested(root / t, PowercapZoneName{t, {}}, seen, zones);
  const std::size_t flat = zones.size();
  for (std::size_t i = 0; i < flat; ++i) {
    const PowercapZoneName id = zones[i].id;
    const fs::path p = zones[i].path;
    collect_nested(p, id, seen, zones);
  }
  // MSR interface first (it wins over duplicates), then numeric id order (hex: "a" is 10).
  std::sort(zones.begin(), zones.end(), [](const Zone& a, const Zone& b) {
    return std::make_tuple(a.id.control_type != kMsrType, std::cref(a.id.control_type), std::cref(a.id.ids)) <
           std::make_tuple(b.id.control_type != kMsrType, std::cref(b.id.control_type), std::cref(b.id.ids));
  });
  for (auto& z : zones) {
    auto name = io::read_line(z.path / "name");
    if (name) {
      z.name = *name;
      z.domain = rapl_domain_from_name(z.name);
    } else {
      z.name_status = name.status();
    }
  }
  for (std::size_t i = 0; i < zones.size(); ++i) {
    for (std::size_t j = 0; j < zones.size(); ++j) {
      const auto& a = zones[i].id;
      const auto& b = zones[j].id;
      if (a.control_type != b.control_type) continue;
      if (b.ids.size() == 1 && b.ids[0] == a.ids[0]) zones[i].top = static_cast<int>(j);
      if (b.ids.size() + 1 == a.ids.size() && std::equal(b.ids.begin(), b.ids.end(), a.ids.begin())) {
        zones[i].parent_name = zone_label(zones[j]);
      }
    }
    if (zones[i].parent_name.empty() && !is_top_level(zones[i])) {
      zones[i].parent_name = zones[i].dir_name.substr(0, zones[i].dir_name.rfind(':'));
    }
  }
  return zones;
}

SourceReport base_report(const Zone& z, Component c, std::string display_name) {
  SourceReport r;
  r.info.id = "powercap:" + z.dir_name;
  r.info.component = c;
  r.info.method = Method::counter;
  r.info.name = std::move(display_name);
  r.info.source = "powercap";
  r.info.path = z.path.string();
  r.info.resolution_s = kRaplResolutionS;
  r.info.joules_per_unit = kJoulesPerMicrojoule;
  return r;
}

void not_counted(Entry& e, std::string reason) {
  e.report.available = true;
  e.report.counted = false;
  e.report.reason = std::move(reason);
}

// Opens energy_uj and reads the wrap range; on success the entry is counted and carries the
// open file. A zone without a range cannot be wrap-corrected, so it is refused outright.
void open_zone(const Zone& z, Entry& e) {
  auto range = io::read_u64(z.path / "max_energy_range_uj");
  if (!range || *range == 0) {
    e.report.available = false;
    e.report.reason = "max_energy_range_uj is missing or unreadable, so wrap-around of energy_uj cannot be "
                      "corrected (" + (range ? std::string("value 0") : range.status().message()) + ")";
    e.report.fix = "none from user space: the powercap driver did not publish the counter range; "
                   "use the perf power PMU (sudo setcap cap_perfmon=ep $(command -v carbontracker)) instead";
    return;
  }
  auto file = io::CounterFile::open(z.path / "energy_uj");
  if (!file) {
    e.report.available = false;
    if (file.status().code() == StatusCode::permission_denied) {
      e.denied = true;
      e.report.reason = "energy_uj is readable by root only (Linux >= 5.10, CVE-2020-8694): " +
                        file.status().message();
    } else {
      e.report.reason = file.status().message();
      e.report.fix = "check that the intel_rapl driver is loaded and the zone is enabled (cat " +
                     std::string(kRealPowercap) + z.dir_name + "/energy_uj)";
    }
    return;
  }
  e.report.info.counter = CounterSpec{CounterKind::wrapping, *range, powercap_unit_uj(*range)};
  e.report.available = true;
  e.report.counted = true;
  if (z.id.control_type != kMsrType) {
    e.report.info.notes.push_back("read through " + z.id.control_type + ": the intel-rapl (MSR) interface has no " +
                                  z.name + " zone");
  }
  e.file = std::move(*file);
}

void report_no_powercap(const fs::path& root, ProbeOutput& out) {
  SourceReport r;
  r.info.id = "powercap";
  r.info.component = Component::cpu;
  r.info.method = Method::counter;
  r.info.name = "powercap";
  r.info.source = "powercap";
  r.info.path = root.string();
  r.available = false;
  r.reason = "no /sys/class/powercap: no RAPL driver (virtual machine, non-x86 CPU, or a container that masks "
             "powercap)";
  r.fix = "on bare-metal x86: sudo modprobe intel_rapl_msr; in a container: bind-mount the host sysfs read-only "
          "(docker run -v /sys:/host/sys:ro -e CARBONTRACKER_SYSFS_ROOT=/host/sys ...); in a VM no RAPL exists "
          "and CPU/DRAM energy is estimated";
  out.reports.push_back(std::move(r));
}

void report_unusable_root(const fs::path& root, std::string reason, std::string fix, ProbeOutput& out) {
  SourceReport r;
  r.info.id = "powercap";
  r.info.component = Component::cpu;
  r.info.method = Method::counter;
  r.info.name = "powercap";
  r.info.source = "powercap";
  r.info.path = root.string();
  r.available = false;
  r.reason = std::move(reason);
  r.fix = std::move(fix);
  out.reports.push_back(std::move(r));
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

void probe_powercap_impl(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  const fs::path root = ctx.sysfs_root / "class" / "powercap";
  if (!io::exists(root)) {
    report_no_powercap(root, out);
    return;
  }
  auto listing = io::list_dir(root);
  if (!listing) {
    report_unusable_root(root, listing.status().message(),
                         "give this process read access to /sys/class/powercap (in a container, bind-mount the "
                         "host sysfs read-only and set CARBONTRACKER_SYSFS_ROOT)",
                         out);
    return;
  }
  std::vector<std::string> control_types;
  std::vector<Zone> zones = enumerate_zones(root, *listing, control_types);
  if (zones.empty()) {
    report_unusable_root(root,
                         "no RAPL zones under /sys/class/powercap (control types: " +
                             (control_types.empty() ? std::string("none") : join(control_types, ", ")) + ")",
                         "on x86 load the RAPL driver: sudo modprobe intel_rapl_msr (Intel and AMD)", out);
    return;
  }

  // Names of the MSR interface's top-level zones: other interfaces' zones of the same name
  // (intel-rapl-mmio:0 "package-0") measure the same energy.
  std::set<std::string> msr_names;
  for (const auto& z : zones) {
    if (z.id.control_type == kMsrType && is_top_level(z) && !z.name.empty()) msr_names.insert(z.name);
  }

  std::vector<Entry> entries(zones.size());
  std::vector<RaplZone> candidates;  // what the counting policy decides on
  std::vector<std::size_t> zone_of;  // candidates[k] is zones[zone_of[k]]
  for (std::size_t i = 0; i < zones.size(); ++i) {
    const Zone& z = zones[i];
    Entry& e = entries[i];
    const bool top = is_top_level(z);
    const Zone* top_zone = z.top >= 0 ? &zones[static_cast<std::size_t>(z.top)] : nullptr;
    switch (z.domain) {
      case RaplDomain::dram:
        e.report = base_report(z, Component::dram, top ? "dram" : "dram (" + z.parent_name + ")");
        break;
      case RaplDomain::psys:
        e.report = base_report(z, Component::psys, zone_label(z));
        break;
      case RaplDomain::core:
      case RaplDomain::uncore:
        e.report = base_report(z, Component::cpu, top ? z.name : z.name + " (" + z.parent_name + ")");
        break;
      default:
        e.report = base_report(z, Component::cpu, zone_label(z));
        break;
    }
    if (!z.name_status.is_ok()) {
      e.report.available = false;
      e.report.reason = "cannot identify zone: " + z.name_status.message();
      e.report.fix = "check that sysfs is mounted completely (ls " + std::string(kRealPowercap) + z.dir_name + ")";
      continue;
    }
    if (z.id.control_type != kMsrType && top_zone && msr_names.count(top_zone->name)) {
      const std::string iface = z.id.control_type == kMmioType ? "MMIO interface" : z.id.control_type + " interface";
      not_counted(e, top ? "duplicate of intel-rapl " + z.name + " (" + iface + ")"
                         : "subzone of " + top_zone->dir_name + ", a duplicate of intel-rapl " + top_zone->name +
                               " (" + iface + ")");
      continue;
    }
    candidates.push_back({z.domain, top});
    zone_of.push_back(i);
  }

  const RaplPlan plan = plan_rapl_zones(
      candidates,
      {coverage.covered(Component::cpu), coverage.covered(Component::dram), coverage.covered(Component::psys)},
      [&](std::size_t k) {
        open_zone(zones[zone_of[k]], entries[zone_of[k]]);
        return entries[zone_of[k]].file.has_value();
      });

  std::string cpu_type, dram_type, psys_type;
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const Zone& z = zones[zone_of[k]];
    Entry& e = entries[zone_of[k]];
    switch (plan.verdicts[k]) {
      case RaplVerdict::counted:
        if (z.domain == RaplDomain::package && cpu_type.empty()) cpu_type = z.id.control_type;
        if (z.domain == RaplDomain::dram && dram_type.empty()) dram_type = z.id.control_type;
        if (z.domain == RaplDomain::psys) {
          psys_type = z.id.control_type;
          e.report.info.notes.push_back(
              "psys covers the whole platform (packages, DRAM and more); counted because no package zone is readable");
        }
        break;
      case RaplVerdict::open_failed:
        break;  // open_zone said why
      case RaplVerdict::superseded:
        not_counted(e, "superseded: " + coverage.claimed_by(e.report.info.component));
        break;
      case RaplVerdict::psys_overlaps:
        not_counted(e, "overlaps package and DRAM zones");
        break;
      case RaplVerdict::overlaps_psys:
        not_counted(e, "overlaps psys, which is counted because no package zone is readable");
        break;
      case RaplVerdict::part_of_package:
        not_counted(e, "part of " + z.parent_name + ": its energy is included in the " + z.parent_name + " zone");
        break;
      case RaplVerdict::unrecognised:
        not_counted(e, "unrecognised RAPL zone name \"" + z.name + "\": listed, not counted");
        break;
      case RaplVerdict::unexpected_level:
        not_counted(e, "zone \"" + z.name + "\" at an unexpected level (" + z.dir_name + "): listed, not counted");
        break;
    }
  }

  std::vector<std::string> denied_files, denied_types;
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (!entries[i].denied) continue;
    denied_files.push_back(std::string(kRealPowercap) + zones[i].dir_name + "/energy_uj");
    if (std::find(denied_types.begin(), denied_types.end(), zones[i].id.control_type) == denied_types.end()) {
      denied_types.push_back(zones[i].id.control_type);
    }
  }
  if (!denied_files.empty()) {
    const std::string fix = powercap_permission_fix(denied_files, denied_types);
    for (auto& e : entries) {
      if (e.denied) e.report.fix = fix;
    }
  }

  if (!cpu_type.empty()) coverage.claim(Component::cpu, "powercap (" + cpu_type + ")");
  if (!dram_type.empty()) coverage.claim(Component::dram, "powercap (" + dram_type + ")");
  if (!psys_type.empty()) {
    const std::string by = "powercap psys (" + psys_type + "), which includes CPU and DRAM";
    coverage.claim(Component::psys, by);
    coverage.claim(Component::cpu, by);
    coverage.claim(Component::dram, by);
  }

  std::vector<ChannelInfo> channels;
  std::vector<io::CounterFile> files;
  for (auto& e : entries) {
    if (e.file) {
      channels.push_back(e.report.info);
      files.push_back(std::move(*e.file));
    }
    out.reports.push_back(std::move(e.report));
  }
  if (!channels.empty()) out.sensors.push_back(std::make_unique<PowercapSensor>(std::move(channels), std::move(files)));
}

}  // namespace

std::optional<PowercapZoneName> parse_powercap_zone_name(std::string_view dir_name) {
  const auto colon = dir_name.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  PowercapZoneName out;
  out.control_type = std::string(dir_name.substr(0, colon));
  std::string_view rest = dir_name.substr(colon + 1);
  for (;;) {
    const auto next = rest.find(':');
    const std::string_view part = rest.substr(0, next);
    std::uint32_t v = 0;
    const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v, 16);
    // from_chars accepts upper-case hex; the kernel prints lower-case only, but either is one id.
    if (part.empty() || ec != std::errc() || p != part.data() + part.size()) return std::nullopt;
    out.ids.push_back(v);
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return out;
}

RaplDomain rapl_domain_from_name(std::string_view n) noexcept {
  if (n == "dram") return RaplDomain::dram;
  if (n == "psys") return RaplDomain::psys;
  if (n == "core") return RaplDomain::core;
  if (n == "uncore") return RaplDomain::uncore;
  // package-N or package-N-die-M, N and M decimal.
  auto digits = [](std::string_view& s) {
    std::size_t k = 0;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
    s.remove_prefix(k);
    return k > 0;
  };
  constexpr std::string_view kPackage = "package-";
  constexpr std::string_view kDie = "-die-";
  if (n.substr(0, kPackage.size()) != kPackage) return RaplDomain::other;
  n.remove_prefix(kPackage.size());
  if (!digits(n)) return RaplDomain::other;
  if (n.empty()) return RaplDomain::package;
  if (n.substr(0, kDie.size()) != kDie) return RaplDomain::other;
  n.remove_prefix(kDie.size());
  return digits(n) && n.empty() ? RaplDomain::package : RaplDomain::other;
}

std::string powercap_permission_fix(const std::vector<std::string>& real_files,
                                    const std::vector<std::string>& control_types) {
  std::string kernels;
  for (const auto& t : control_types) {
    if (!kernels.empty()) kernels += "|";
    kernels += t + ":*";
  }
  if (kernels.empty()) kernels = "intel-rapl:*";
  return "sudo chmod o+r " + join(real_files, " ") +
         " (until reboot); to persist, put ACTION==\"add|change\", SUBSYSTEM==\"powercap\", KERNEL==\"" + kernels +
         "\", RUN+=\"/bin/chmod o+r %S%p/energy_uj\" in /etc/udev/rules.d/99-carbontracker-powercap.rules "
         "(or, to limit it to one group: chgrp <group> + chmod g+r instead of o+r); or use the perf power PMU: "
         "sudo setcap cap_perfmon=ep $(command -v carbontracker)";
}

PowercapSensor::PowercapSensor(std::vector<ChannelInfo> channels, std::vector<io::CounterFile> files)
    : channels_(std::move(channels)), files_(std::move(files)) {}

Status PowercapSensor::read(std::vector<Reading>& out) noexcept {
  for (std::size_t i = 0; i < files_.size(); ++i) {
    Reading r;
    r.channel = static_cast<std::uint32_t>(i);
    auto v = files_[i].read_u64();
    if (v) {
      r.counter = *v;
    } else {
      r.state = ReadingState::failed;
    }
    out.push_back(r);
  }
  return Status::ok();
}

void probe_powercap(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  auto report_failure = [&](const char* what) noexcept {
    try {
      report_unusable_root(ctx.sysfs_root / "class" / "powercap", std::string("powercap probe failed: ") + what,
                           "report this as a carbontracker bug", out);
    } catch (...) {  // out of memory while reporting: nothing more can be done
    }
  };
  try {
    probe_powercap_impl(ctx, coverage, out);
  } catch (const std::exception& e) {
    report_failure(e.what());
  } catch (...) {
    report_failure("unknown exception");
  }
}

}  // namespace carbontracker::sensors
