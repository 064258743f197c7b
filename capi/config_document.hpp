// The C API's config_json, read with nlohmann_json's SAX parser into plain strings.
//
// Why not json::parse: a parsed document is a tree of nlohmann::json values, and destroying one
// allocates in 3.11.2 (Debian 12) inside a noexcept destructor, so a failed allocation while
// ct_tracker_new() read its config aborted the process (issue 11, section 6). The SAX parser
// builds no values: this reader keeps each top-level member as its JSON type and its text
// (std::map and std::string destructors never allocate).
//
// Contract: read_config_document() throws ConfigDocumentError for text that is not JSON (with
// nlohmann's message cut before its echo of the input) or a number beyond a double (naming the
// key); shape checks (an object, scalar values) are the caller's, so their messages stay there.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

namespace carbontracker::capi {

struct JsonScalar {
  // nlohmann's type names: "string", "boolean", "number", "null", "array", "object".
  std::string type;
  // The value as the config-key registry reads it: a string's contents, "true"/"false", a number
  // in the shortest text that reads back the same. Empty for null, arrays and objects.
  std::string text;
};

struct ConfigDocument {
  std::string type;  // of the whole document: "object" for a usable config
  std::map<std::string, JsonScalar> members;             // last one wins, as json::parse does
  std::map<std::string, JsonScalar> api_keys;            // members of "api_keys" when it is an object
};

class ConfigDocumentError : public std::runtime_error {
 public:
  enum class Kind { syntax, overflow };
  ConfigDocumentError(Kind kind, const std::string& message, std::string key)
      : std::runtime_error(message), kind_(kind), key_(std::move(key)) {}
  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] const std::string& key() const noexcept { return key_; }

 private:
  Kind kind_;
  std::string key_;
};

ConfigDocument read_config_document(const char* text);

}  // namespace carbontracker::capi
