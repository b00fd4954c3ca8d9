#pragma once
// The /ws protocol: what clients may send, and the control messages stratd
// sends besides events. Parsing is strict: anything off gets an error
// message with a stable code, and the connection stays open.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "supervisor/events/event_filter.hpp"

namespace stratd::supervisor::ws {

struct ClientMessage {
  enum class Kind { Subscribe, Unsubscribe, Ping, Logs, LogsUnsubscribe };
  Kind kind = Kind::Subscribe;
  std::string runner;                        // logs, logs_unsubscribe: whose log
  Selection selection;
  std::optional<uint64_t> since;             // subscribe: replay what came after this seq
  std::optional<uint32_t> tick_interval_ms;  // subscribe: at most one tick per runner per interval
  std::optional<uint32_t> batch_ms;          // subscribe: send batches at most this often
};

inline constexpr uint32_t kMaxTickIntervalMs = 3'600'000;
inline constexpr uint32_t kMaxBatchMs = 10'000;

// Errors: InvalidJson, InvalidMessage, UnknownEventType.
Expected<ClientMessage> parse_client_message(std::string_view text);

std::string error_frame(ErrorCode code, std::string_view message);
std::string lagged_frame(uint64_t dropped);
// Log lines a slow client was not sent.
std::string logs_lagged_frame(uint64_t dropped);
std::string logs_subscribed_frame(const std::string& runner_id);
std::string logs_unsubscribed_frame(const std::string& runner_id);
std::string log_frame(const std::string& runner_id, std::string_view text, std::optional<int64_t> timestamp_ms);
std::string pong_frame(uint64_t last_seq);
// The acknowledgement of a subscribe, echoing what it selected.
std::string subscribed_frame(const ClientMessage& m, uint64_t last_seq);
// The acknowledgement of an unsubscribe: what is selected now.
std::string unsubscribed_frame(const EventFilter& now_selected, uint64_t last_seq);

}  // namespace stratd::supervisor::ws
