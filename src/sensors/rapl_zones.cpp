#include "sensors/rapl_zones.hpp"

namespace carbontracker::sensors {
namespace {

enum class Role : std::uint8_t { package, dram, psys, none };

Role role_of(const RaplZone& z, RaplVerdict& why_not) {
  switch (z.domain) {
    case RaplDomain::package:
      if (z.top_level) return Role::package;
      break;
    case RaplDomain::dram:
      return Role::dram;
    case RaplDomain::psys:
      if (z.top_level) return Role::psys;
      break;
    case RaplDomain::core:
    case RaplDomain::uncore:
      if (!z.top_level) {
        why_not = RaplVerdict::part_of_package;
        return Role::none;
      }
      break;
    case RaplDomain::other:
      why_not = RaplVerdict::unrecognised;
      return Role::none;
  }
  why_not = RaplVerdict::unexpected_level;
  return Role::none;
}

}  // namespace

RaplPlan plan_rapl_zones(const std::vector<RaplZone>& zones, RaplCovered covered,
                         const std::function<bool(std::size_t zone)>& try_open) {
  RaplPlan plan;
  plan.verdicts.resize(zones.size(), RaplVerdict::unexpected_level);
  std::vector<Role> roles(zones.size());
  for (std::size_t i = 0; i < zones.size(); ++i) roles[i] = role_of(zones[i], plan.verdicts[i]);

  auto open = [&](std::size_t i) {
    const bool ok = try_open(i);
    plan.verdicts[i] = ok ? RaplVerdict::counted : RaplVerdict::open_failed;
    return ok;
  };

  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (roles[i] != Role::package) continue;
    if (covered.cpu) {
      plan.verdicts[i] = RaplVerdict::superseded;
    } else if (open(i)) {
      plan.cpu = true;
    }
  }
  // psys includes the packages and DRAM: it is the measurement only when no package is readable.
  const bool psys_allowed = !plan.cpu && !covered.cpu && !covered.dram && !covered.psys;
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (roles[i] != Role::psys) continue;
    if (covered.psys) {
      plan.verdicts[i] = RaplVerdict::superseded;
    } else if (!psys_allowed || plan.psys) {
      plan.verdicts[i] = RaplVerdict::psys_overlaps;
    } else if (open(i)) {
      plan.psys = true;
    }
  }
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (roles[i] != Role::dram) continue;
    if (covered.dram) {
      plan.verdicts[i] = RaplVerdict::superseded;
    } else if (plan.psys) {
      plan.verdicts[i] = RaplVerdict::overlaps_psys;
    } else if (open(i)) {
      plan.dram = true;
    }
  }
  return plan;
}

}  // namespace carbontracker::sensors
