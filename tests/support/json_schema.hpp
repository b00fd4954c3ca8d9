#pragma once
// A JSON Schema (2020-12) validator for the subset docs/openapi.yaml uses:
// type (one or a list, "integer" being any number without a fraction),
// enum, const, properties, required, additionalProperties (a boolean or a
// schema), propertyNames, items, minItems, maxItems, minimum, maximum,
// minLength, maxLength, pattern, allOf, anyOf, oneOf (with OpenAPI's
// discriminator: the schema its mapping names for the value is the one
// checked), and $ref to a local pointer ("#/components/schemas/X").
// Annotations (description, example, format, ...) are not checked. A keyword outside the subset
// is a programming error (std::invalid_argument), so a document never uses
// one that the checks would silently skip.
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stratd::test {

class JsonSchema {
 public:
  // `root`: the document "$ref"s point into (here, the OpenAPI document).
  explicit JsonSchema(nlohmann::json root);

  // Empty when `value` matches `schema`; else why not, with the JSON
  // pointer of the part that does not.
  std::optional<std::string> check(const nlohmann::json& value, const nlohmann::json& schema) const;
  // The same against the schema a local reference names.
  std::optional<std::string> check_ref(const nlohmann::json& value, std::string_view ref) const;

  // What a local reference ("#/a/b") points to; std::invalid_argument if nothing.
  const nlohmann::json& resolve(std::string_view ref) const;
  const nlohmann::json& root() const { return root_; }

 private:
  std::optional<std::string> check_at(const nlohmann::json& value, const nlohmann::json& schema,
                                      const std::string& where, int depth) const;
  // The schema a oneOf's discriminator names for `v`, if it names one.
  const nlohmann::json* discriminated(const nlohmann::json& v, const nlohmann::json& schema) const;
  bool matches_pattern(const std::string& text, const std::string& pattern) const;

  nlohmann::json root_;
  mutable std::mutex regex_mutex_;
  mutable std::map<std::string, std::regex> regexes_;
};

}  // namespace stratd::test
