#pragma once
// A WebSocket client for tests, on Boost.Beast. Reads run asynchronously
// and are waited for with a deadline, so a test can stop reading (to play
// a slow consumer) and pick up again later.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace stratd::test {

// What the upgrade request carries besides the handshake's own headers.
struct WsUpgrade {
  std::map<std::string, std::string> headers;  // Authorization, Origin, Sec-WebSocket-Protocol...
  std::string target = "/ws";
};

class WsClient {
 public:
  // Connects and completes the handshake; throws on failure.
  WsClient(const std::string& host, uint16_t port, int receive_buffer_bytes = 0);
  WsClient(const std::string& host, uint16_t port, const WsUpgrade& upgrade, int receive_buffer_bytes = 0);
  // A header of the server's handshake answer ("" if absent).
  std::string response_header(const std::string& name) const;
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void send(const std::string& text);
  // The next message, or nullopt if none arrived in time or the
  // connection is closed.
  std::optional<nlohmann::json> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads until `pred` holds for a message (returned) or the deadline passes.
  std::optional<nlohmann::json> next_where(const std::function<bool(const nlohmann::json&)>& pred,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool closed() const;
  // Pings the server sent (answered automatically while reading).
  int pings() const;
  // The close code the server sent (0 if none).
  int close_code() const;
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The events of a message: itself, or the events of a batch.
std::vector<nlohmann::json> events_of(const nlohmann::json& message);

}  // namespace stratd::test
