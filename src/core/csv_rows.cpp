#include "core/csv_rows.hpp"

// The tables are read on one thread; libfccp's reader thread would only add a dependency.
#define CSV_IO_NO_THREAD

// libfccp copies file names with strncpy; GCC's optimiser flags that inside the header when
// it inlines it here (-Wstringop-truncation), although the header null-terminates the copy.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <exception>
#include <new>
#include <tuple>
#include <utility>

namespace carbontracker::csv {

template <std::size_t N>
void for_each_row(std::string_view csv_text, const std::string& source_name, const std::array<std::string, N>& columns,
                  const OnRow<N>& on_row, const OnRowError& on_error) {
  using Reader = ::io::CSVReader<N, ::io::trim_chars<' ', '\t', '\r'>, ::io::double_quote_escape<',', '"'>>;
  try {
    Reader reader(source_name, csv_text.data(), csv_text.data() + csv_text.size());
    std::apply([&](const auto&... name) { reader.read_header(::io::ignore_no_column, name...); }, columns);
    Cells<N> cells;
    for (;;) {
      try {
        const bool more = std::apply([&](auto&... cell) { return reader.read_row(cell...); }, cells);
        if (!more) break;
      } catch (const ::io::error::line_length_limit_exceeded& e) {
        on_error(reader.get_file_line(), std::string(e.what()) + "; rest of the table ignored");
        break;
      } catch (const ::io::error::base& e) {
        on_error(reader.get_file_line(), e.what());
        continue;
      }
      on_row(reader.get_file_line(), cells);
    }
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    on_error(1, std::string("cannot read the table: ") + e.what());
  }
}

template void for_each_row<2>(std::string_view, const std::string&, const std::array<std::string, 2>&,
                              const OnRow<2>&, const OnRowError&);
template void for_each_row<4>(std::string_view, const std::string&, const std::array<std::string, 4>&,
                              const OnRow<4>&, const OnRowError&);

}  // namespace carbontracker::csv
