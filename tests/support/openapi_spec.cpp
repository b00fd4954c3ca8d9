#include "tests/support/openapi_spec.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace stratd::test {
using nlohmann::json;

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The target's path segments, as stratd's router sees them: split on '/'
// (empty segments dropped), then percent-decoded.
std::vector<std::string> segments(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) {
      std::string seg;
      for (size_t i = start; i < end; ++i) {
        if (path[i] == '%' && i + 2 < end && hex(path[i + 1]) >= 0 && hex(path[i + 2]) >= 0) {
          seg += char(hex(path[i + 1]) * 16 + hex(path[i + 2]));
          i += 2;
        } else {
          seg += path[i];
        }
      }
      out.push_back(std::move(seg));
    }
    start = end + 1;
  }
  return out;
}

bool is_template(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}
// "application/json; charset=utf-8" → "application/json"
std::string media_essence(const std::string& content_type) {
  return lower(trim(content_type.substr(0, content_type.find(';'))));
}

std::set<std::string> method_list(const std::string& allow) {
  std::set<std::string> out;
  std::stringstream in(allow);
  std::string m;
  while (std::getline(in, m, ',')) {
    if (!trim(m).empty()) out.insert(upper(trim(m)));
  }
  return out;
}

const char* kMethods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};

}  // namespace

OpenApiSpec::OpenApiSpec(json doc) : schemas_(std::move(doc)) {
  if (!document().contains("paths") || !document().contains("x-stratd-any-path")) {
    throw std::invalid_argument("not stratd's OpenAPI document: it has no paths or no x-stratd-any-path");
  }
}

const OpenApiSpec& OpenApiSpec::installed() {
  static const OpenApiSpec spec = [] {
    const std::string file = std::string(STRATD_DOCS_DIR) + "/openapi.json";
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read " + file);
    return OpenApiSpec(json::parse(in));
  }();
  return spec;
}

std::optional<std::string> OpenApiSpec::match_path(std::string_view target) const {
  const auto want = segments(target);
  std::optional<std::string> best;
  int best_literals = -1;
  for (const auto& [path, _] : document()["paths"].items()) {
    const auto have = segments(path);
    if (have.size() != want.size()) continue;
    int literals = 0;
    bool match = true;
    for (size_t i = 0; i < have.size() && match; ++i) {
      if (is_template(have[i])) continue;
      match = have[i] == want[i];
      ++literals;
    }
    if (match && literals > best_literals) {
      best = path;
      best_literals = literals;
    }
  }
  return best;
}

std::vector<std::string> OpenApiSpec::methods(const std::string& path) const {
  std::vector<std::string> out;
  const json& item = document()["paths"].at(path);
  for (const char* m : kMethods) {
    if (item.contains(m)) out.push_back(upper(m));
  }
  return out;
}

const json& OpenApiSpec::any_path(const char* key) const {
  const json& any = document()["x-stratd-any-path"];
  if (!any.contains(key)) throw std::invalid_argument(std::string("x-stratd-any-path has no ") + key);
  return any[key];
}

std::optional<std::string> OpenApiSpec::check(std::string_view method_in, std::string_view target,
                                              const SpecAnswer& answer) const {
  const std::string method = upper(std::string(method_in));
  const auto path = match_path(target);
  if (!path) return check_responses(any_path("unknown-path"), answer, "");
  const json& item = document()["paths"][*path];
  // Served before routing (the WebSocket upgrade): every method gets what GET does.
  if (item.value("x-stratd-before-router", false)) return check_responses(item["get"]["responses"], answer, *path);
  if (method == "OPTIONS") return check_responses(any_path("options"), answer, *path);
  const std::string key = lower(method);
  if (!item.contains(key)) return check_responses(any_path("unknown-method"), answer, *path);
  return check_responses(item[key]["responses"], answer, *path);
}

std::optional<std::string> OpenApiSpec::check_malformed(const SpecAnswer& answer) const {
  return check_responses(any_path("malformed"), answer, "");
}

std::optional<std::string> OpenApiSpec::check_refused_connection(const SpecAnswer& answer) const {
  return check_responses(any_path("refused-connection"), answer, "");
}

std::optional<std::string> OpenApiSpec::check_responses(const json& responses, const SpecAnswer& answer,
                                                        const std::string& path) const {
  const std::string status = std::to_string(answer.status);
  if (!responses.contains(status)) {
    std::string documented;
    for (const auto& [s, _] : responses.items()) documented += (documented.empty() ? "" : ", ") + s;
    return "status " + status + " is not documented (documented: " + documented + ")";
  }
  const json* response = &responses[status];
  if (response->contains("$ref")) response = &schemas_.resolve((*response)["$ref"].get<std::string>());
  return check_response(*response, answer, path);
}

std::optional<std::string> OpenApiSpec::check_response(const json& response, const SpecAnswer& answer,
                                                       const std::string& path) const {
  const json headers = response.value("headers", json::object());
  for (const auto& [name, declared_ref] : headers.items()) {
    const json& declared = declared_ref.contains("$ref") ? schemas_.resolve(declared_ref["$ref"].get<std::string>())
                                                         : declared_ref;
    auto it = answer.headers.find(lower(name));
    if (it == answer.headers.end()) {
      if (declared.value("required", false)) return "the " + name + " header is missing";
      continue;
    }
    if (declared.contains("schema")) {
      // A header is text; one the document types as an integer (the
      // "simple" style) must be one, written in decimal.
      json value = it->second;
      const std::string& text = it->second;
      if (declared["schema"].value("type", "") == "integer" && !text.empty() && text.size() < 19 &&
          std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        value = std::stoll(text);
      }
      if (auto why = schemas_.check(value, declared["schema"])) return "the " + name + " header: " + *why;
    }
    // Allow names exactly the methods the document gives the path (and
    // OPTIONS, when answering it).
    if (lower(name) == "allow" && !path.empty()) {
      const auto documented = methods(path);
      std::set<std::string> want(documented.begin(), documented.end());
      auto got = method_list(it->second);
      got.erase("OPTIONS");
      if (got != want) {
        std::string w;
        for (const auto& m : want) w += (w.empty() ? "" : ", ") + m;
        return "Allow is \"" + it->second + "\", but the document gives " + path + " " + w;
      }
    }
  }

  if (!response.contains("content")) {
    if (!answer.body.empty()) return "a body where the document has none: " + answer.body.substr(0, 200);
    return std::nullopt;
  }
  auto ct = answer.headers.find("content-type");
  if (ct == answer.headers.end()) return "no Content-Type, but the document gives a body";
  const std::string essence = media_essence(ct->second);
  const json* media = nullptr;
  std::string documented;
  for (const auto& [type, m] : response["content"].items()) {
    documented += (documented.empty() ? "" : ", ") + type;
    if (media_essence(type) == essence) media = &m;
  }
  if (!media) return "Content-Type \"" + ct->second + "\" is not documented (documented: " + documented + ")";
  if (essence != "application/json" || !media->contains("schema")) return std::nullopt;
  const json body = json::parse(answer.body, nullptr, false);
  if (body.is_discarded()) return "the body is not JSON: " + answer.body.substr(0, 200);
  if (auto why = schemas_.check(body, (*media)["schema"])) return "the body does not match the schema: " + *why;
  return std::nullopt;
}

}  // namespace stratd::test
