#pragma once
// What a /ws message from stratd is: events (one, or a batch's), or one of
// the control messages (ws_protocol.cpp on stratd's side).
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace stratd::cli {

struct WsMessage {
  enum class Kind {
    Events,      // `events` holds them, in seq order
    Subscribed,  // the ack of a subscribe
    Lagged,      // stratd shed ticks this client was too slow for: `raw["dropped"]`
    Error,       // `raw["error"]` has code and message
    LogLine,     // one line of a runner's log (`type: log`)
    LogsSubscribed,
    Other,       // anything else (pong, unsubscribed, ...), or not JSON
  };
  Kind kind = Kind::Other;
  std::vector<nlohmann::json> events;
  nlohmann::json raw;
};

WsMessage classify_ws_message(std::string_view text);

}  // namespace stratd::cli
