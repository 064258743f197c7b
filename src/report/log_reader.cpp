#include "report/log_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <system_error>

#include "report/event_log_reader.hpp"
#include "report/text_logs.hpp"

namespace carbontracker::report {
namespace fs = std::filesystem;
namespace {

constexpr std::uintmax_t kMaxLogBytes = std::uintmax_t{1} << 30;

enum class Kind { none, events, std_log, output_log, err_log };

struct Suffix {
  std::string_view text;
  Kind kind;
};
// Longest first: "carbontracker.log" is not a suffix of the others, but keep the order obvious.
constexpr Suffix kSuffixes[] = {{"carbontracker_events.jsonl", Kind::events},
                                {"carbontracker_output.log", Kind::output_log},
                                {"carbontracker_err.log", Kind::err_log},
                                {"carbontracker.log", Kind::std_log}};

// Kind and stem from a file name: "<stem>_carbontracker.log" -> (std_log, "<stem>").
Kind classify_name(std::string_view name, std::string* stem) {
  for (const auto& s : kSuffixes) {
    if (name.size() >= s.text.size() && name.substr(name.size() - s.text.size()) == s.text) {
      std::string_view st = name.substr(0, name.size() - s.text.size());
      if (!st.empty() && (st.back() == '_' || st.back() == '.' || st.back() == '-')) st.remove_suffix(1);
      *stem = std::string(st);
      return s.kind;
    }
  }
  return Kind::none;
}

// A file named otherwise, given explicitly: what does it look like?
Kind sniff(const fs::path& path, std::vector<ReadIssue>* issues) {
  const auto text = read_log_file(path, issues);
  if (!text || text->empty()) return Kind::none;
  const std::string_view head = std::string_view(*text).substr(0, 1 << 16);
  const std::size_t first = head.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && head[first] == '{') return Kind::events;
  if (head.find("Predicted consumption") != std::string_view::npos ||
      head.find("Actual consumption") != std::string_view::npos ||
      head.find("CarbonTracker:") != std::string_view::npos) {
    return Kind::output_log;
  }
  if (head.find("Average power usage (W) for") != std::string_view::npos ||
      head.find("carbontracker version") != std::string_view::npos ||
      head.find("The following components were found:") != std::string_view::npos) {
    return Kind::std_log;
  }
  if (head.find(" - WARNING - ") != std::string_view::npos) return Kind::err_log;
  return Kind::none;
}

fs::path* slot(LogFiles& f, Kind k) {
  switch (k) {
    case Kind::events: return &f.events;
    case Kind::std_log: return &f.std_log;
    case Kind::output_log: return &f.output_log;
    case Kind::err_log: return &f.err_log;
    case Kind::none: break;
  }
  return nullptr;
}

class Finder {
 public:
  explicit Finder(std::vector<ReadIssue>* issues) : issues_(issues) {}

  void add_path(const fs::path& p) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      issue(p, "no such file or directory" + (ec ? " (" + ec.message() + ")" : std::string()));
      return;
    }
    if (fs::is_directory(st)) {
      add_dir(p);
    } else if (fs::is_regular_file(st)) {
      std::string stem;
      Kind k = classify_name(p.filename().string(), &stem);
      if (k == Kind::none) {
        k = sniff(p, issues_);
        stem = p.stem().string();
        if (k == Kind::none) {
          issue(p, "not a carbontracker log (neither its name nor its content); skipped");
          return;
        }
      }
      add_file(p, k, stem);
      add_siblings(p);
    } else {
      issue(p, "not a regular file or directory; skipped");
    }
  }

  std::vector<LogFiles> take() {
    std::vector<LogFiles> out;
    out.reserve(groups_.size());
    for (auto& [key, files] : groups_) out.push_back(std::move(files));
    return out;
  }

 private:
  void add_dir(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      issue(dir, "cannot list the directory: " + ec.message());
      return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) {
        issue(dir, "listing the directory failed: " + ec.message());
        return;
      }
      std::string stem;
      const Kind k = classify_name(it->path().filename().string(), &stem);
      if (k == Kind::none) continue;
      std::error_code fec;
      if (!it->is_regular_file(fec)) continue;
      add_file(it->path(), k, stem);
    }
  }

  // A run's file named on the command line brings the run's other files (same directory, same
  // name up to the suffix): the report of `x_carbontracker.log` holds that run's actual and
  // predicted consumption from `x_carbontracker_output.log`, as a directory would.
  void add_siblings(const fs::path& p) {
    const std::string name = p.filename().string();
    for (const auto& given : kSuffixes) {
      if (!name.ends_with(given.text)) continue;
      const std::string prefix = name.substr(0, name.size() - given.text.size());
      for (const auto& other : kSuffixes) {
        if (other.kind == given.kind) continue;
        const fs::path sibling = p.parent_path() / (prefix + std::string(other.text));
        std::error_code ec;
        if (!fs::is_regular_file(sibling, ec)) continue;
        std::string stem;
        add_file(sibling, classify_name(sibling.filename().string(), &stem), stem);
      }
      return;
    }
  }

  void add_file(const fs::path& p, Kind k, const std::string& stem) {
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    if (ec) abs = p;
    abs = abs.lexically_normal();
    if (!seen_.insert(abs.string()).second) return;  // reached twice (a dir and one of its files)
    const fs::path dir = abs.parent_path();
    LogFiles& f = groups_[{dir.string(), stem}];
    f.dir = dir;
    f.stem = stem;
    fs::path* s = slot(f, k);
    if (!s->empty()) {
      issue(abs, "a second " + std::string(k == Kind::events ? "event" : "text") + " log for run '" + stem +
                     "' in the same directory; skipped");
      return;
    }
    *s = abs;
  }

  void issue(const fs::path& p, std::string message) {
    if (issues_) issues_->push_back({p.string(), 0, std::move(message)});
  }

  std::vector<ReadIssue>* issues_;
  std::map<std::pair<std::string, std::string>, LogFiles> groups_;
  std::set<std::string> seen_;
};

bool usable(const RunData& r) {
  return !r.version.empty() || !r.epochs.empty() || r.actual || r.predicted || r.finished;
}

// The file's text, or std::nullopt when it is missing, unreadable or empty (with an issue
// except for an absent path).
std::optional<std::string> read_if(const fs::path& p, std::vector<ReadIssue>* issues) {
  if (p.empty()) return std::nullopt;
  auto text = read_log_file(p, issues);
  if (text && text->empty()) {
    if (issues) issues->push_back({p.string(), 0, "empty file; ignored"});
    return std::nullopt;
  }
  return text;
}

}  // namespace

std::optional<std::string> read_log_file(const fs::path& path, std::vector<ReadIssue>* issues) {
  auto fail = [&](const std::string& why) -> std::optional<std::string> {
    if (issues) issues->push_back({path.string(), 0, why});
    return std::nullopt;
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail("not a regular file; skipped");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxLogBytes) {
    ::close(fd);
    return fail("larger than 1 GiB; skipped");
  }
  std::string out;
  // One byte more than the size, so the read that sees the end needs no larger buffer.
  out.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  while (true) {
    if (got == out.size()) out.resize(out.size() * 2);  // the file grew while reading
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return fail(std::string("read failed: ") + std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    if (got > kMaxLogBytes) {
      ::close(fd);
      return fail("larger than 1 GiB; skipped");
    }
  }
  ::close(fd);
  out.resize(got);
  return out;
}

std::vector<LogFiles> find_logs(const std::vector<fs::path>& paths, std::vector<ReadIssue>* issues) {
  Finder finder(issues);
  for (const auto& p : paths) finder.add_path(p);
  return finder.take();
}

std::optional<RunData> read_run(const LogFiles& files, std::vector<ReadIssue>* issues) {
  if (const auto text = read_if(files.events, issues)) {
    auto run = read_event_log(*text, files.events.string(), issues);
    if (run && usable(*run)) {
      run->file = files.events.string();
      run->stem = files.stem;
      return run;
    }
    if (issues) {
      issues->push_back({files.events.string(), 0,
                         files.std_log.empty() && files.output_log.empty()
                             ? "no usable record in the event log; run skipped"
                             : "no usable record in the event log; the run is read from its text logs"});
    }
  }
  const auto std_text = read_if(files.std_log, issues);
  const auto out_text = read_if(files.output_log, issues);
  if (!std_text && !out_text) {
    if (!files.err_log.empty() && files.events.empty() && files.std_log.empty() && files.output_log.empty() && issues) {
      issues->push_back({files.err_log.string(), 0, "an error log without its run's other logs; skipped"});
    }
    return std::nullopt;
  }
  std::optional<TextLog> std_log, out_log;
  if (std_text) std_log = parse_text_log(*std_text, files.std_log.string(), issues);
  if (out_text) out_log = parse_text_log(*out_text, files.output_log.string(), issues);
  if (issues && std_text && !out_text) {
    issues->push_back({files.std_log.string(), 0,
                       "no output log (*_carbontracker_output.log) with this run's stem: no predicted or actual "
                       "consumption; read for its epochs"});
  }
  if (issues && out_text && !std_text) {
    issues->push_back({files.output_log.string(), 0,
                       "no standard log (*_carbontracker.log) with this run's stem: its epochs and powers are "
                       "unknown; read for its consumption blocks"});
  }
  RunData run = run_from_text_logs(std_log ? &*std_log : nullptr, out_log ? &*out_log : nullptr,
                                   files.std_log.string(), issues);
  run.file = out_text ? files.output_log.string() : files.std_log.string();
  run.std_file = std_text ? files.std_log.string() : std::string();
  run.stem = files.stem;
  if (const auto err = read_if(files.err_log, issues)) run.warnings = parse_err_log(*err, files.err_log.string(), issues);
  return run;
}

ReadResult read_logs(const std::vector<fs::path>& paths) {
  ReadResult result;
  for (const auto& files : find_logs(paths, &result.issues)) {
    if (auto run = read_run(files, &result.issues)) result.runs.push_back(std::move(*run));
  }
  // The same note on thousands of runs (e.g. every Python 2.x log of one cluster) buries the
  // rest: keep every line of the first few FILES with each message, then count the other files
  // (and their lines, when a file has it more than once) in one issue. Counted in files, not in
  // lines, so "the same in N more file(s)" is exact.
  constexpr std::size_t kSameMessageFilesKept = 5;
  struct Seen {
    std::set<std::string> kept_files, more_files;
    std::size_t more_lines = 0;
  };
  std::map<std::string, Seen> seen;
  std::vector<ReadIssue> kept;
  for (auto& i : result.issues) {
    Seen& s = seen[i.message];
    if (s.kept_files.count(i.file) || s.kept_files.size() < kSameMessageFilesKept) {
      s.kept_files.insert(i.file);
      kept.push_back(std::move(i));
    } else {
      s.more_files.insert(i.file);
      ++s.more_lines;
    }
  }
  for (const auto& [message, s] : seen) {
    if (s.more_files.empty()) continue;
    std::string lines;
    if (s.more_lines != s.more_files.size()) lines = " (" + std::to_string(s.more_lines) + " lines)";
    kept.push_back(
        {"", 0, "the same in " + std::to_string(s.more_files.size()) + " more file(s)" + lines + ": " + message});
  }
  result.issues = std::move(kept);
  return result;
}

}  // namespace carbontracker::report
