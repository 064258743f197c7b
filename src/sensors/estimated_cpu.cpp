#include "sensors/estimated_cpu.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/text.hpp"
#include "io/fs.hpp"
#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

// The TDP table's rows a model can match, parsed once per model and process: every tracker
// constructed after the first (a Python script constructing one per fold, the C API's tests)
// would otherwise walk the whole CSV again (a few thousand rows, an allocation per cell).
const CpuTable& cpu_table_for(const std::string& model) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<const CpuTable>> tables;
  std::lock_guard lock(mutex);
  auto it = tables.find(model);
  if (it == tables.end()) {
    auto table = std::make_unique<const CpuTable>(CpuTable::parse_for(carbontracker::data::kCpuPowerCsv, model));
    it = tables.emplace(model, std::move(table)).first;
  }
  return *it->second;
}

constexpr std::string_view kCpuEstimateSource = "tdp-estimate";

std::string_view next_line(std::string_view& text) noexcept {
  const std::size_t nl = text.find('\n');
  const std::string_view line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  return line;
}

bool has_word(std::string_view text, std::string_view word) noexcept {
  for (std::size_t pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1)) {
    const bool left = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\t';
    const std::size_t end = pos + word.size();
    const bool right = end == text.size() || text[end] == ' ' || text[end] == '\t';
    if (left && right) return true;
  }
  return false;
}

// "cpu0 ..." lines: logical CPUs online, for when cpuinfo is unreadable.
int count_stat_cpus(std::string_view text) noexcept {
  int n = 0;
  while (!text.empty()) {
    const std::string_view line = next_line(text);
    if (line.size() > 3 && line.starts_with("cpu") && line[3] >= '0' && line[3] <= '9') ++n;
  }
  return n;
}

std::string plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// /proc/stat counts in USER_HZ ticks (10 ms): a read sooner than this after the last one would
// see the same counters, or one tick more. It is also the costliest read on the training thread
// (the kernel formats every CPU's line and every interrupt's count for it: ~10 µs on 2 vCPUs, far
// more on large machines), and epoch_start usually follows the previous epoch_end at once.
constexpr MonoTime kStatResolution = std::chrono::milliseconds(10);

class EstimatedCpuSensor final : public Sensor {
 public:
  EstimatedCpuSensor(ChannelInfo info, std::string stat_path, double tdp_total_w, Clock* clock)
      : channels_{std::move(info)}, stat_path_(std::move(stat_path)), tdp_total_w_(tdp_total_w), clock_(clock) {}

  std::string_view name() const noexcept override { return kCpuEstimateSource; }
  const std::vector<ChannelInfo>& channels() const noexcept override { return channels_; }

  Status read(std::vector<Reading>& out) noexcept override {
    // Within one tick of the last read: the load then still stands (a mean over microseconds).
    const MonoTime t = clock_ ? clock_->monotonic() : MonoTime{};
    if (clock_ && have_prev_ && t - read_t_ < kStatResolution && t >= read_t_) {
      out.push_back(Reading{0, ReadingState::ok, 0, cpu_load_power_w(tdp_total_w_, utilization_)});
      return Status::ok();
    }
    read_t_ = t;
    const std::optional<CpuTimes> now = read_stat();
    if (!now) {
      out.push_back(Reading{0, ReadingState::failed, 0, 0.0});
      return Status(StatusCode::unavailable, "stat unreadable");  // short: fits the SSO buffer, no allocation
    }
    // The first read has no previous sample, so no load is known yet: utilisation_ starts at 0
    // and the first reading is the idle figure. Later reads within the same jiffy (or after a
    // CPU went offline and the sums dropped) keep the last known utilisation.
    if (have_prev_) {
      if (const auto u = cpu_utilization(prev_, *now)) utilization_ = *u;
    }
    prev_ = *now;
    have_prev_ = true;
    out.push_back(Reading{0, ReadingState::ok, 0, cpu_load_power_w(tdp_total_w_, utilization_)});
    return Status::ok();
  }

 private:
  std::optional<CpuTimes> read_stat() noexcept {
    // Opened per read so a replaced file (tests, a remounted procfs) is followed; the aggregate
    // line comes first and is far shorter than the buffer.
    const int fd = ::open(stat_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    ssize_t n;
    do {
      n = ::pread(fd, buf_.data(), buf_.size(), 0);
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    if (n <= 0) return std::nullopt;
    return parse_proc_stat_cpu(std::string_view(buf_.data(), static_cast<std::size_t>(n)));
  }

  std::vector<ChannelInfo> channels_;
  std::string stat_path_;
  double tdp_total_w_;
  std::array<char, 1024> buf_{};
  CpuTimes prev_{};
  bool have_prev_ = false;
  double utilization_ = 0.0;
  Clock* clock_ = nullptr;
  MonoTime read_t_{};
};

SourceReport refuse_cpu_estimate(const SensorContext& ctx, std::string reason,
                     std::string fix = "mount procfs (mount -t proc proc /proc) or point CARBONTRACKER_PROCFS_ROOT "
                                       "at a readable procfs") {
  SourceReport r;
  r.info.component = Component::cpu;
  r.info.method = Method::estimated;
  r.info.source = std::string(kCpuEstimateSource);
  r.info.name = "cpu";
  r.info.path = (ctx.procfs_root / "stat").string();
  r.available = false;
  r.reason = std::move(reason);
  r.fix = std::move(fix);
  return r;
}

}  // namespace

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo info;
  std::set<std::string, std::less<>> sockets;
  while (!text.empty()) {
    const std::string_view line = next_line(text);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = text::trim(line.substr(0, colon));
    const std::string_view value = text::trim(line.substr(colon + 1));
    if (key == "processor") {
      ++info.logical_cpus;
    } else if (key == "model name") {
      if (info.model.empty()) info.model = std::string(value);
    } else if (key == "physical id") {
      if (sockets.find(value) == sockets.end()) sockets.emplace(value);
    } else if (key == "flags") {
      if (has_word(value, "hypervisor")) info.hypervisor = true;
    }
  }
  info.sockets = static_cast<int>(sockets.size());
  return info;
}

std::optional<CpuTimes> parse_proc_stat_cpu(std::string_view text) noexcept {
  const std::size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  if (!line.starts_with("cpu ")) return std::nullopt;
  line.remove_prefix(3);
  std::array<std::uint64_t, 10> f{};
  std::size_t n = 0;
  const char* p = line.data();
  const char* const end = line.data() + line.size();
  while (n < f.size()) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    if (p == end) break;
    const auto [q, ec] = std::from_chars(p, end, f[n]);
    if (ec != std::errc() || q == p) return std::nullopt;
    p = q;
    ++n;
  }
  if (n < 4) return std::nullopt;
  CpuTimes t;
  // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 8); ++i) t.total += f[i];
  const std::uint64_t idle = f[3] + (n > 4 ? f[4] : 0);
  t.busy = t.total - idle;
  return t;
}

std::optional<double> cpu_utilization(const CpuTimes& before, const CpuTimes& after) noexcept {
  if (after.total <= before.total || after.busy < before.busy) return std::nullopt;
  const double u = static_cast<double>(after.busy - before.busy) / static_cast<double>(after.total - before.total);
  return u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
}

CpuEstimatePlan plan_cpu_estimate(const CpuInfo& info, const CpuTable& table) {
  const int sockets = info.sockets > 0 ? info.sockets : 1;
  const int logical = info.logical_cpus > 0 ? info.logical_cpus : 1;
  const double default_total_w = kDefaultWattsPerLogicalCpu * logical;
  const std::string default_text = "per-core default " + format_decimal(kDefaultWattsPerLogicalCpu) + " W x " +
                                   plural(logical, "logical CPU", "logical CPUs") + " = " +
                                   format_decimal(default_total_w) + " W";
  CpuEstimatePlan plan;
  const CpuTableMatch match = table.lookup(info.model);
  if (match.kind == CpuTableMatch::Kind::found) {
    plan.name = match.normalized;
    plan.tdp_total_w = match.row->tdp_w * sockets;
    plan.tdp_note = "estimated: TDP " + format_decimal(match.row->tdp_w) + " W x " +
                    plural(sockets, "socket", "sockets") + " (CPU table: " + match.row->name + ", line " +
                    std::to_string(match.row->line) + ") x load model";
    if (info.hypervisor && default_total_w < plan.tdp_total_w) {
      plan.cap_note = "running under a hypervisor: a VM uses a share of the host's " +
                      format_decimal(plan.tdp_total_w) + " W, so the TDP is capped at the " + default_text;
      plan.tdp_total_w = default_total_w;
    }
    return plan;
  }
  plan.name = info.model.empty() ? std::string("unknown CPU") : info.model;
  plan.tdp_total_w = default_total_w;
  if (match.kind == CpuTableMatch::Kind::ambiguous) {
    std::string rows;
    for (const auto& r : match.candidates) {
      if (!rows.empty()) rows += ", ";
      rows += format_decimal(r.tdp_w) + " W (line " + std::to_string(r.line) + ")";
    }
    plan.tdp_note = "ambiguous CPU model '" + info.model + "': the CPU table lists " + rows + " for '" +
                    match.normalized + "'; estimated with the " + default_text + " x load model";
  } else {
    plan.tdp_note = "unknown CPU model '" + info.model + "': " + default_text + " x load model";
  }
  return plan;
}

void probe_estimated_cpu(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  // A CPU counter (or a simulated CPU) already measures this: an estimate would only add noise.
  if (coverage.covered(Component::cpu)) return;
  try {
    const std::filesystem::path stat_path = ctx.procfs_root / "stat";
    auto stat_text = io::read_file(stat_path);
    if (!stat_text) {
      out.reports.push_back(refuse_cpu_estimate(ctx, "cannot estimate CPU power: " + stat_text.status().message()));
      return;
    }
    if (!parse_proc_stat_cpu(*stat_text)) {
      out.reports.push_back(refuse_cpu_estimate(ctx, "cannot estimate CPU power: " + stat_path.string() +
                                             " does not start with an aggregate \"cpu\" line"));
      return;
    }
    std::vector<std::string> notes;
    CpuInfo info;
    const std::filesystem::path cpuinfo_path = ctx.procfs_root / "cpuinfo";
    if (auto text = io::read_file(cpuinfo_path)) {
      info = parse_cpuinfo(*text);
    } else {
      notes.push_back("CPU model unknown: " + text.status().message());
    }
    if (info.logical_cpus == 0) {
      info.logical_cpus = count_stat_cpus(*stat_text);
      notes.push_back("logical CPUs counted from " + stat_path.string() + ": " + std::to_string(info.logical_cpus));
    }
    // Only the rows this model can match are parsed (CpuTable::parse_for): the same plan.
    CpuEstimatePlan plan = plan_cpu_estimate(info, cpu_table_for(info.model));

    ChannelInfo ch;
    ch.id = "tdp-estimate:cpu";
    ch.component = Component::cpu;
    ch.method = Method::estimated;
    ch.name = plan.name;
    ch.source = std::string(kCpuEstimateSource);
    ch.path = stat_path.string();
    ch.resolution_s = 0.01;  // /proc/stat counts in USER_HZ (100 Hz) ticks
    // TDP x load never exceeds the TDP; 1 % absorbs rounding only.
    ch.max_power_w = plan.tdp_total_w * 1.01;
    ch.max_power_basis = "the model's maximum, TDP " + format_decimal(plan.tdp_total_w) + " W";
    ch.notes.push_back(plan.tdp_note);
    if (plan.cap_note) ch.notes.push_back(*plan.cap_note);
    ch.notes.push_back("load model: " + format_decimal(plan.tdp_total_w) + " W x (" +
                       format_decimal(kCpuIdleFraction) + " + " + format_decimal(1.0 - kCpuIdleFraction) +
                       " x utilisation); utilisation is host-wide (all processes) from " + stat_path.string() +
                       ", busy = total - idle - iowait; each reading is the mean since the previous one");
    for (auto& n : notes) ch.notes.push_back(std::move(n));

    SourceReport report;
    report.info = ch;
    report.available = true;
    report.counted = true;
    out.sensors.push_back(std::make_unique<EstimatedCpuSensor>(std::move(ch), stat_path.string(), plan.tdp_total_w, ctx.clock));
    out.reports.push_back(std::move(report));
    coverage.claim(Component::cpu, std::string(kCpuEstimateSource));
  } catch (const std::exception& e) {
    out.reports.push_back(refuse_cpu_estimate(ctx, std::string("internal error while probing the CPU estimate: ") + e.what(),
                                  "report this as a bug"));
  }
}

}  // namespace carbontracker::sensors
