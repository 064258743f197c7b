// The one CSV row loop: the compiled-in tables (Ember/OWID intensity, Google Cloud regions, CPU
// TDP) are read through it.
//
// Contract: the text starts with a header row naming exactly `columns`, in any order; the cells
// are handed over in the order of `columns` (a header with a column missing or one more ends
// the read with one "cannot read the table: ..." error at line 1). Cells are trimmed of ' ', '\t' and '\r' (CRLF files read like LF files);
// quoted cells may hold commas and doubled quotes ("a ""b"", c"). A malformed row is reported
// to `on_error` with its 1-based line and skipped; an over-long line ends the read (the reader
// cannot skip it). Nothing throws out of for_each_row except std::bad_alloc.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace carbontracker::csv {

template <std::size_t N>
using Cells = std::array<std::string, N>;

using OnRowError = std::function<void(unsigned line, std::string message)>;

template <std::size_t N>
using OnRow = std::function<void(unsigned line, const Cells<N>& cells)>;

// Defined for N = 2 and N = 4 (the tables that exist); add an instantiation in csv_rows.cpp for
// another width.
template <std::size_t N>
void for_each_row(std::string_view csv_text, const std::string& source_name, const std::array<std::string, N>& columns,
                  const OnRow<N>& on_row, const OnRowError& on_error);

}  // namespace carbontracker::csv
