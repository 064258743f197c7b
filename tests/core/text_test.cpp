// The one copy of trim / case / number parsing (core/text.hpp) and of the CSV row loop
// (core/csv_rows.hpp) that the tables, the report readers, the config and the sensors share.
#include "core/text.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/csv_rows.hpp"

namespace carbontracker {
namespace {

TEST(Text, TrimRemovesEveryAsciiBlankAndNothingElse) {
  EXPECT_EQ(text::trim(" \t\r\n\v\f x y \r\n"), "x y");
  EXPECT_EQ(text::trim("   "), "");
  EXPECT_EQ(text::trim(""), "");
  // A no-break space (UTF-8 C2 A0) is not an ASCII blank: kept, never cut in half.
  EXPECT_EQ(text::trim("\xC2\xA0x"), "\xC2\xA0x");
}

TEST(Text, CaseMappingIsAsciiOnlyWhateverTheLocale) {
  // A Latin-1 locale would map 0xC4 ('Ä') with std::tolower; UTF-8 bytes must pass through.
  std::setlocale(LC_ALL, "C.UTF-8");
  EXPECT_EQ(text::to_lower("DNK \xC3\x84 Gcp:Europe-West1"), "dnk \xC3\x84 gcp:europe-west1");
  EXPECT_EQ(text::to_upper("gb-sw1a \xC3\xA4"), "GB-SW1A \xC3\xA4");
  std::setlocale(LC_ALL, "C");
  EXPECT_TRUE(text::iequals("Energy", "eNERGY"));
  EXPECT_FALSE(text::iequals("Energy", "Energ"));
  EXPECT_TRUE(text::istarts_with("kWh of energy", "KWH"));
  EXPECT_FALSE(text::istarts_with("kW", "kWh"));
}

TEST(Text, ToNumberTakesExactlyOneNumber) {
  EXPECT_EQ(text::to_number<int>("42"), 42);
  EXPECT_EQ(text::to_number<long>("-7"), -7);
  EXPECT_EQ(text::to_number<std::size_t>("3"), 3u);
  EXPECT_EQ(text::to_number<double>("-2e-3"), -2e-3);
  EXPECT_FALSE(text::to_number<int>(""));
  EXPECT_FALSE(text::to_number<int>(" 42"));     // blanks are the caller's decision
  EXPECT_FALSE(text::to_number<int>("12abc"));   // never read short as 12
  EXPECT_FALSE(text::to_number<int>("0x1f"));    // decimal only
  EXPECT_FALSE(text::to_number<int>("99999999999"));  // out of range, not clamped
  EXPECT_FALSE(text::to_number<std::uint64_t>("-1"));
  EXPECT_FALSE(text::to_number<double>("1,5"));  // a decimal comma is not a number
  const auto nan = text::to_number<double>("nan");
  ASSERT_TRUE(nan);
  EXPECT_TRUE(std::isnan(*nan));  // a number: callers that refuse it check isfinite
}

TEST(Text, NumbersIgnoreTheLocaleDecimalSeparator) {
  // de_DE writes "1,5"; strtod/stod would then stop at the '.', from_chars never does.
  if (!std::setlocale(LC_NUMERIC, "de_DE.UTF-8")) std::setlocale(LC_NUMERIC, "C.UTF-8");
  const auto v = text::parse_double("1.5", "pue");
  std::setlocale(LC_NUMERIC, "C");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 1.5);
}

TEST(Text, ParseGivesAClearStatusNamingTheInput) {
  const auto ok = text::parse_double("  473.5 \n", "intensity");
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 473.5);
  const auto bad = text::parse_double(" abc ", "intensity");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), StatusCode::invalid_argument);
  EXPECT_EQ(bad.status().message(), "intensity: expected a number, got \"abc\"");

  EXPECT_EQ(*text::parse_u64("18446744073709551615\n", "energy_uj"), UINT64_MAX);
  EXPECT_EQ(text::parse_u64("-1", "energy_uj").status().message(),
            "energy_uj: expected an unsigned integer, got \"-1\"");
  EXPECT_EQ(*text::parse_int(" -3 ", "epochs"), -3);
  EXPECT_EQ(text::parse_int("3.5", "epochs").status().message(), "epochs: expected an integer, got \"3.5\"");
}

TEST(Text, LeadingDoubleSplitsNumberAndUnit) {
  std::string_view rest;
  const auto v = text::leading_double("  12.5 kWh", &rest);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 12.5);
  EXPECT_EQ(rest, " kWh");
  EXPECT_FALSE(text::leading_double("kWh 12"));
}

struct Table {
  std::vector<std::pair<unsigned, std::vector<std::string>>> rows;
  std::vector<std::pair<unsigned, std::string>> errors;
};

Table read2(std::string_view csv) {
  Table t;
  csv::for_each_row<2>(
      csv, "test.csv", {"Name", "TDP"},
      [&](unsigned line, const csv::Cells<2>& c) { t.rows.push_back({line, {c[0], c[1]}}); },
      [&](unsigned line, std::string m) { t.errors.emplace_back(line, std::move(m)); });
  return t;
}

TEST(CsvRows, QuotesCrlfAndColumnOrder) {
  // The cells come in the order asked for, whatever the file's column order.
  const Table t = read2(
      "TDP,Name\r\n"
      "65,\"Intel EP80579 Integrated, 1066 MHz\"\r\n"
      " 45 ,  AMD \"\"Zen\"\" \r\n"
      "125,\"She said \"\"hi\"\"\"\n");
  EXPECT_TRUE(t.errors.empty());
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].first, 2u);
  EXPECT_EQ(t.rows[0].second, (std::vector<std::string>{"Intel EP80579 Integrated, 1066 MHz", "65"}));
  EXPECT_EQ(t.rows[1].second, (std::vector<std::string>{"AMD \"\"Zen\"\"", "45"}));
  EXPECT_EQ(t.rows[2].second, (std::vector<std::string>{"She said \"hi\"", "125"}));
  EXPECT_EQ(t.rows[2].first, 4u);
}

TEST(CsvRows, BadRowsAreReportedWithTheirLineAndSkipped) {
  const Table t = read2(
      "Name,TDP\n"
      "A,1\n"
      "B\n"          // too few columns
      "C,2,3\n"      // too many columns
      "\"D,4\n"      // unterminated quote
      "E,5\n");
  ASSERT_GE(t.errors.size(), 2u);
  EXPECT_EQ(t.errors[0].first, 3u);
  EXPECT_EQ(t.errors[1].first, 4u);
  ASSERT_GE(t.rows.size(), 2u);
  EXPECT_EQ(t.rows.front().second[0], "A");
  EXPECT_EQ(t.rows.back().second[0], "E");
  EXPECT_EQ(t.rows.back().first, 6u);
}

TEST(CsvRows, AHeaderOtherThanTheColumnsIsOneErrorAtLineOne) {
  for (const char* csv : {"Name\nA\n", "Name,Watts\nA,1\n", "Name,TDP,Cores\nA,1,4\n"}) {
    const Table t = read2(csv);
    EXPECT_TRUE(t.rows.empty()) << csv;
    ASSERT_EQ(t.errors.size(), 1u) << csv;
    EXPECT_EQ(t.errors[0].first, 1u);
    EXPECT_EQ(t.errors[0].second.rfind("cannot read the table: ", 0), 0u) << t.errors[0].second;
  }
}

TEST(CsvRows, AnOverLongLineEndsTheRead) {
  std::string csv = "Name,TDP\nA,1\n" + std::string((1 << 24) + 16, 'x') + ",2\nB,3\n";
  const Table t = read2(csv);
  ASSERT_EQ(t.rows.size(), 1u);
  ASSERT_EQ(t.errors.size(), 1u);
  EXPECT_NE(t.errors[0].second.find("rest of the table ignored"), std::string::npos);
}

}  // namespace
}  // namespace carbontracker
