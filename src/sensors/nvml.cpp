#include "sensors/nvml.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/text.hpp"
#include "io/fs.hpp"
#include "io/process_tree.hpp"
#include "sensors/backends.hpp"

namespace carbontracker::sensors {
namespace {

using nvml::Device;
using nvml::NvmlLibrary;

constexpr double kNvmlResolutionS = 0.1;  // both the counter and the power register (~100 ms)
// A GPU's plausible maximum power is this factor times its highest settable power limit: short
// excursions above the limit average out over the 100 ms update period; twice the limit cannot.
constexpr double kGpuLimitFactor = 2.0;
constexpr unsigned kInitialProcessSlots = 64;

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = s.find(',', start);
    out.emplace_back(text::trim(s.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                               : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::optional<std::size_t> parse_index(std::string_view s) { return text::to_number<std::size_t>(s); }

std::string invalid_entry_note(const std::string& entry, const std::string& why) {
  return "CUDA_VISIBLE_DEVICES entry '" + entry + "' " + why +
         ": CUDA stops the list there, so it and every later entry are ignored";
}

}  // namespace

VisibleSelection select_visible_gpus(const std::optional<std::string>& cuda_visible_devices,
                                     const std::optional<std::string>& cuda_device_order,
                                     const std::vector<GpuIdentity>& gpus, const MigResolver& resolve_mig) {
  VisibleSelection sel;
  sel.gpu_notes.resize(gpus.size());
  if (!cuda_visible_devices) {
    for (std::size_t i = 0; i < gpus.size(); ++i) sel.selected.push_back(i);
    return sel;
  }
  if (text::trim(*cuda_visible_devices).empty()) return sel;

  std::vector<bool> taken(gpus.size(), false);
  bool used_index = false;
  auto take = [&](std::size_t i) {
    if (!taken[i]) sel.selected.push_back(i);
    taken[i] = true;
  };
  for (const std::string& entry : split_commas(*cuda_visible_devices)) {
    if (entry.rfind("MIG-", 0) == 0) {
      // CUDA 11.0-11.x named slices "MIG-GPU-<parent uuid>/<gi>/<ci>": the parent is in the id.
      std::optional<std::size_t> parent;
      if (entry.rfind("MIG-GPU-", 0) == 0) {
        const std::string parent_uuid = entry.substr(4, entry.find('/') - 4);
        for (std::size_t i = 0; i < gpus.size(); ++i) {
          if (gpus[i].uuid == parent_uuid) parent = i;
        }
        if (!parent) {
          sel.notes.push_back(invalid_entry_note(entry, "names no GPU"));
          break;
        }
      } else {
        auto r = resolve_mig(entry);
        if (!r && r.status().code() == StatusCode::not_found) {
          sel.notes.push_back(invalid_entry_note(entry, "names no MIG device"));
          break;
        }
        if (!r) {
          sel.notes.push_back("CUDA_VISIBLE_DEVICES entry '" + entry + "' is not measured: " + r.status().message());
          continue;
        }
        parent = *r;
      }
      sel.gpu_notes[*parent].push_back("MIG slice " + entry + " measured as its whole GPU " + gpus[*parent].uuid +
                                       ": NVML gives no per-slice energy; other slices' work is included");
      take(*parent);
    } else if (entry.rfind("GPU-", 0) == 0) {
      std::optional<std::size_t> match;
      bool ambiguous = false;
      for (std::size_t i = 0; i < gpus.size(); ++i) {
        if (gpus[i].uuid.rfind(entry, 0) != 0) continue;
        ambiguous = ambiguous || match.has_value();
        match = i;
      }
      if (!match || ambiguous) {
        sel.notes.push_back(invalid_entry_note(entry, ambiguous ? "matches several GPUs" : "matches no GPU"));
        break;
      }
      take(*match);
    } else {
      const auto index = parse_index(entry);
      if (!index || *index >= gpus.size()) {
        sel.notes.push_back(invalid_entry_note(
            entry, index ? "is out of range (" + std::to_string(gpus.size()) + " GPUs)" : "is not a GPU index"));
        break;
      }
      used_index = true;
      take(*index);
    }
  }

  const bool mixed_models = std::any_of(gpus.begin(), gpus.end(),
                                        [&](const GpuIdentity& g) { return g.name != gpus.front().name; });
  if (used_index && mixed_models && cuda_device_order.value_or("") != "PCI_BUS_ID") {
    sel.notes.push_back(
        "CUDA_VISIBLE_DEVICES holds indices and these GPUs differ in model: CUDA numbers them fastest-first "
        "unless CUDA_DEVICE_ORDER=PCI_BUS_ID, NVML in PCI order, so an index may name another GPU (set "
        "CUDA_DEVICE_ORDER=PCI_BUS_ID or use GPU- UUIDs)");
  }
  return sel;
}

NvmlSensor::NvmlSensor(std::unique_ptr<NvmlLibrary> lib, std::vector<Gpu> gpus, ByPid by_pid)
    : lib_(std::move(lib)), lost_(new std::atomic<bool>[gpus.size()]), by_pid_(std::move(by_pid)) {
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    devices_.push_back(gpus[i].device);
    channels_.push_back(std::move(gpus[i].info));
    lost_[i].store(false, std::memory_order_relaxed);
  }
  if (by_pid_.enabled) processes_.resize(kInitialProcessSlots);
}

Status NvmlSensor::read(std::vector<Reading>& out) noexcept {
  const nvml::Functions& fn = lib_->fn();
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    Reading r;
    r.channel = static_cast<std::uint32_t>(i);
    if (lost_[i].load(std::memory_order_relaxed)) {
      r.state = ReadingState::lost;
      out.push_back(r);
      continue;
    }
    nvml::Return rc = nvml::kSuccess;
    if (channels_[i].method == Method::counter) {
      unsigned long long energy_mj = 0;
      rc = fn.device_get_total_energy_consumption(devices_[i], &energy_mj);
      r.counter = energy_mj;
    } else {
      unsigned int power_mw = 0;
      rc = fn.device_get_power_usage(devices_[i], &power_mw);
      r.power_w = power_mw * 1e-3;
    }
    if (rc == nvml::kErrorGpuIsLost) {
      lost_[i].store(true, std::memory_order_relaxed);
      r.state = ReadingState::lost;
    } else if (rc != nvml::kSuccess) {
      r.state = ReadingState::failed;
    }
    if (r.state != ReadingState::ok) {
      r.counter = 0;
      r.power_w = 0.0;
    }
    out.push_back(r);
  }
  return Status::ok();
}

bool NvmlSensor::device_in_use(Device device, const std::vector<int>& tree) {
  const nvml::Functions& fn = lib_->fn();
  for (auto list : {fn.device_get_compute_running_processes_v3, fn.device_get_graphics_running_processes_v3}) {
    // The list changes between calls: retry a few times with room to spare.
    nvml::Return rc = nvml::kErrorInsufficientSize;
    unsigned int count = 0;
    for (int attempt = 0; attempt < 4 && rc == nvml::kErrorInsufficientSize; ++attempt) {
      count = static_cast<unsigned int>(processes_.size());
      rc = list(device, &count, processes_.data());
      if (rc == nvml::kErrorInsufficientSize) processes_.resize(std::size_t{count} * 2 + 16);
    }
    if (rc != nvml::kSuccess) return true;
    count = std::min<unsigned int>(count, static_cast<unsigned int>(processes_.size()));
    for (unsigned int k = 0; k < count; ++k) {
      if (std::binary_search(tree.begin(), tree.end(), static_cast<int>(processes_[k].pid))) return true;
    }
  }
  return false;
}

void NvmlSensor::slow_tick() noexcept {
  if (!by_pid_.enabled) return;
  try {
    const std::vector<int> tree = io::process_tree(by_pid_.procfs_root, by_pid_.root_pid);
    std::vector<bool> in_use(channels_.size(), true);
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      if (!lost_[i].load(std::memory_order_relaxed)) in_use[i] = device_in_use(devices_[i], tree);
    }
    const std::lock_guard lock(in_use_mutex_);
    in_use_ = std::move(in_use);
  } catch (...) {
    // Out of memory while listing: keep the previous answer; attribution is best effort.
  }
}

std::optional<std::vector<bool>> NvmlSensor::channels_in_use() const {
  const std::lock_guard lock(in_use_mutex_);
  return in_use_;
}

namespace {

struct FoundGpu {
  Device device = nullptr;
  ChannelInfo info;
  bool usable = false;
  std::string reason, fix;  // when !usable
};

SourceReport library_report(const SensorContext& ctx, const Status& st) {
  SourceReport r;
  r.info.component = Component::gpu;
  r.info.method = Method::counter;
  r.info.source = "nvml";
  r.info.name = "NVIDIA GPUs";
  r.info.path = ctx.nvml_library;
  r.available = false;
  r.reason = st.message();
  r.fix = st.fix();
  return r;
}

std::string read_string(nvml::Return (*get)(Device, char*, unsigned int), Device d, unsigned size, nvml::Return& rc) {
  std::string buf(size, '\0');
  rc = get(d, buf.data(), size);
  if (rc != nvml::kSuccess) return {};
  buf.resize(std::min<std::size_t>(buf.find('\0'), buf.size()));
  return buf;
}

// The GPU's plausibility bound: kGpuLimitFactor x the highest power limit it can be set to
// (a limit raised with `nvidia-smi -pl` during the run stays inside it). Without the call, the
// sampler's default for a GPU applies.
void set_power_bound(const nvml::Functions& fn, nvml::Device device, ChannelInfo& info) {
  if (!fn.device_get_power_management_limit_constraints) return;
  unsigned int min_mw = 0;
  unsigned int max_mw = 0;
  if (fn.device_get_power_management_limit_constraints(device, &min_mw, &max_mw) != nvml::kSuccess || max_mw == 0) {
    return;
  }
  const double limit_w = max_mw * 1e-3;
  info.max_power_w = kGpuLimitFactor * limit_w;
  info.max_power_basis = fmt::format("{:g} x the NVML power limit of {:g} W", kGpuLimitFactor, limit_w);
}

FoundGpu inspect_gpu(const SensorContext& ctx, const NvmlLibrary& lib, unsigned index) {
  const nvml::Functions& fn = lib.fn();
  FoundGpu g;
  g.info.component = Component::gpu;
  g.info.method = Method::counter;
  g.info.source = "nvml";
  g.info.path = ctx.nvml_library;
  g.info.name = "GPU " + std::to_string(index);
  const std::string lost_fix =
      "check `nvidia-smi` and the kernel log (`dmesg | grep -i xid`); the GPU needs a reset or a reboot";
  auto fail = [&](const std::string& call, nvml::Return rc) {
    g.reason = call + " failed: " + lib.describe(rc);
    g.fix = rc == nvml::kErrorGpuIsLost ? lost_fix : "check that `nvidia-smi` lists this GPU";
    return g;
  };

  nvml::Return rc = fn.device_get_handle_by_index_v2(index, &g.device);
  if (rc != nvml::kSuccess) return fail("nvmlDeviceGetHandleByIndex_v2(" + std::to_string(index) + ")", rc);
  g.info.uuid = read_string(fn.device_get_uuid, g.device, nvml::kUuidBufferSize, rc);
  if (rc != nvml::kSuccess) return fail("nvmlDeviceGetUUID", rc);
  g.info.id = "nvml:" + g.info.uuid;
  g.info.name = read_string(fn.device_get_name, g.device, nvml::kNameBufferSize, rc);
  if (rc != nvml::kSuccess) return fail("nvmlDeviceGetName", rc);

  g.info.resolution_s = kNvmlResolutionS;
  set_power_bound(fn, g.device, g.info);
  unsigned long long energy_mj = 0;
  const nvml::Return energy_rc = fn.device_get_total_energy_consumption(g.device, &energy_mj);
  if (energy_rc == nvml::kSuccess) {
    g.info.counter = CounterSpec{CounterKind::resetting};
    g.info.joules_per_unit = 1e-3;
    g.usable = true;
    return g;
  }
  if (energy_rc == nvml::kErrorGpuIsLost) return fail("nvmlDeviceGetTotalEnergyConsumption", energy_rc);
  unsigned int power_mw = 0;
  const nvml::Return power_rc = fn.device_get_power_usage(g.device, &power_mw);
  if (power_rc == nvml::kSuccess) {
    g.info.method = Method::power;
    g.info.notes.push_back("no energy counter (pre-Volta or not supported): power sampled and integrated");
    g.usable = true;
    return g;
  }
  if (power_rc == nvml::kErrorGpuIsLost) return fail("nvmlDeviceGetPowerUsage", power_rc);
  g.reason = "neither nvmlDeviceGetTotalEnergyConsumption (" + lib.describe(energy_rc) +
             ") nor nvmlDeviceGetPowerUsage (" + lib.describe(power_rc) + ") works on this GPU";
  g.fix = "check `nvidia-smi -q -d POWER`; if it shows no power draw either, this GPU cannot be measured "
          "(use sim_gpu with its TDP for an estimate)";
  return g;
}

std::string not_visible_reason(const std::string& value) {
  if (text::trim(value).empty()) return "not in CUDA_VISIBLE_DEVICES=\"\" (empty: CUDA sees no GPU)";
  return "not in CUDA_VISIBLE_DEVICES=" + value;
}

void probe_nvml_impl(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  auto loaded = NvmlLibrary::load(ctx.nvml_library);
  if (!loaded) {
    out.reports.push_back(library_report(ctx, loaded.status()));
    return;
  }
  std::unique_ptr<NvmlLibrary> lib = std::move(*loaded);
  if (Status st = lib->init(); !st) {
    out.reports.push_back(library_report(ctx, st));
    return;
  }
  unsigned int count = 0;
  if (const nvml::Return rc = lib->fn().device_get_count_v2(&count); rc != nvml::kSuccess) {
    out.reports.push_back(library_report(
        ctx, Status(StatusCode::unavailable, "nvmlDeviceGetCount_v2 failed: " + lib->describe(rc),
                    "check that `nvidia-smi` works")));
    return;
  }
  if (count == 0) {
    out.reports.push_back(library_report(
        ctx, Status(StatusCode::unavailable, "NVML found no NVIDIA GPU",
                    "check `nvidia-smi -L`; in a container, pass the GPUs in (`docker run --gpus all ...`)")));
    return;
  }

  std::vector<FoundGpu> found;
  for (unsigned i = 0; i < count; ++i) found.push_back(inspect_gpu(ctx, *lib, i));

  if (coverage.covered(Component::gpu)) {
    for (FoundGpu& g : found) {
      SourceReport r{g.info, g.usable, false, g.usable ? "superseded: " + coverage.claimed_by(Component::gpu) : g.reason,
                     g.usable ? "" : g.fix};
      out.reports.push_back(std::move(r));
    }
    return;
  }

  std::vector<GpuIdentity> ids;
  for (const FoundGpu& g : found) ids.push_back({g.info.uuid, g.info.name});
  const MigResolver resolve_mig = [&](const std::string& mig_id) -> Result<std::size_t> {
    if (!lib->has_mig_api()) {
      return Status(StatusCode::unavailable, lib->name() + " lacks " + lib->missing_mig_symbols() +
                                                 " to map it to its GPU (update the NVIDIA driver)");
    }
    const nvml::Functions& fn = lib->fn();
    Device mig = nullptr, parent = nullptr;
    unsigned int is_mig = 0;
    nvml::Return rc = fn.device_get_handle_by_uuid(mig_id.c_str(), &mig);
    if (rc == nvml::kErrorNotFound || rc == nvml::kErrorInvalidArgument) {
      return Status(StatusCode::not_found, "no MIG device " + mig_id);
    }
    if (rc == nvml::kSuccess) rc = fn.device_is_mig_device_handle(mig, &is_mig);
    if (rc == nvml::kSuccess && !is_mig) return Status(StatusCode::not_found, mig_id + " is not a MIG device");
    if (rc == nvml::kSuccess) rc = fn.device_get_device_handle_from_mig_device_handle(mig, &parent);
    if (rc != nvml::kSuccess) return Status(StatusCode::unavailable, "mapping it to its GPU failed: " + lib->describe(rc));
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (found[i].device == parent) return i;
    }
    return Status(StatusCode::unavailable, "NVML mapped it to a GPU that is not among those it lists");
  };
  const auto cvd = ctx.getenv ? ctx.getenv("CUDA_VISIBLE_DEVICES") : std::nullopt;
  const auto order = ctx.getenv ? ctx.getenv("CUDA_DEVICE_ORDER") : std::nullopt;
  const VisibleSelection sel = select_visible_gpus(cvd, order, ids, resolve_mig);

  NvmlSensor::ByPid by_pid;
  std::string by_pid_note;
  if (ctx.options.devices_by_pid) {
    if (lib->has_process_api()) {
      by_pid.enabled = true;
      by_pid.procfs_root = ctx.procfs_root;
      by_pid.root_pid = ctx.options.root_pid != 0 ? ctx.options.root_pid : static_cast<int>(::getpid());
    } else {
      by_pid_note = "devices_by_pid is off for GPUs: " + lib->name() + " lacks " + lib->missing_process_symbols() +
                    ", so every selected GPU is counted (update the NVIDIA driver to attribute GPUs by process)";
    }
  }

  std::vector<bool> selected(found.size(), false);
  for (std::size_t i : sel.selected) selected[i] = true;
  for (std::size_t i = 0; i < found.size(); ++i) {
    ChannelInfo& info = found[i].info;
    info.notes.insert(info.notes.end(), sel.gpu_notes[i].begin(), sel.gpu_notes[i].end());
    info.notes.insert(info.notes.end(), sel.notes.begin(), sel.notes.end());
    if (selected[i] && !by_pid_note.empty()) info.notes.push_back(by_pid_note);
  }

  std::vector<NvmlSensor::Gpu> gpus;
  for (std::size_t i : sel.selected) {
    if (found[i].usable) gpus.push_back({found[i].device, found[i].info});
  }
  for (std::size_t i = 0; i < found.size(); ++i) {
    const FoundGpu& g = found[i];
    SourceReport r{g.info, g.usable, g.usable && selected[i], {}, {}};
    if (!g.usable) {
      r.reason = g.reason;
      r.fix = g.fix;
    } else if (!selected[i]) {
      r.reason = not_visible_reason(cvd.value_or(""));
      r.fix = "add it to CUDA_VISIBLE_DEVICES if this run uses it";
    }
    out.reports.push_back(std::move(r));
  }
  if (gpus.empty()) return;  // lib goes out of scope: nvmlShutdown
  coverage.claim(Component::gpu, "nvml");
  out.sensors.push_back(std::make_unique<NvmlSensor>(std::move(lib), std::move(gpus), std::move(by_pid)));
}

}  // namespace

void probe_nvml(const SensorContext& ctx, Coverage& coverage, ProbeOutput& out) {
  try {
    probe_nvml_impl(ctx, coverage, out);
  } catch (const std::exception& e) {
    try {
      out.reports.push_back(library_report(
          ctx, Status(StatusCode::internal, std::string("NVML probe failed: ") + e.what(), "report this as a bug")));
    } catch (...) {
      // Out of memory while reporting: nothing more can be said.
    }
  }
}

}  // namespace carbontracker::sensors
