// What the report readers share (internal): the issue collector. Trimming, case and number
// parsing are core/text.hpp's (included here for the readers).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"
#include "report/run_data.hpp"

namespace carbontracker::report::detail {

// Collects the issues of one file, at most `max` of them; the rest are counted in one summary.
class IssueSink {
 public:
  IssueSink(std::vector<ReadIssue>* out, std::string file, int max) : out_(out), file_(std::move(file)), max_(max) {}
  IssueSink(const IssueSink&) = delete;
  IssueSink& operator=(const IssueSink&) = delete;
  ~IssueSink() {
    if (out_ && dropped_ > 0) {
      out_->push_back({file_, 0, std::to_string(dropped_) + " more problem(s) in this file not listed"});
    }
  }
  void add(int line, std::string message) {
    if (!out_) return;
    if (count_ >= max_) {
      ++dropped_;
      return;
    }
    ++count_;
    out_->push_back({file_, line, std::move(message)});
  }

 private:
  std::vector<ReadIssue>* out_;
  std::string file_;
  int max_;
  int count_ = 0;
  int dropped_ = 0;
};

}  // namespace carbontracker::report::detail
