#include "config_document.hpp"

#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace carbontracker::capi {
namespace {

using nlohmann::json;

// Depth 0: the document itself; 1: a member of the top-level object; 2: a member of an object
// inside it ("api_keys"). Deeper values only mark their top-level member as an array or object.
class Reader final : public nlohmann::json_sax<json> {
 public:
  explicit Reader(ConfigDocument& doc) : doc_(doc) {}

  bool null() override { return scalar("null", ""); }
  bool boolean(bool v) override { return scalar("boolean", v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return scalar("number", std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return scalar("number", std::to_string(v)); }
  bool number_float(number_float_t v, const string_t&) override {
    return scalar("number", fmt::format("{}", v));  // shortest text that reads back the same
  }
  bool string(string_t& v) override { return scalar("string", v); }
  bool binary(binary_t&) override { return scalar("binary", ""); }

  bool start_object(std::size_t) override { return open("object"); }
  bool start_array(std::size_t) override { return open("array"); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    if (depth_ == 1) {
      top_key_ = k;
      in_api_keys_ = false;
    } else if (depth_ == 2) {
      inner_key_ = k;
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    if (ex.id == 406) {  // "number overflow": a bad value, not bad JSON
      throw ConfigDocumentError(ConfigDocumentError::Kind::overflow, ex.what(), depth_ >= 2 ? inner_key_ : top_key_);
    }
    // nlohmann's message ends with "; last read: '<the input around the error>'", which can be
    // an api key or megabytes of text: cut there. Line, column and what was expected stay.
    std::string what = ex.what();
    if (const auto cut = what.find("; last read:"); cut != std::string::npos) what.resize(cut);
    throw ConfigDocumentError(ConfigDocumentError::Kind::syntax, what, "");
  }

 private:
  bool scalar(const char* type, std::string text) {
    JsonScalar v{type, std::move(text)};
    if (depth_ == 0) {
      doc_.type = type;
    } else if (depth_ == 1) {
      doc_.members[top_key_] = std::move(v);
    } else if (depth_ == 2 && in_api_keys_) {
      doc_.api_keys[inner_key_] = std::move(v);
    }
    return true;
  }

  bool open(const char* type) {
    if (depth_ == 0) {
      doc_.type = type;
    } else if (depth_ == 1) {
      doc_.members[top_key_] = JsonScalar{type, ""};
      if (top_key_ == "api_keys" && std::string_view(type) == "object") {
        in_api_keys_ = true;
        doc_.api_keys.clear();  // a repeated "api_keys" replaces the earlier one
      }
    } else if (depth_ == 2 && in_api_keys_) {
      doc_.api_keys[inner_key_] = JsonScalar{type, ""};
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    if (depth_ == 1) in_api_keys_ = false;
    return true;
  }

  ConfigDocument& doc_;
  int depth_ = 0;
  std::string top_key_;
  std::string inner_key_;
  bool in_api_keys_ = false;
};

}  // namespace

ConfigDocument read_config_document(const char* text) {
  ConfigDocument doc;
  Reader reader(doc);
  json::sax_parse(text, &reader);
  return doc;
}

}  // namespace carbontracker::capi
