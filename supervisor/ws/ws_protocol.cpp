#include "supervisor/ws/ws_protocol.hpp"

#include <nlohmann/json.hpp>

#include "common/json_codec.hpp"
#include "common/json_writer.hpp"
#include "common/validation.hpp"
#include "supervisor/http/api_error.hpp"

namespace stratd::supervisor::ws {
namespace {
using Json = nlohmann::json;
constexpr size_t kMaxListEntries = 1024;

Status bad(std::string message) { return fail(ErrorCode::InvalidMessage, std::move(message)); }

Status read_names(const Json& j, const char* key, bool (*valid)(std::string_view),
                  std::optional<std::vector<std::string>>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return ok();
  if (!it->is_array()) return bad(std::string(key) + " must be an array of strings");
  if (it->size() > kMaxListEntries) return bad(std::string(key) + " has more than 1024 entries");
  out.emplace();
  for (const auto& v : *it) {
    if (!v.is_string() || !valid(v.get_ref<const std::string&>())) {
      return bad(std::string(key) + " holds an invalid entry");
    }
    out->push_back(v.get<std::string>());
  }
  return ok();
}

Status read_uint(const Json& j, const char* key, uint64_t max, std::optional<uint64_t>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return ok();
  if (!it->is_number_unsigned() || it->get<uint64_t>() > max) {
    return bad(std::string(key) + " must be an integer from 0 to " + std::to_string(max));
  }
  out = it->get<uint64_t>();
  return ok();
}

Json names_json(const std::optional<std::vector<std::string>>& v) { return v ? Json(*v) : Json(nullptr); }
}  // namespace

Expected<ClientMessage> parse_client_message(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::InvalidJson, "message is not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::InvalidMessage, "message must be a JSON object");
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return fail(ErrorCode::InvalidMessage, "message needs a string 'type'");
  ClientMessage m;
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "subscribe") {
    m.kind = ClientMessage::Kind::Subscribe;
  } else if (t == "unsubscribe") {
    m.kind = ClientMessage::Kind::Unsubscribe;
  } else if (t == "ping") {
    m.kind = ClientMessage::Kind::Ping;
    return m;
  } else if (t == "logs" || t == "logs_unsubscribe") {
    m.kind = t == "logs" ? ClientMessage::Kind::Logs : ClientMessage::Kind::LogsUnsubscribe;
    for (const auto& [k, _] : j.items()) {
      if (k != "type" && k != "runner") return fail(ErrorCode::InvalidMessage, "unknown field '" + k.substr(0, 64) + "' in " + t);
    }
    auto runner = j.find("runner");
    if (runner == j.end() || !runner->is_string() || !is_valid_runner_id(runner->get_ref<const std::string&>())) {
      return fail(ErrorCode::InvalidMessage, t + " needs 'runner', a runner id");
    }
    m.runner = runner->get<std::string>();
    return m;
  } else {
    return fail(ErrorCode::InvalidMessage, "unknown message type '" + t.substr(0, 64) + "'");
  }
  for (const auto& [k, _] : j.items()) {
    const bool known = k == "type" || k == "runners" || k == "event_types" || k == "symbols" ||
                       (m.kind == ClientMessage::Kind::Subscribe &&
                        (k == "since" || k == "tick_interval_ms" || k == "batch_ms"));
    if (!known) return fail(ErrorCode::InvalidMessage, "unknown field '" + k.substr(0, 64) + "' in " + t);
  }
  if (auto s = read_names(j, "runners", &is_valid_runner_id, m.selection.runners); !s) return Unexpected<Error>{s.error()};
  if (auto s = read_names(j, "symbols", &is_valid_symbol, m.selection.symbols); !s) return Unexpected<Error>{s.error()};
  std::optional<std::vector<std::string>> types;
  if (auto s = read_names(j, "event_types", [](std::string_view) { return true; }, types); !s) {
    return Unexpected<Error>{s.error()};
  }
  if (types) {
    m.selection.event_types.emplace();
    for (const auto& name : *types) {
      auto et = event_type_from_string(name);
      if (!et) return fail(ErrorCode::UnknownEventType, "unknown event type '" + name.substr(0, 64) + "'");
      m.selection.event_types->push_back(*et);
    }
  }
  std::optional<uint64_t> since, tick, batch;
  if (auto s = read_uint(j, "since", UINT64_MAX / 2, since); !s) return Unexpected<Error>{s.error()};
  if (auto s = read_uint(j, "tick_interval_ms", kMaxTickIntervalMs, tick); !s) return Unexpected<Error>{s.error()};
  if (auto s = read_uint(j, "batch_ms", kMaxBatchMs, batch); !s) return Unexpected<Error>{s.error()};
  m.since = since;
  if (tick) m.tick_interval_ms = uint32_t(*tick);
  if (batch) m.batch_ms = uint32_t(*batch);
  return m;
}

std::string error_frame(ErrorCode code, std::string_view message) {
  return json_text(Json{{"type", "error"}, {"error", {{"code", http::wire_name(code)}, {"message", message}}}});
}

std::string lagged_frame(uint64_t dropped) { return json_text(Json{{"type", "lagged"}, {"dropped", dropped}}); }

std::string logs_lagged_frame(uint64_t dropped) {
  return json_text(Json{{"type", "lagged"}, {"dropped", dropped}, {"logs", true}});
}

std::string logs_subscribed_frame(const std::string& runner_id) {
  return json_text(Json{{"type", "logs_subscribed"}, {"runner", runner_id}});
}

std::string logs_unsubscribed_frame(const std::string& runner_id) {
  return json_text(Json{{"type", "logs_unsubscribed"}, {"runner", runner_id}});
}

std::string log_frame(const std::string& runner_id, std::string_view text, std::optional<int64_t> timestamp_ms) {
  std::string out = R"({"type":"log","runner_id":)";
  append_json_string(out, runner_id);
  out += R"(,"text":)";
  append_json_string(out, text);
  out += R"(,"timestamp_ms":)";
  if (timestamp_ms) {
    append_json_integer(out, *timestamp_ms);
  } else {
    out += "null";
  }
  out += '}';
  return out;
}

std::string pong_frame(uint64_t last_seq) { return json_text(Json{{"type", "pong"}, {"last_seq", last_seq}}); }

std::string subscribed_frame(const ClientMessage& m, uint64_t last_seq) {
  Json types = nullptr;
  if (m.selection.event_types) {
    types = Json::array();
    for (auto t : *m.selection.event_types) types.push_back(to_string(t));
  }
  return json_text(Json{{"type", "subscribed"},
                        {"runners", names_json(m.selection.runners)},
                        {"event_types", types},
                        {"symbols", names_json(m.selection.symbols)},
                        {"last_seq", last_seq},
                        {"since", m.since ? Json(*m.since) : Json(nullptr)},
                        {"tick_interval_ms", m.tick_interval_ms.value_or(0)},
                        {"batch_ms", m.batch_ms.value_or(0)}});
}

std::string unsubscribed_frame(const EventFilter& f, uint64_t last_seq) {
  Json types = Json::array();
  for (auto t : f.event_types()) types.push_back(to_string(t));
  return json_text(Json{{"type", "unsubscribed"},
                        {"runners", names_json(f.runners())},
                        {"excluded_runners", f.excluded_runners()},
                        {"event_types", types},
                        {"symbols", names_json(f.symbols())},
                        {"excluded_symbols", f.excluded_symbols()},
                        {"last_seq", last_seq}});
}

}  // namespace stratd::supervisor::ws
