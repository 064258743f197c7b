#include "tracker/measurable.hpp"

#include <algorithm>

namespace carbontracker::tracker {

std::optional<Unmeasurable> nothing_measurable(const std::vector<SourceReport>& reports,
                                               const std::set<Component>& wanted, std::string_view components_text) {
  std::set<Component> present;
  for (const auto& r : reports) {
    if (!r.counted) continue;
    present.insert(r.info.component);
    if (r.info.component == Component::psys) present.insert({Component::cpu, Component::dram});
  }
  for (Component c : wanted) {
    if (present.count(c)) return std::nullopt;
  }
  // Why each wanted component is missing, from the sources that were refused (a few, deduplicated).
  constexpr std::size_t kMaxReasons = 4;
  std::vector<std::string> reasons;
  std::string fix;
  for (const auto& r : reports) {
    if (r.counted || !wanted.count(r.info.component) || r.info.source == "config") continue;
    const std::string why = std::string(to_string(r.info.component)) + ": " + r.info.source + ": " +
                            (r.reason.empty() ? std::string("not usable") : r.reason);
    if (reasons.size() < kMaxReasons && std::find(reasons.begin(), reasons.end(), why) == reasons.end()) {
      reasons.push_back(why);
    }
    if (fix.empty() && !r.fix.empty()) fix = r.fix;
  }
  std::string wanted_text;
  for (Component c : wanted) wanted_text += (wanted_text.empty() ? "" : ", ") + std::string(to_string(c));
  Unmeasurable u;
  u.problem = "nothing can be measured for components=\"" + std::string(components_text) + "\" (" + wanted_text +
              "): ";
  if (reasons.empty()) {
    u.problem += "no source was found";
  } else {
    for (std::size_t i = 0; i < reasons.size(); ++i) u.problem += (i ? "; " : "") + reasons[i];
  }
  u.problem += "; a run would report 0 kWh as if measured";
  u.fix = (fix.empty() ? std::string() : fix + "; or ") +
          "ask for components that exist here (components=\"all\" includes the CPU and DRAM estimates); "
          "`carbontracker devices` lists every source and why it is unavailable";
  return u;
}

}  // namespace carbontracker::tracker
