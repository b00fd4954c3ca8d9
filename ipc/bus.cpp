#include "ipc/bus.hpp"

#include <vector>

namespace stratd::ipc {

std::string market_data_socket(const std::string& run_dir) { return run_dir + "/md.ipc"; }
std::string events_socket(const std::string& run_dir) { return run_dir + "/events.ipc"; }
std::string market_data_endpoint(const std::string& run_dir) { return "ipc://" + market_data_socket(run_dir); }
std::string events_endpoint(const std::string& run_dir) { return "ipc://" + events_socket(run_dir); }

namespace {

// Receives one message of exactly `n` frames without blocking; anything
// else is consumed whole and reported through `malformed`.
std::optional<std::vector<zmq::message_t>> recv_frames(zmq::socket_t& s, size_t n, bool* malformed) {
  if (malformed) *malformed = false;
  std::vector<zmq::message_t> frames(1);
  if (!s.recv(frames[0], zmq::recv_flags::dontwait)) return std::nullopt;
  while (frames.back().more()) {  // the rest of a message is already here
    zmq::message_t next;
    (void)s.recv(next, zmq::recv_flags::none);
    if (frames.size() <= n) {
      frames.push_back(std::move(next));
    } else if (!next.more()) {
      break;  // over-long: drained, dropped below
    }
  }
  if (frames.size() != n || frames.back().more()) {
    if (malformed) *malformed = true;
    return std::nullopt;
  }
  return frames;
}

}  // namespace

bool send_message(zmq::socket_t& s, std::string_view topic, std::string_view body) {
  auto r = s.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  if (!r) return false;
  // The first frame is queued; zmq guarantees the rest is accepted too.
  return bool(s.send(zmq::buffer(body), zmq::send_flags::dontwait));
}

bool send_signed_message(zmq::socket_t& s, std::string_view topic, std::string_view credential,
                         std::string_view body) {
  auto r = s.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  if (!r) return false;
  (void)s.send(zmq::buffer(credential), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  return bool(s.send(zmq::buffer(body), zmq::send_flags::dontwait));
}

std::optional<Message> recv_message(zmq::socket_t& s, bool* malformed) {
  auto f = recv_frames(s, 2, malformed);
  if (!f) return std::nullopt;
  return Message{(*f)[0].to_string(), (*f)[1].to_string(), {}};
}

std::optional<Message> recv_signed_message(zmq::socket_t& s, bool* malformed) {
  auto f = recv_frames(s, 3, malformed);
  if (!f) return std::nullopt;
  return Message{(*f)[0].to_string(), (*f)[2].to_string(), (*f)[1].to_string()};
}

}  // namespace stratd::ipc
