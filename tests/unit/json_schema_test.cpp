// The schema validator the response checks rely on: each keyword accepts
// what it should and refuses what it should, with a reason that says where.
#include "tests/support/json_schema.hpp"

#include <gtest/gtest.h>

using stratd::test::JsonSchema;
using nlohmann::json;

namespace {

const JsonSchema& validator() {
  static const JsonSchema v(json::parse(R"({
    "components": {"schemas": {
      "Id": {"type": "string", "pattern": "^[a-z]{1,3}$"},
      "Node": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}},
      "Loop": {"$ref": "#/components/schemas/Loop"},
      "A": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "a"}, "n": {"type": "integer"}}},
      "B": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "b"}, "s": {"type": "string"}}},
      "AorB": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
               "discriminator": {"propertyName": "kind",
                                 "mapping": {"a": "#/components/schemas/A", "b": "#/components/schemas/B"}}}
    }}})"));
  return v;
}

bool ok(const json& value, const json& schema) { return !validator().check(value, schema).has_value(); }
std::string why(const json& value, const json& schema) { return validator().check(value, schema).value_or(""); }

}  // namespace

TEST(JsonSchema, Types) {
  EXPECT_TRUE(ok(1, json{{"type", "integer"}}));
  EXPECT_TRUE(ok(2.0, json{{"type", "integer"}}));  // a number without a fraction is an integer
  EXPECT_FALSE(ok(2.5, json{{"type", "integer"}}));
  EXPECT_FALSE(ok("1", json{{"type", "integer"}}));
  EXPECT_TRUE(ok(2.5, json{{"type", "number"}}));
  EXPECT_FALSE(ok(true, json{{"type", "number"}}));
  EXPECT_TRUE(ok(nullptr, json{{"type", "null"}}));
  EXPECT_FALSE(ok(0, json{{"type", "null"}}));
  EXPECT_TRUE(ok(json::array(), json{{"type", "array"}}));
  EXPECT_FALSE(ok(json::object(), json{{"type", "array"}}));
  EXPECT_FALSE(ok(json::array(), json{{"type", "object"}}));
  EXPECT_FALSE(ok(1, json{{"type", "boolean"}}));
  // A list of types: nullable fields.
  const json nullable = json::parse(R"({"type": ["number", "null"]})");
  EXPECT_TRUE(ok(1.5, nullable));
  EXPECT_TRUE(ok(nullptr, nullable));
  EXPECT_FALSE(ok("x", nullable));
  EXPECT_NE(why("x", nullable).find("not of type"), std::string::npos);
}

TEST(JsonSchema, EnumConstAndBounds) {
  const json e = json::parse(R"({"enum": ["Idle", "Running"]})");
  EXPECT_TRUE(ok("Idle", e));
  EXPECT_FALSE(ok("idle", e));
  EXPECT_TRUE(ok("ok", json{{"const", "ok"}}));
  EXPECT_FALSE(ok("error", json{{"const", "ok"}}));
  const json range = json::parse(R"({"type": "integer", "minimum": 1, "maximum": 10})");
  EXPECT_TRUE(ok(1, range));
  EXPECT_TRUE(ok(10, range));
  EXPECT_FALSE(ok(0, range));
  EXPECT_FALSE(ok(11, range));
  EXPECT_FALSE(ok(-1, json{{"minimum", 0}}));
  const json text = json::parse(R"({"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-z]+$"})");
  EXPECT_TRUE(ok("ab", text));
  EXPECT_FALSE(ok("a", text));
  EXPECT_FALSE(ok("abcd", text));
  EXPECT_FALSE(ok("AB", text));
  EXPECT_TRUE(ok("é", json{{"maxLength", 1}}));  // code points, not bytes
}

TEST(JsonSchema, ObjectsAndArrays) {
  const json obj = json::parse(R"({
    "type": "object", "required": ["a"], "additionalProperties": false,
    "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}})");
  EXPECT_TRUE(ok(json{{"a", 1}}, obj));
  EXPECT_TRUE(ok(json{{"a", 1}, {"b", "x"}}, obj));
  EXPECT_FALSE(ok(json{{"b", "x"}}, obj));
  EXPECT_NE(why(json{{"b", "x"}}, obj).find("\"a\" is missing"), std::string::npos);
  EXPECT_FALSE(ok(json{{"a", 1}, {"c", 2}}, obj));
  EXPECT_NE(why(json{{"a", 1}, {"c", 2}}, obj).find("\"c\" is not allowed"), std::string::npos);
  EXPECT_FALSE(ok(json{{"a", "1"}}, obj));
  EXPECT_NE(why(json{{"a", "1"}}, obj).find("at /a"), std::string::npos);

  const json map = json::parse(R"({"type": "object", "additionalProperties": {"type": "integer"},
                                   "propertyNames": {"enum": ["x", "y"]}})");
  EXPECT_TRUE(ok(json{{"x", 1}, {"y", 2}}, map));
  EXPECT_FALSE(ok(json{{"x", "1"}}, map));
  EXPECT_FALSE(ok(json{{"z", 1}}, map));
  // Without additionalProperties, other properties are allowed.
  EXPECT_TRUE(ok(json{{"a", 1}, {"zz", 2}}, json::parse(R"({"properties": {"a": {"type": "integer"}}})")));

  const json list = json::parse(R"({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2})");
  EXPECT_TRUE(ok(json::array({"a"}), list));
  EXPECT_FALSE(ok(json::array(), list));
  EXPECT_FALSE(ok(json::array({"a", "b", "c"}), list));
  EXPECT_FALSE(ok(json::array({"a", 1}), list));
  EXPECT_NE(why(json::array({"a", 1}), list).find("at /1"), std::string::npos);
}

TEST(JsonSchema, Combinators) {
  const json all = json::parse(R"({"allOf": [{"type": "integer"}, {"minimum": 5}]})");
  EXPECT_TRUE(ok(5, all));
  EXPECT_FALSE(ok(4, all));
  const json any = json::parse(R"({"anyOf": [{"type": "string"}, {"type": "null"}]})");
  EXPECT_TRUE(ok(nullptr, any));
  EXPECT_FALSE(ok(1, any));
  // oneOf: exactly one.
  const json one = json::parse(R"({"oneOf": [{"type": "integer"}, {"minimum": 0}]})");
  EXPECT_TRUE(ok(-1, one));
  EXPECT_TRUE(ok(0.5, one));
  EXPECT_FALSE(ok(1, one));  // both
  EXPECT_FALSE(ok("x", json::parse(R"({"oneOf": [{"type": "integer"}, {"type": "null"}]})")));
  EXPECT_TRUE(ok(true, json(true)));
  EXPECT_FALSE(ok(true, json(false)));
}

TEST(JsonSchema, ReferencesAndDiscriminators) {
  const auto& v = validator();
  EXPECT_FALSE(v.check_ref("abc", "#/components/schemas/Id").has_value());
  EXPECT_TRUE(v.check_ref("abcd", "#/components/schemas/Id").has_value());
  EXPECT_FALSE(v.check_ref(json::parse(R"({"next": {"next": null}})"), "#/components/schemas/Node").has_value());
  EXPECT_TRUE(v.check_ref(json::parse(R"({"next": {"next": 1}})"), "#/components/schemas/Node").has_value());
  EXPECT_FALSE(v.check_ref(json{{"kind", "a"}, {"n", 1}}, "#/components/schemas/AorB").has_value());
  // The reason given is the one of the schema the discriminator names.
  auto bad = v.check_ref(json{{"kind", "b"}, {"s", 1}}, "#/components/schemas/AorB");
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(bad->find("at /s"), std::string::npos) << *bad;
  EXPECT_TRUE(v.check_ref(json{{"kind", "c"}}, "#/components/schemas/AorB").has_value());
}

TEST(JsonSchema, WhatItCannotCheckIsAnError) {
  const auto& v = validator();
  EXPECT_THROW(v.check(1, json{{"multipleOf", 2}}), std::invalid_argument);
  EXPECT_THROW(v.check(1, json{{"type", "int"}}), std::invalid_argument);
  EXPECT_THROW(v.check(1, json{{"$ref", "#/components/schemas/Nothing"}}), std::invalid_argument);
  EXPECT_THROW(v.check(1, json{{"$ref", "other.json#/x"}}), std::invalid_argument);
  EXPECT_THROW(v.check_ref(1, "#/components/schemas/Loop"), std::invalid_argument);
  // Annotations and extensions are no obstacle.
  EXPECT_NO_THROW(v.check(1, json{{"description", "d"}, {"example", 3}, {"format", "int64"}, {"x-note", 1}}));
}
