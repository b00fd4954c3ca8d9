#include "supervisor/http/runner_request.hpp"

#include "common/validation.hpp"

namespace stratd::supervisor::http {

using Json = nlohmann::json;

Expected<RunnerSpec> parse_add_request(const std::string& body, const Config& cfg, Json& details) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::InvalidJson, "request body is not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::ValidationError, "request body must be a JSON object");
  RunnerSpec spec;
  spec.window_size = uint32_t(cfg.runners.default_window_size);
  Json problems = Json::object();
  auto text = [&](const char* key, std::string& out, bool (*valid)(std::string_view), const char* rule) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      problems[key] = "is required";
    } else if (!it->is_string()) {
      problems[key] = "must be a string";
    } else {
      out = it->get<std::string>();
      if (valid && !valid(out)) problems[key] = rule;
    }
  };
  text("runner_id", spec.runner_id, &is_valid_runner_id, "must match [A-Za-z0-9_-]{1,64}");
  text("symbol", spec.symbol, &is_valid_symbol, "must be 1-32 upper-case letters and digits");
  text("strategy_path", spec.strategy_path, nullptr, "");
  if (auto it = j.find("window_size"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > cfg.runners.max_window_size) {
      problems["window_size"] = "must be an integer from 1 to " + std::to_string(cfg.runners.max_window_size);
    } else {
      spec.window_size = uint32_t(it->get<int64_t>());
    }
  }
  Json unknown = Json::array();
  for (const auto& [k, _] : j.items()) {
    if (k != "runner_id" && k != "symbol" && k != "strategy_path" && k != "window_size") unknown.push_back(k);
  }
  if (!unknown.empty()) problems["unknown_fields"] = unknown;
  if (!problems.empty()) {
    details = Json{{"fields", problems}};
    return fail(ErrorCode::ValidationError, "invalid runner definition");
  }
  return spec;
}

}  // namespace stratd::supervisor::http
