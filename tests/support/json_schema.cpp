#include "tests/support/json_schema.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

namespace stratd::test {
using nlohmann::json;

namespace {

// Keywords that describe but do not constrain.
const std::set<std::string, std::less<>> kAnnotations = {
    "description", "title",    "example",  "examples",  "format",    "default",
    "deprecated",  "readOnly", "writeOnly", "discriminator", "$comment",
};
const std::set<std::string, std::less<>> kAssertions = {
    "$ref",     "type",     "enum",      "const",     "properties", "required",  "additionalProperties",
    "propertyNames", "items", "minItems", "maxItems",  "minimum",    "maximum",   "minLength",
    "maxLength", "pattern",  "allOf",     "anyOf",     "oneOf",
};
constexpr int kMaxDepth = 64;  // a $ref cycle is a broken document, not a stack overflow

std::string short_text(const json& v) {
  std::string s = v.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

bool has_type(const json& v, const std::string& type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    return v.is_number_float() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>();
  }
  throw std::invalid_argument("unknown JSON Schema type '" + type + "'");
}

// UTF-8 code points, as JSON Schema counts a string's length.
size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string at(const std::string& where) { return where.empty() ? "at the top" : "at " + where; }

}  // namespace

JsonSchema::JsonSchema(json root) : root_(std::move(root)) {}

const json* JsonSchema::discriminated(const json& v, const json& schema) const {
  auto d = schema.find("discriminator");
  if (d == schema.end() || !v.is_object()) return nullptr;
  const std::string prop = d->value("propertyName", "");
  auto value = v.find(prop);
  if (value == v.end() || !value->is_string() || !d->contains("mapping")) return nullptr;
  auto ref = (*d)["mapping"].find(value->get<std::string>());
  if (ref == (*d)["mapping"].end()) return nullptr;
  return &resolve(ref->get<std::string>());
}

const json& JsonSchema::resolve(std::string_view ref) const {
  if (ref.substr(0, 1) != "#") throw std::invalid_argument("only local references are supported: " + std::string(ref));
  try {
    const std::string pointer(ref.substr(1));
    const json& target = root_.at(json::json_pointer(pointer));
    return target;
  } catch (const json::exception& e) {
    throw std::invalid_argument("reference " + std::string(ref) + " points to nothing: " + e.what());
  }
}

std::optional<std::string> JsonSchema::check(const json& value, const json& schema) const {
  return check_at(value, schema, "", 0);
}

std::optional<std::string> JsonSchema::check_ref(const json& value, std::string_view ref) const {
  return check_at(value, resolve(ref), "", 0);
}

bool JsonSchema::matches_pattern(const std::string& text, const std::string& pattern) const {
  std::lock_guard lock(regex_mutex_);
  auto it = regexes_.find(pattern);
  if (it == regexes_.end()) it = regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return std::regex_search(text, it->second);
}

std::optional<std::string> JsonSchema::check_at(const json& v, const json& s, const std::string& where,
                                                int depth) const {
  if (depth > kMaxDepth) throw std::invalid_argument("schema nesting too deep (a $ref cycle?) " + at(where));
  if (s.is_boolean()) {
    if (s.get<bool>()) return std::nullopt;
    return at(where) + ": no value is allowed here";
  }
  if (!s.is_object()) throw std::invalid_argument("a schema must be an object or a boolean " + at(where));
  for (const auto& [key, _] : s.items()) {
    if (!kAssertions.count(key) && !kAnnotations.count(key) && key.rfind("x-", 0) != 0) {
      throw std::invalid_argument("JSON Schema keyword '" + key + "' is not supported (" + at(where) + ")");
    }
  }

  if (auto ref = s.find("$ref"); ref != s.end()) {
    if (auto why = check_at(v, resolve(ref->get<std::string>()), where, depth + 1)) return why;
  }

  if (auto type = s.find("type"); type != s.end()) {
    bool ok = false;
    if (type->is_string()) {
      ok = has_type(v, type->get<std::string>());
    } else {
      for (const auto& t : *type) ok = ok || has_type(v, t.get<std::string>());
    }
    if (!ok) return at(where) + ": " + short_text(v) + " is not of type " + type->dump();
  }
  if (auto c = s.find("const"); c != s.end() && v != *c) {
    return at(where) + ": " + short_text(v) + " is not " + c->dump();
  }
  if (auto e = s.find("enum"); e != s.end()) {
    bool found = false;
    for (const auto& option : *e) found = found || option == v;
    if (!found) return at(where) + ": " + short_text(v) + " is not one of " + short_text(*e);
  }

  if (v.is_number()) {
    const double x = v.get<double>();
    if (auto m = s.find("minimum"); m != s.end() && x < m->get<double>()) {
      return at(where) + ": " + v.dump() + " is below the minimum " + m->dump();
    }
    if (auto m = s.find("maximum"); m != s.end() && x > m->get<double>()) {
      return at(where) + ": " + v.dump() + " is above the maximum " + m->dump();
    }
  }

  if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    if (auto m = s.find("minLength"); m != s.end() && code_points(text) < m->get<size_t>()) {
      return at(where) + ": " + short_text(v) + " is shorter than " + m->dump();
    }
    if (auto m = s.find("maxLength"); m != s.end() && code_points(text) > m->get<size_t>()) {
      return at(where) + ": " + short_text(v) + " is longer than " + m->dump();
    }
    if (auto p = s.find("pattern"); p != s.end() && !matches_pattern(text, p->get<std::string>())) {
      return at(where) + ": " + short_text(v) + " does not match " + p->dump();
    }
  }

  if (v.is_array()) {
    if (auto m = s.find("minItems"); m != s.end() && v.size() < m->get<size_t>()) {
      return at(where) + ": " + std::to_string(v.size()) + " items, fewer than " + m->dump();
    }
    if (auto m = s.find("maxItems"); m != s.end() && v.size() > m->get<size_t>()) {
      return at(where) + ": " + std::to_string(v.size()) + " items, more than " + m->dump();
    }
    if (auto items = s.find("items"); items != s.end()) {
      for (size_t i = 0; i < v.size(); ++i) {
        if (auto why = check_at(v[i], *items, where + "/" + std::to_string(i), depth + 1)) return why;
      }
    }
  }

  if (v.is_object()) {
    if (auto req = s.find("required"); req != s.end()) {
      for (const auto& name : *req) {
        if (!v.contains(name.get<std::string>())) {
          return at(where) + ": the required property " + name.dump() + " is missing";
        }
      }
    }
    const auto props = s.find("properties");
    const auto additional = s.find("additionalProperties");
    const auto names = s.find("propertyNames");
    for (const auto& [key, value] : v.items()) {
      const std::string inner = where + "/" + pointer_token(key);
      if (names != s.end()) {
        if (auto why = check_at(json(key), *names, inner, depth + 1)) return "the property name " + *why;
      }
      if (props != s.end() && props->contains(key)) {
        if (auto why = check_at(value, (*props)[key], inner, depth + 1)) return why;
      } else if (additional != s.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          return at(where) + ": the property \"" + key + "\" is not allowed";
        }
        if (auto why = check_at(value, *additional, inner, depth + 1)) return why;
      }
    }
  }

  if (auto all = s.find("allOf"); all != s.end()) {
    for (const auto& sub : *all) {
      if (auto why = check_at(v, sub, where, depth + 1)) return why;
    }
  }
  if (auto any = s.find("anyOf"); any != s.end()) {
    std::string reasons;
    bool matched = false;
    for (const auto& sub : *any) {
      auto why = check_at(v, sub, where, depth + 1);
      if (!why) {
        matched = true;
        break;
      }
      reasons += (reasons.empty() ? "" : "; ") + *why;
    }
    if (!matched) return at(where) + ": matches none of anyOf (" + reasons + ")";
  }
  if (auto one = s.find("oneOf"); one != s.end()) {
    // With a discriminator (OpenAPI's), the value says which schema it is:
    // that one alone is checked, and its reason is the one worth reading.
    if (const json* mapped = discriminated(v, s)) return check_at(v, *mapped, where, depth + 1);
    size_t matches = 0;
    std::string reasons;
    for (const auto& sub : *one) {
      auto why = check_at(v, sub, where, depth + 1);
      if (why) reasons += (reasons.empty() ? "" : "; ") + *why;
      else ++matches;
    }
    if (matches > 1) return at(where) + ": matches " + std::to_string(matches) + " schemas of oneOf, not one";
    if (matches == 0) return at(where) + ": matches none of oneOf (" + reasons + ")";
  }
  return std::nullopt;
}

}  // namespace stratd::test
