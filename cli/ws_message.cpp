#include "cli/ws_message.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {
// Events are the frames that carry a seq and a runner; control messages
// have lower-case types and neither.
bool is_event(const Json& j) { return j.is_object() && j.contains("seq") && j.contains("runner_id"); }
}  // namespace

WsMessage classify_ws_message(std::string_view text) {
  WsMessage m;
  m.raw = Json::parse(text, nullptr, false);
  if (m.raw.is_discarded() || !m.raw.is_object()) return m;
  const std::string type = m.raw.value("type", Json("")).is_string() ? m.raw.value("type", std::string()) : "";
  if (type == "batch") {
    const auto it = m.raw.find("events");
    if (it == m.raw.end() || !it->is_array()) return m;
    m.kind = WsMessage::Kind::Events;
    for (auto& e : *it) {
      if (is_event(e)) m.events.push_back(std::move(e));
    }
  } else if (type == "subscribed") {
    m.kind = WsMessage::Kind::Subscribed;
  } else if (type == "lagged") {
    m.kind = WsMessage::Kind::Lagged;
  } else if (type == "error") {
    m.kind = WsMessage::Kind::Error;
  } else if (type == "log") {
    m.kind = WsMessage::Kind::LogLine;
  } else if (type == "logs_subscribed") {
    m.kind = WsMessage::Kind::LogsSubscribed;
  } else if (is_event(m.raw)) {
    m.kind = WsMessage::Kind::Events;
    m.events.push_back(m.raw);
  }
  return m;
}

}  // namespace stratd::cli
