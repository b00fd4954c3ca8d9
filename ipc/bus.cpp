#include "ipc/bus.hpp"

namespace stratd::ipc {

std::string market_data_endpoint(const std::string& run_dir) { return "ipc://" + run_dir + "/md.ipc"; }
std::string events_endpoint(const std::string& run_dir) { return "ipc://" + run_dir + "/events.ipc"; }

bool send_message(zmq::socket_t& s, std::string_view topic, std::string_view body) {
  auto r = s.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  if (!r) return false;
  // The first frame is queued; zmq guarantees the second is accepted too.
  return bool(s.send(zmq::buffer(body), zmq::send_flags::dontwait));
}

std::optional<Message> recv_message(zmq::socket_t& s, bool* malformed) {
  if (malformed) *malformed = false;
  zmq::message_t topic;
  if (!s.recv(topic, zmq::recv_flags::dontwait)) return std::nullopt;
  if (!topic.more()) {
    if (malformed) *malformed = true;
    return std::nullopt;
  }
  zmq::message_t body;
  (void)s.recv(body, zmq::recv_flags::none);  // the rest of a message is already here
  int frames = 2;
  bool more = body.more();
  while (more) {  // drain extra frames of a malformed message
    zmq::message_t extra;
    (void)s.recv(extra, zmq::recv_flags::none);
    more = extra.more();
    ++frames;
  }
  if (frames != 2) {
    if (malformed) *malformed = true;
    return std::nullopt;
  }
  return Message{topic.to_string(), body.to_string()};
}

}  // namespace stratd::ipc
