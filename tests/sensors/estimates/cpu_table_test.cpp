#include "sensors/cpu_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <clocale>
#include <thread>
#include <vector>

#include "core/text.hpp"
#include "sensors/estimated_cpu.hpp"

namespace carbontracker::sensors {
namespace {

struct NameCase {
  const char* raw;
  const char* normalized;
};

TEST(CpuName, NormalisesRealModelStrings) {
  const NameCase cases[] = {
      {"Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "Intel Xeon Gold 6248"},
      {"AMD EPYC 7763 64-Core Processor", "AMD EPYC 7763"},
      {"Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", "Intel Core i7-8700"},
      {"AMD Ryzen 9 5950X 16-Core Processor", "AMD Ryzen 9 5950X"},
      {"AMD Ryzen 7 PRO 4750U with Radeon Graphics", "AMD Ryzen 7 PRO 4750U"},
      {"AMD Ryzen 5 3400G with Radeon Vega Graphics     ", "AMD Ryzen 5 3400G"},
      {"13th Gen Intel(R) Core(TM) i9-13900K", "Intel Core i9-13900K"},
      {"Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz", "Intel Xeon E5-2686 v4"},
      {"Intel(R) Xeon(R) Platinum 8480+", "Intel Xeon Platinum 8480+"},
      {"Intel(R) Xeon(R) CPU Max 9460", "Intel Xeon Max 9460"},
      {"AMD Ryzen Threadripper PRO 3995WX 64-Cores", "AMD Ryzen Threadripper PRO 3995WX"},
      {"AMD FX(tm)-8350 Eight-Core Processor", "AMD FX-8350"},
      {"Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz", "Intel Core 2 Duo E8400"},
      {"AMD Ryzen 5 3500 (OEM Only)", "AMD Ryzen 5 3500"},
      {"Intel Atom\xC2\xA0""E625CT", "Intel Atom E625CT"},
      {"AMD Ryzen 5 3580U Microsoft Surface\xC2\xAE Edition", "AMD Ryzen 5 3580U Microsoft Surface Edition"},
      {"Intel(R) Xeon(R) Processor", "Intel Xeon"},  // this VM: a generic model, not a table row
      {"Intel(R) Xeon(R) CPU @ 2.20GHz", "Intel Xeon"},
      {"", ""},
      {"  CPU  ", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(normalize_cpu_name(c.raw), c.normalized) << "raw: " << c.raw;
}

TEST(CpuTable, RealTableFindsCommonCpus) {
  const CpuTable& t = builtin_cpu_table();
  struct Expect {
    const char* raw;
    double tdp_w;
    const char* row;
  };
  const Expect cases[] = {
      {"Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 150, "Intel Xeon Gold 6248"},
      {"AMD EPYC 7763 64-Core Processor", 280, "AMD EPYC 7763"},
      {"Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", 65, "Intel Core i7-8700"},
      {"AMD Ryzen 9 5950X 16-Core Processor", 105, "AMD Ryzen 9 5950X"},
      {"intel(r) xeon(r) gold 6248 cpu @ 2.50ghz", 150, "Intel Xeon Gold 6248"},  // case-insensitive
  };
  for (const auto& c : cases) {
    const CpuTableMatch m = t.lookup(c.raw);
    ASSERT_EQ(m.kind, CpuTableMatch::Kind::found) << c.raw;
    EXPECT_DOUBLE_EQ(m.row->tdp_w, c.tdp_w) << c.raw;
    EXPECT_EQ(m.row->name, c.row);
  }
  // Names only quoted in the CSV (they hold commas) are read whole.
  const CpuTableMatch quoted = t.lookup("Intel EP80579 Integrated, 1066 MHz");
  ASSERT_EQ(quoted.kind, CpuTableMatch::Kind::found);
  EXPECT_DOUBLE_EQ(quoted.row->tdp_w, 18.0);
  EXPECT_EQ(quoted.row->line, 3163u);
}

TEST(CpuTable, NoFuzzyMatching) {
  const CpuTable& t = builtin_cpu_table();
  // A generic or partial model must not pick some CPU that merely contains it.
  for (const char* raw : {"Intel(R) Xeon(R) Processor", "Intel(R) Xeon(R) CPU @ 2.20GHz", "AMD EPYC",
                          "Intel Core i7-87", "Gold 6248", "Intel Xeon Gold 624", "QEMU Virtual CPU version 2.5+"}) {
    EXPECT_EQ(t.lookup(raw).kind, CpuTableMatch::Kind::unknown) << raw;
  }
  EXPECT_EQ(t.lookup("Intel(R) Core(TM) i7-87 CPU").normalized, "Intel Core i7-87");
  EXPECT_EQ(t.lookup("Intel(R) Core(TM) i7-870 CPU @ 2.93GHz").kind, CpuTableMatch::Kind::found);  // a real row
}

TEST(CpuTable, RealTableRejectsExactlyTheMalformedRows) {
  const CpuTable& t = builtin_cpu_table();
  // 4,903 data rows; "27.29.5"-style TDPs are two numbers run together, never guessed, and a
  // microcontroller listed at 0 W is no usable TDP.
  ASSERT_EQ(t.rejected().size(), 5u);
  const unsigned lines[] = {1772, 1782, 1783, 1785};
  const char* tdps[] = {"27.29.5", "27.29.5", "29.32.9", "33.34.8"};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(t.rejected()[i].line, lines[i]);
    EXPECT_NE(t.rejected()[i].reason.find(tdps[i]), std::string::npos) << t.rejected()[i].reason;
    EXPECT_NE(t.rejected()[i].name.find("Intel Celeron"), std::string::npos);
  }
  EXPECT_EQ(t.rejected()[4].line, 3563u);
  EXPECT_EQ(t.rejected()[4].name, "Intel Quark Microcontroller D1000");
  EXPECT_NE(t.rejected()[4].reason.find("positive"), std::string::npos);
  EXPECT_EQ(t.rows().size(), 4903u - 5u);
  EXPECT_EQ(t.lookup("Intel Celeron 1000A").kind, CpuTableMatch::Kind::unknown);
}

TEST(CpuTable, ConflictingDuplicatesAreAmbiguousNotGuessed) {
  const CpuTable& t = builtin_cpu_table();
  // "Intel Atom E625CT" appears twice (one spelled with a no-break space): 3 W and 2.7 W.
  const CpuTableMatch atom = t.lookup("Intel(R) Atom(TM) CPU E625CT @ 0.60GHz");
  ASSERT_EQ(atom.kind, CpuTableMatch::Kind::ambiguous);
  ASSERT_EQ(atom.candidates.size(), 2u);
  EXPECT_EQ(atom.candidates[0].line, 1665u);
  EXPECT_EQ(atom.candidates[1].line, 1761u);
  // Variants told apart only by a remark ("(125W)", "(95W)") cannot be told apart from cpuinfo.
  EXPECT_EQ(t.lookup("AMD Phenom(tm) II X4 945 Processor").kind, CpuTableMatch::Kind::ambiguous);
  // Same TDP twice ("Ryzen 7 1700" and "Ryzen 7 1700 Processor") is a harmless duplicate.
  const CpuTableMatch r = t.lookup("AMD Ryzen 7 1700 Eight-Core Processor");
  ASSERT_EQ(r.kind, CpuTableMatch::Kind::found);
  EXPECT_DOUBLE_EQ(r.row->tdp_w, 65.0);
  EXPECT_EQ(t.ambiguous_names(), 15u);
}

TEST(CpuTable, ParsesAndRejectsRowsWithLineNumbers) {
  const std::string csv =
      "Name,TDP\n"                          // 1
      "Good One,95\n"                       // 2
      "\"Quoted, With Comma\",18.5\n"       // 3
      "Range Typo,27.29.5\n"                // 4
      "No Tdp,\n"                           // 5
      ",65\n"                               // 6
      "Zero,0\n"                            // 7
      "Negative,-5\n"                       // 8
      "Word,abc\n"                          // 9
      "Too,Many,Columns\n"                  // 10
      "Infinite,inf\n"                      // 11
      "\"Unclosed,12\n"                     // 12
      "Windows Line,45\r\n"                 // 13
      "Last,7";                             // 14, no newline
  const CpuTable t = CpuTable::parse(csv, "test.csv");
  ASSERT_EQ(t.rows().size(), 4u);
  EXPECT_EQ(t.rows()[0].name, "Good One");
  EXPECT_EQ(t.rows()[1].name, "Quoted, With Comma");
  EXPECT_DOUBLE_EQ(t.rows()[1].tdp_w, 18.5);
  EXPECT_EQ(t.rows()[1].line, 3u);
  EXPECT_EQ(t.rows()[2].name, "Windows Line");
  EXPECT_DOUBLE_EQ(t.rows()[2].tdp_w, 45.0);
  EXPECT_EQ(t.rows()[3].line, 14u);

  std::vector<unsigned> lines;
  for (const auto& r : t.rejected()) lines.push_back(r.line);
  EXPECT_EQ(lines, (std::vector<unsigned>{4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_NE(t.rejected()[0].reason.find("not a number"), std::string::npos);
  EXPECT_EQ(t.rejected()[0].name, "Range Typo");
  EXPECT_NE(t.rejected()[1].reason.find("missing TDP"), std::string::npos);
  EXPECT_NE(t.rejected()[2].reason.find("missing name"), std::string::npos);
  EXPECT_NE(t.rejected()[3].reason.find("positive"), std::string::npos);
  EXPECT_NE(t.rejected()[6].reason.find("column"), std::string::npos) << t.rejected()[6].reason;
  EXPECT_EQ(t.lookup("good one").kind, CpuTableMatch::Kind::found);
}

TEST(CpuTable, BadHeaderLeavesAnEmptyTableAndSaysWhy) {
  const CpuTable t = CpuTable::parse("Model,Watts\nX,1\n");
  EXPECT_TRUE(t.rows().empty());
  ASSERT_EQ(t.rejected().size(), 1u);
  EXPECT_EQ(t.rejected()[0].line, 1u);
  EXPECT_NE(t.rejected()[0].reason.find("cannot read the table"), std::string::npos);
  EXPECT_EQ(CpuTable::parse("").rejected().size(), 1u);
}

TEST(CpuTable, BuiltinTableIsParsedOnceAcrossThreads) {
  std::vector<const CpuTable*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) threads.emplace_back([&, i] { seen[i] = &builtin_cpu_table(); });
  for (auto& th : threads) th.join();
  for (const auto* p : seen) EXPECT_EQ(p, seen.front());
  EXPECT_FALSE(seen.front()->rows().empty());
}

// The documented per-logical-CPU default is the median TDP / hardware threads of these parts
// (docs/estimates.md); their TDPs must be what the table says.
TEST(CpuTable, DefaultWattsPerLogicalCpuIsTheMedianOfTheDocumentedParts) {
  struct Part {
    const char* name;
    int threads;
    double tdp_w;
  };
  const Part parts[] = {
      {"Intel Xeon E5-2686 v4", 36, 145},      {"Intel Xeon Gold 6248", 40, 150},
      {"Intel Xeon Platinum 8380", 80, 270},   {"Intel Xeon Platinum 8480+", 112, 350},
      {"AMD EPYC 7742", 128, 225},             {"AMD EPYC 7763", 128, 280},
      {"AMD EPYC 7543", 64, 225},              {"AMD EPYC 9654", 192, 360},
  };
  std::vector<double> per_thread;
  for (const auto& p : parts) {
    const CpuTableMatch m = builtin_cpu_table().lookup(p.name);
    ASSERT_EQ(m.kind, CpuTableMatch::Kind::found) << p.name;
    EXPECT_DOUBLE_EQ(m.row->tdp_w, p.tdp_w) << p.name;
    per_thread.push_back(m.row->tdp_w / p.threads);
  }
  std::sort(per_thread.begin(), per_thread.end());
  const double median = (per_thread[3] + per_thread[4]) / 2;
  EXPECT_DOUBLE_EQ(median, kDefaultWattsPerLogicalCpu);
}

TEST(FormatDecimal, IsShortAndLocaleIndependent) {
  EXPECT_EQ(format_decimal(150.0), "150");
  EXPECT_EQ(format_decimal(6.5), "6.5");
  EXPECT_EQ(format_decimal(0.375), "0.375");
  EXPECT_EQ(format_decimal(23.54), "23.54");
  EXPECT_EQ(format_decimal(1.0 / 3.0), "0.333");
  EXPECT_EQ(format_decimal(-0.0001), "0");
}

TEST(FormatDecimal, IgnoresACommaDecimalLocale) {
  const char* const locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "da_DK.UTF-8"};
  const char* set = nullptr;
  for (const char* l : locales) {
    if ((set = std::setlocale(LC_ALL, l)) != nullptr) break;
  }
  if (set == nullptr) GTEST_SKIP() << "no comma-decimal locale installed";
  EXPECT_EQ(format_decimal(6.5), "6.5");
  const CpuTable t = CpuTable::parse("Name,TDP\nX,6.5\n");
  std::setlocale(LC_ALL, "C");
  ASSERT_EQ(t.rows().size(), 1u);
  EXPECT_DOUBLE_EQ(t.rows()[0].tdp_w, 6.5);
}

}  // namespace
}  // namespace carbontracker::sensors

namespace carbontracker::sensors {
namespace {

// parse_for (the tracker's start-up path) finds what the whole table finds: for table names as
// written, as /proc/cpuinfo spells them ("(R)", "CPU @ 2.50GHz"), in other cases, and for names
// that are not in it or are ambiguous.
TEST(CpuTable, ParseForLooksUpWhatTheWholeTableLooksUp) {
  const CpuTable& whole = builtin_cpu_table();
  std::vector<std::string> queries = {"Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "AMD EPYC 7742 64-Core Processor",
                                      "13th Gen Intel(R) Core(TM) i7-13700K", "AMD Ryzen 7 5800H with Radeon Graphics",
                                      "FX(tm)-8350", "Unknown CPU 1234", "", "---", "(R)", "Intel"};
  for (std::size_t i = 0; i < whole.rows().size(); i += 41) {
    const std::string& name = whole.rows()[i].name;
    queries.push_back(name);
    queries.push_back(text::to_upper(name) + " CPU @ 3.00GHz");
  }
  for (const auto& q : queries) {
    const CpuTableMatch a = whole.lookup(q);
    const CpuTableMatch b = CpuTable::parse_for(data::kCpuPowerCsv, q).lookup(q);
    ASSERT_EQ(a.kind, b.kind) << q;
    EXPECT_EQ(a.normalized, b.normalized) << q;
    ASSERT_EQ(a.row.has_value(), b.row.has_value()) << q;
    if (a.row) {
      EXPECT_EQ(a.row->line, b.row->line) << q;
      EXPECT_EQ(a.row->tdp_w, b.row->tdp_w) << q;
    }
    ASSERT_EQ(a.candidates.size(), b.candidates.size()) << q;
    for (std::size_t k = 0; k < a.candidates.size(); ++k) EXPECT_EQ(a.candidates[k].line, b.candidates[k].line) << q;
  }
}

}  // namespace
}  // namespace carbontracker::sensors
