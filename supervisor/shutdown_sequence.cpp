#include "supervisor/shutdown_sequence.hpp"

#include <spdlog/spdlog.h>

namespace stratd::supervisor {

ShutdownSequence::ShutdownSequence(boost::asio::io_context& io, http::Listener& listener, ws::WsHub& websocket,
                                   RunnerRegistry& registry, FeedSupervisor& feed, ProcessManager& pm,
                                   std::chrono::milliseconds stop_grace)
    : io_(io), listener_(listener), websocket_(websocket), registry_(registry), feed_(feed), pm_(pm),
      grace_(stop_grace), deadline_(io), drain_(io) {}

void ShutdownSequence::begin() {
  if (std::exchange(begun_, true)) return;
  listener_.stop();
  websocket_.shutdown();  // every client gets a close frame (1001)
  deadline_.expires_after(grace_ + std::chrono::seconds(3));
  deadline_.async_wait([this](const boost::system::error_code& e) {
    if (e) return;
    spdlog::error("shutdown overran; killing what is left");
    pm_.kill_all_now();
    io_.stop();
  });
  registry_.shutdown([this] {
    feed_.stop(grace_, [this] {
      // Give WebSocket close handshakes a moment to finish.
      drain_until_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      drain_clients();
    });
  });
}

void ShutdownSequence::drain_clients() {
  if (websocket_.clients() == 0 || std::chrono::steady_clock::now() >= drain_until_) {
    deadline_.cancel();
    io_.stop();
    return;
  }
  drain_.expires_after(std::chrono::milliseconds(10));
  drain_.async_wait([this](const boost::system::error_code& e) {
    if (!e) drain_clients();
  });
}

}  // namespace stratd::supervisor
