#include "cli/event_line.hpp"

#include <cstdio>

#include "cli/format.hpp"
#include "cli/style.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {

Style type_style(const std::string& type) {
  if (type == "RunnerCrashed" || type == "RunnerFailed" || type == "StrategyError") return Style::Red;
  if (type == "PositionOpened" || type == "PositionClosed" || type == "PositionUpdated") return Style::Green;
  if (type == "TickReceived") return Style::Dim;
  return Style::Yellow;
}

// A value as key=value wants it: strings bare unless they hold blanks,
// quotes or '=' (then JSON-quoted); prices to ten significant digits
// (--json has them all); everything else as JSON.
std::string value_text(const Json& v) {
  if (v.is_number_float()) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
    return buf;
  }
  if (!v.is_string()) return v.dump(-1, ' ', false, Json::error_handler_t::replace);
  const std::string& s = v.get_ref<const std::string&>();
  if (!s.empty() && s.find_first_of(" \t\n\r\"=\\") == std::string::npos) return s;
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string event_line(const Json& e, bool color) {
  auto str = [&](const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string("-");
  };
  std::string line;
  if (auto ts = e.find("timestamp"); ts != e.end() && ts->is_number_integer()) {
    line += paint(utc_time_text(ts->get<int64_t>()), Style::Dim, color) + " ";
  }
  line += "#" + (e.contains("seq") ? e["seq"].dump() : std::string("?"));
  const std::string type = str("type");
  line += " " + paint(type, type_style(type), color);
  line += " " + paint(str("runner_id"), Style::Cyan, color);
  line += " " + str("symbol");
  if (auto data = e.find("data"); data != e.end() && data->is_object()) {
    for (const auto& [k, v] : data->items()) line += " " + k + "=" + value_text(v);
  }
  return line;
}

}  // namespace stratd::cli
