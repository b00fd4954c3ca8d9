#pragma once
// Limits of the /ws endpoint.
#include <chrono>
#include <cstddef>

namespace stratd::supervisor::ws {

struct WsSettings {
  // Events a client may have waiting before its ticks are shed; if even
  // the events that are never dropped exceed it, the client is closed (1008).
  size_t queue_limit = 4096;
  size_t max_batch_events = 2048;  // per batch message
  size_t max_control_pending = 64; // unanswered control replies (errors, acks)
  size_t max_message_bytes = 64 * 1024;
  size_t max_clients = 10'000;
  int send_buffer_bytes = 128 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};  // pinged at half, closed at full
  // A new connection waits this long for a first message (a subscribe,
  // perhaps with since) before it streams everything.
  std::chrono::milliseconds initial_hold{250};
};

}  // namespace stratd::supervisor::ws
