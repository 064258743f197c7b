#include "trace.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

namespace carbontracker::bench {
namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, ',')) out.push_back(trim(field));
  return out;
}

bool parse_number(const std::string& s, double& out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size() && std::isfinite(out);
}

}  // namespace

TraceResult read_trace(const std::filesystem::path& file) {
  TraceResult r;
  r.trace.name = file.stem().string();
  std::ifstream in(file);
  if (!in) {
    r.error = file.string() + ": cannot open";
    return r;
  }
  const auto fail = [&](int line_no, const std::string& why) {
    r.ok = false;
    r.error = file.string() + ":" + std::to_string(line_no) + ": " + why;
    return r;
  };
  std::string line;
  int line_no = 0;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    if (line[0] == '#') {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        r.trace.meta[trim(line.substr(1, colon - 1))] = trim(line.substr(colon + 1));
      }
      continue;
    }
    const auto fields = split(line);
    if (!header_seen) {
      const std::vector<std::string> base{"epoch", "duration_s", "energy_j_cpu", "energy_j_dram", "energy_j_gpu"};
      if (fields.size() < base.size() || !std::equal(base.begin(), base.end(), fields.begin())) {
        return fail(line_no, "header must be epoch,duration_s,energy_j_cpu,energy_j_dram,energy_j_gpu[,intensity_g_per_kwh]");
      }
      if (fields.size() == 6 && fields[5] == "intensity_g_per_kwh") {
        r.trace.has_intensity = true;
      } else if (fields.size() != 5) {
        return fail(line_no, "unexpected column after energy_j_gpu");
      }
      header_seen = true;
      continue;
    }
    const std::size_t want = r.trace.has_intensity ? 6 : 5;
    if (fields.size() != want) return fail(line_no, "expected " + std::to_string(want) + " fields");
    double v[6] = {};
    for (std::size_t i = 0; i < want; ++i) {
      if (!parse_number(fields[i], v[i]) || v[i] < 0) return fail(line_no, "field " + std::to_string(i + 1) + " is not a non-negative number");
    }
    if (static_cast<std::size_t>(v[0]) != r.trace.epochs.size() + 1) return fail(line_no, "epochs must be numbered 1, 2, 3, ...");
    r.trace.epochs.push_back({v[1], v[2] + v[3] + v[4], r.trace.has_intensity ? v[5] : 0.0});
  }
  if (!header_seen || r.trace.epochs.empty()) return fail(line_no, "no epochs");
  r.trace.planned_epochs = static_cast<int>(r.trace.epochs.size());
  if (auto it = r.trace.meta.find("planned_epochs"); it != r.trace.meta.end()) {
    double planned = 0;
    if (!parse_number(it->second, planned) || planned < static_cast<double>(r.trace.epochs.size())) {
      return fail(0, "planned_epochs must be a number >= the epochs in the file");
    }
    r.trace.planned_epochs = static_cast<int>(planned);
  }
  auto sc = r.trace.meta.find("scenario");
  r.trace.scenario = sc != r.trace.meta.end() ? sc->second : r.trace.name;
  r.ok = true;
  return r;
}

std::vector<std::filesystem::path> collect_trace_files(const std::vector<std::string>& paths) {
  std::vector<std::filesystem::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(p, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") files.push_back(entry.path());
      }
    } else {
      files.emplace_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace carbontracker::bench
