#include "sensors/estimated_dram.hpp"

#include <exception>
#include <memory>
#include <vector>

#include "core/text.hpp"
#include "io/fs.hpp"
#include "sensors/backends.hpp"
#include "sensors/cpu_table.hpp"
#include "sensors/simulated.hpp"

namespace carbontracker::sensors {
namespace {

constexpr std::string_view kDramEstimateSource = "dram-estimate";
// cgroup v1 writes "unlimited" as PAGE_COUNTER_MAX x page size (9223372036854771712 with 4 KiB
// pages); anything this large is no limit.
constexpr std::uint64_t kV1Unlimited = std::uint64_t{1} << 62;

std::string gib_text(std::uint64_t bytes) { return format_decimal(static_cast<double>(bytes) / kBytesPerGib) + " GiB"; }

// Directories from <base>/<path> up to <base>. A path that climbs out ("/../..", seen when the
// process sits outside the cgroup namespace root) is reduced to the root.
std::vector<std::filesystem::path> self_and_ancestors(const std::filesystem::path& base, std::string_view path) {
  std::vector<std::string> parts;
  bool escapes = false;
  for (std::size_t i = 0; i < path.size();) {
    const std::size_t b = path.find_first_not_of('/', i);
    if (b == std::string_view::npos) break;
    const std::size_t e = std::min(path.find('/', b), path.size());
    const std::string_view part = path.substr(b, e - b);
    if (part == "..") escapes = true;
    if (part != ".") parts.emplace_back(part);
    i = e;
  }
  if (escapes) parts.clear();
  std::vector<std::filesystem::path> dirs;
  for (std::size_t n = parts.size() + 1; n-- > 0;) {
    std::filesystem::path d = base;
    for (std::size_t i = 0; i < n; ++i) d /= parts[i];
    dirs.push_back(std::move(d));
  }
  return dirs;
}

void consider(std::optional<CgroupMemoryLimit>& best, const std::filesystem::path& base, std::string_view path,
              const char* file, const char* version) {
  for (const auto& dir : self_and_ancestors(base, path)) {
    const std::filesystem::path f = dir / file;
    auto line = io::read_line(f);
    if (!line || *line == "max") continue;  // absent/unreadable: no limit known there
    auto bytes = text::parse_u64(*line, f.string());
    if (!bytes || *bytes >= kV1Unlimited) continue;
    if (!best || *bytes < best->bytes) best = CgroupMemoryLimit{*bytes, f.string(), version};
  }
}

SourceReport refuse_dram_estimate(const SensorContext& ctx, std::string reason, std::string fix) {
  SourceReport r;
  r.info.component = Component::dram;
  r.info.method = Method::estimated;
  r.info.source = std::string(kDramEstimateSource);
  r.info.name = "dram";
  r.info.path = (ctx.procfs_root / "meminfo").string();
  r.available = false;
  r.reason = std::move(reason);
  r.fix = std::move(fix);
  return r;
}

}  // namespace

std::optional<CgroupMemoryLimit> cgroup_memory_limit(const SensorContext& ctx) {
  auto text = io::read_file(ctx.procfs_root / "self" / "cgroup");
  if (!text) return std::nullopt;
  const std::filesystem::path cgroup_root = ctx.sysfs_root / "fs" / "cgroup";
  std::optional<CgroupMemoryLimit> best;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    // "hierarchy-id:controller-list:path"; the path itself may contain ':'.
    const std::size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    const std::size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, c1);
    const std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    const std::string_view path = text::trim(line.substr(c2 + 1));
    if (id == "0" && controllers.empty()) {
      consider(best, cgroup_root, path, "memory.max", "v2");
      continue;
    }
    for (std::size_t i = 0; i <= controllers.size();) {
      const std::size_t comma = std::min(controllers.find(',', i), controllers.size());
      if (controllers.substr(i, comma - i) == "memory") {
        consider(best, cgroup_root / "memory", path, "memory.limit_in_bytes", "v1");
        break;
      }
      i = comma + 1;
    }
  }
  return best;
}

Result<MemoryBudget> memory_budget(const SensorContext& ctx) {
  const std::filesystem::path meminfo = ctx.procfs_root / "meminfo";
  auto text = io::read_file(meminfo);
  if (!text) return text.status();
  std::optional<std::uint64_t> total_kib;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.starts_with("MemTotal:")) continue;
    line.remove_prefix(9);
    line = text::trim(line);
    if (line.ends_with("kB")) line = text::trim(line.substr(0, line.size() - 2));
    auto v = text::parse_u64(line, meminfo.string() + " MemTotal");
    if (!v) return v.status();
    total_kib = *v;
    break;
  }
  if (!total_kib || *total_kib == 0) {
    return Status(StatusCode::invalid_argument, meminfo.string() + " has no usable MemTotal line");
  }
  MemoryBudget b;
  b.mem_total_bytes = *total_kib * 1024;
  b.limit = cgroup_memory_limit(ctx);
  if (b.limit && b.limit->bytes < b.mem_total_bytes) {
    b.bytes = b.limit->bytes;
    b.note = "memory: cgroup " + b.limit->version + " limit " + gib_text(b.limit->bytes) + " (" + b.limit->file +
             "), below MemTotal " + gib_text(b.mem_total_bytes);
  } else {
    b.bytes = b.mem_total_bytes;
    b.note = "memory: MemTotal " + gib_text(b.mem_total_bytes) + " (" + meminfo.string() + "); " +
             (b.limit ? "cgroup " + b.limit->version + " limit " + gib_text(b.limit->bytes) + " (" + b.limit->file +
                            ") is not lower"
                      : std::string("no cgroup memory limit"));
  }
  return b;
}

void probe_estimated_dram(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  if (coverage.covered(Component::dram)) return;  // a DRAM counter measures it
  try {
    auto budget = memory_budget(ctx);
    if (!budget) {
      out.reports.push_back(refuse_dram_estimate(ctx, "cannot estimate DRAM power: " + budget.status().message(),
                                    "mount procfs (mount -t proc proc /proc) or point CARBONTRACKER_PROCFS_ROOT "
                                    "at a readable procfs"));
      return;
    }
    const double gib = static_cast<double>(budget->bytes) / kBytesPerGib;
    const double power_w = kDramWattsPerGib * gib;
    ChannelInfo ch;
    ch.id = "dram-estimate:dram";
    ch.component = Component::dram;
    ch.method = Method::estimated;
    ch.name = "dram";
    ch.source = std::string(kDramEstimateSource);
    ch.path = (ctx.procfs_root / "meminfo").string();
    ch.max_power_w = power_w * 1.01;  // a constant: 1 % absorbs rounding only
    ch.max_power_basis = "the estimate's constant " + format_decimal(power_w) + " W";
    ch.notes.push_back("estimated: " + format_decimal(kDramWattsPerGib) + " W/GiB x " + format_decimal(gib) +
                       " GiB = " + format_decimal(power_w) +
                       " W, constant (CodeCarbon's 3 W per 8 GB); not the memory actually in use");
    ch.notes.push_back(budget->note);
    SourceReport report;
    report.info = ch;
    report.available = true;
    report.counted = true;
    out.sensors.push_back(std::make_unique<ConstantPowerSensor>(std::string(kDramEstimateSource), std::move(ch), power_w));
    out.reports.push_back(std::move(report));
    coverage.claim(Component::dram, std::string(kDramEstimateSource));
  } catch (const std::exception& e) {
    out.reports.push_back(refuse_dram_estimate(ctx, std::string("internal error while probing the DRAM estimate: ") + e.what(),
                                  "report this as a bug"));
  }
}

}  // namespace carbontracker::sensors
