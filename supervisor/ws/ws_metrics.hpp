#pragma once
// What the WebSocket sessions count: messages written (event messages,
// a batch being one, and control frames), the events in them, what slow
// clients were not sent (shed: the `dropped` of their `lagged` messages),
// and how sessions ended. Written by the sessions on the event hub's
// thread, read by scrapes on the HTTP thread (instruments.hpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "supervisor/metrics/exposition.hpp"
#include "supervisor/metrics/instruments.hpp"

namespace stratd::supervisor::ws {

// How a session ended. stratd's own close says why (policy: 1008, a
// client that cannot keep up or floods; going_away: 1001, stratd
// stopping); else a client that closed with a close frame ended it
// normally; anything else (reset, timeout, broken handshake) is an error.
enum class CloseKind : uint8_t { Normal, Policy, GoingAway, Error, kCount };
std::string_view to_string(CloseKind k);
// `sent`: the close code stratd sent (0: none); `received`: the client's.
CloseKind close_kind(uint16_t sent, uint16_t received);

class WsMetrics {
 public:
  // A message was written: `events` of them (0: a control frame).
  void count_written(size_t events);
  void count_shed(uint64_t n) { shed_.add(n); }
  void count_close(uint16_t sent, uint16_t received) { closed_[size_t(close_kind(sent, received))].add(); }

  // The stratd_websocket_* families, with the clients connected now.
  void write(metrics::Exposition& out, size_t clients) const;

 private:
  metrics::Counter event_messages_;
  metrics::Counter control_messages_;
  metrics::Counter events_;
  metrics::Counter shed_;
  std::array<metrics::Counter, size_t(CloseKind::kCount)> closed_;
};

}  // namespace stratd::supervisor::ws
