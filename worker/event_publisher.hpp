#pragma once
// Puts a worker's events on the bus: [topic "ev.<runner_id>", credential,
// msgpack Event].
// An XPUB socket, so the worker can wait until stratd's subscription has
// arrived before its first event; a plain PUB would drop those silently.
#include <functional>
#include <string>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "common/event.hpp"

namespace stratd::worker {

class EventPublisher {
 public:
  // `credential`: what stratd handed this worker; every event carries it.
  EventPublisher(zmq::context_t& ctx, const std::string& endpoint, const std::string& runner_id,
                 std::string credential);

  // Waits up to `timeout_ms` for the supervisor's subscription, calling
  // `idle` at least every 100 ms (the worker keeps its heartbeat meanwhile).
  bool wait_for_subscriber(int timeout_ms, const std::function<void()>& idle);
  void publish(Event& e);
  // Reads subscription changes so they do not pile up in the socket.
  void drain_subscriptions();
  zmq::socket_t& socket() { return socket_; }
  uint64_t dropped() const { return dropped_; }

 private:
  zmq::socket_t socket_;
  std::string topic_;
  std::string credential_;
  msgpack::sbuffer buf_;
  bool subscribed_ = false;
  uint64_t dropped_ = 0;
};

}  // namespace stratd::worker
