#pragma once
// What the WebSocket sessions count: messages written (event messages,
// a batch being one; control frames; log lines), the events in them, what
// slow clients were not sent (shed: the `dropped` of their `lagged` and
// `logs_lagged` messages), and how sessions ended. Written by the sessions on the event hub's
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
  enum class Message : uint8_t { Events, Control, Logs, kCount };  // what a written message carried
  enum class Shed : uint8_t { Ticks, Logs, kCount };

  // A message handed to the socket; `events` in it (an event message, or a batch).
  void count_message(Message kind, size_t events = 0) {
    messages_[size_t(kind)].add();
    events_.add(events);
  }
  // What a slow client was not sent, as its lagged message tells it.
  void count_shed(Shed kind, uint64_t n) { shed_[size_t(kind)].add(n); }
  void count_close(uint16_t sent, uint16_t received) { closed_[size_t(close_kind(sent, received))].add(); }

  // The stratd_websocket_* families, with the clients connected now.
  void write(metrics::Exposition& out, size_t clients) const;

 private:
  std::array<metrics::Counter, size_t(Message::kCount)> messages_;
  metrics::Counter events_;
  std::array<metrics::Counter, size_t(Shed::kCount)> shed_;
  std::array<metrics::Counter, size_t(CloseKind::kCount)> closed_;
};

}  // namespace stratd::supervisor::ws
