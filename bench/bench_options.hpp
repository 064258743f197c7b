// Small helpers the benchmark programs share: command-line flags and a temporary directory.
// Header-only; benchmarks are programs, so a bad flag prints the usage and exits (2), and
// filesystem errors throw std::runtime_error (main prints them and exits 1).
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace carbontracker::bench {

// Reads "--flag value" pairs (and value-less flags the caller recognises before asking for a
// value). -h/--help prints the usage and exits 0.
class ArgReader {
 public:
  ArgReader(std::string program, std::string usage, int argc, char** argv)
      : program_(std::move(program)), usage_(std::move(usage)), args_(argv + 1, argv + argc) {}

  // Advances to the next flag; false at the end.
  bool next() {
    if (i_ >= args_.size()) return false;
    flag_ = args_[i_++];
    if (flag_ == "-h" || flag_ == "--help") {
      std::cout << usage_;
      std::exit(0);
    }
    return true;
  }
  [[nodiscard]] const std::string& flag() const { return flag_; }

  std::string value() {
    if (i_ >= args_.size()) fail(flag_ + " needs a value");
    return args_[i_++];
  }
  // A positive number.
  double number() {
    const std::string text = value();
    try {
      std::size_t used = 0;
      const double v = std::stod(text, &used);
      if (used != text.size() || !(v > 0)) throw std::invalid_argument(text);
      return v;
    } catch (const std::exception&) {
      fail(flag_ + " needs a positive number, got '" + text + "'");
    }
  }
  // A comma list of positive numbers.
  std::vector<double> numbers() {
    const std::string text = value();
    std::vector<double> out;
    std::size_t start = 0;
    while (start <= text.size()) {
      const auto comma = text.find(',', start);
      const auto item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      try {
        std::size_t used = 0;
        const double v = std::stod(item, &used);
        if (used != item.size() || !(v > 0)) throw std::invalid_argument(item);
        out.push_back(v);
      } catch (const std::exception&) {
        fail(flag_ + " needs positive numbers separated by commas, got '" + text + "'");
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  }
  // One of `allowed`, or "both"/"all" for every one of them.
  std::vector<std::string> choice(std::initializer_list<const char*> allowed) {
    const std::string v = value();
    if (v == "both" || v == "all") return {allowed.begin(), allowed.end()};
    for (const char* a : allowed) {
      if (v == a) return {v};
    }
    std::string list;
    for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
    fail(flag_ + " must be one of " + list + " or both, got '" + v + "'");
  }

  [[noreturn]] void fail(const std::string& what) const {
    std::cerr << program_ << ": " << what << "\n" << usage_;
    std::exit(2);
  }

 private:
  std::string program_;
  std::string usage_;
  std::vector<std::string> args_;
  std::size_t i_ = 0;
  std::string flag_;
};

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempLogDir {
 public:
  TempLogDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/carbontracker-bench-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed under " + templ);
    path_ = templ;
  }
  ~TempLogDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempLogDir(const TempLogDir&) = delete;
  TempLogDir& operator=(const TempLogDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace carbontracker::bench
