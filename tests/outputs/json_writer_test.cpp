// JsonWriter must print exactly what nlohmann::json::dump(indent) printed for the same document,
// so replacing JSON values by the writer (out-of-memory safety) changed no byte of any output.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "outputs/json_writer.hpp"

namespace carbontracker::outputs {
namespace {

using nlohmann::json;

// The same document both ways; keys are written out of order on purpose.
std::string written(int indent) {
  JsonWriter w(indent);
  w.begin_object();
  w.field("zeta", 1.0).field("alpha", "tab\there \"quoted\" \xC3\xA9");
  w.key("nested").begin_object();
  w.field("b", 0.1).field("a", 1e-7).field("c", -3).field("d", 12345678901234ULL);
  w.key("empty_object").begin_object().end_object();
  w.key("empty_array").begin_array().end_array();
  w.end_object();
  w.key("list").begin_array();
  w.value(std::numeric_limits<double>::quiet_NaN()).value(std::numeric_limits<double>::infinity());
  w.value(true).value(nullptr).value("bad utf-8 \xFF end");
  w.begin_object().field("y", 2).field("x", 1).end_object();
  w.begin_array().value(1).begin_array().end_array().end_array();
  w.end_array();
  w.field("strings", std::vector<std::string>{"b", "a"});
  w.field("maybe", std::optional<int>()).field("some", std::optional<int>(4));
  w.field("Upper", false).field("_under", 0);
  w.end_object();
  return w.take();
}

json expected() {
  return json{{"zeta", 1.0},
              {"alpha", "tab\there \"quoted\" \xC3\xA9"},
              {"nested",
               {{"b", 0.1},
                {"a", 1e-7},
                {"c", -3},
                {"d", 12345678901234ULL},
                {"empty_object", json::object()},
                {"empty_array", json::array()}}},
              {"list",
               json::array({std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), true,
                            nullptr, "bad utf-8 \xFF end", json{{"y", 2}, {"x", 1}},
                            json::array({1, json::array()})})},
              {"strings", {"b", "a"}},
              {"maybe", nullptr},
              {"some", 4},
              {"Upper", false},
              {"_under", 0}};
}

TEST(JsonWriter, PrintsWhatNlohmannDumpPrintsAtEveryIndent) {
  for (int indent : {-1, 0, 2, 4}) {
    EXPECT_EQ(written(indent), expected().dump(indent, ' ', false, json::error_handler_t::replace))
        << "indent " << indent;
  }
}

TEST(JsonWriter, ScalarsAndEmptyContainersAtTopLevel) {
  JsonWriter a;
  EXPECT_EQ(a.value(2.5).take(), "2.5");
  JsonWriter b(2);
  EXPECT_EQ(b.begin_object().end_object().take(), "{}");
  JsonWriter c(2);
  EXPECT_EQ(c.begin_array().end_array().take(), "[]");
}

TEST(JsonWriter, MisuseIsALogicErrorNotBadJson) {
  JsonWriter missing_key;
  missing_key.begin_object();
  EXPECT_THROW(missing_key.value(1), std::logic_error);

  JsonWriter key_in_array;
  key_in_array.begin_array();
  EXPECT_THROW(key_in_array.key("k"), std::logic_error);

  JsonWriter unbalanced;
  unbalanced.begin_object();
  EXPECT_THROW(unbalanced.end_array(), std::logic_error);
  EXPECT_THROW((void)unbalanced.take(), std::logic_error);

  JsonWriter twice;
  twice.begin_object().field("k", 1).field("k", 2);
  EXPECT_THROW(twice.end_object(), std::logic_error);

  JsonWriter complete;
  complete.value(1);
  EXPECT_THROW(complete.value(2), std::logic_error);
}

}  // namespace
}  // namespace carbontracker::outputs
