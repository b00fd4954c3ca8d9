#pragma once
// The ZeroMQ channels between processes: endpoints, topics, and sending and
// receiving messages [topic, msgpack body], or for worker events [topic,
// credential, msgpack body]: the credential is handed to each worker when it
// is spawned, so a message cannot claim another runner's identity.
#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

namespace stratd::ipc {

inline constexpr std::string_view kMarketDataPrefix = "md.";
inline constexpr std::string_view kEventPrefix = "ev.";

inline std::string market_data_topic(std::string_view symbol) {
  return std::string(kMarketDataPrefix) + std::string(symbol);
}
inline std::string event_topic(std::string_view runner_id) {
  return std::string(kEventPrefix) + std::string(runner_id);
}

// The sockets inside the run directory, and their ipc:// endpoints.
std::string market_data_socket(const std::string& run_dir);
std::string events_socket(const std::string& run_dir);
std::string market_data_endpoint(const std::string& run_dir);
std::string events_endpoint(const std::string& run_dir);

struct Message {
  std::string topic;
  std::string body;
  std::string credential;  // signed messages only
};

// Sends [topic, body]. Non-blocking: false if the socket would block.
bool send_message(zmq::socket_t& s, std::string_view topic, std::string_view body);
// Receives one [topic, body] message without blocking. Anything that is not
// exactly two frames is consumed and reported as nullopt via `malformed`.
std::optional<Message> recv_message(zmq::socket_t& s, bool* malformed = nullptr);
// The same with a credential frame: [topic, credential, body].
bool send_signed_message(zmq::socket_t& s, std::string_view topic, std::string_view credential,
                         std::string_view body);
std::optional<Message> recv_signed_message(zmq::socket_t& s, bool* malformed = nullptr);

}  // namespace stratd::ipc
