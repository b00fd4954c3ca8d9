#include "worker/event_publisher.hpp"

#include "common/clock.hpp"
#include "ipc/bus.hpp"

namespace stratd::worker {

EventPublisher::EventPublisher(zmq::context_t& ctx, const std::string& endpoint,
                               const std::string& runner_id, std::string credential)
    : socket_(ctx, zmq::socket_type::xpub), topic_(ipc::event_topic(runner_id)), credential_(std::move(credential)) {
  socket_.set(zmq::sockopt::sndhwm, 100'000);
  socket_.set(zmq::sockopt::linger, 1000);  // flush on a clean exit
  socket_.connect(endpoint);
}

bool EventPublisher::wait_for_subscriber(int timeout_ms, const std::function<void()>& idle) {
  const int64_t deadline = mono_ms() + timeout_ms;
  while (!subscribed_) {
    const int64_t left = deadline - mono_ms();
    if (left <= 0) return false;
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(std::min<int64_t>(left, 100)));
    drain_subscriptions();
    idle();
  }
  return true;
}

void EventPublisher::drain_subscriptions() {
  zmq::message_t msg;
  while (socket_.recv(msg, zmq::recv_flags::dontwait)) {
    // First byte 1 = subscribe, 0 = unsubscribe.
    if (msg.size() > 0 && static_cast<const uint8_t*>(msg.data())[0] == 1) subscribed_ = true;
  }
}

void EventPublisher::publish(Event& e) {
  e.publish_ns = wall_ns();
  buf_.clear();
  msgpack::pack(buf_, e);
  if (!ipc::send_signed_message(socket_, topic_, credential_, std::string_view(buf_.data(), buf_.size())))
    ++dropped_;
}

}  // namespace stratd::worker
