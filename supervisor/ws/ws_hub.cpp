#include "supervisor/ws/ws_hub.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include "supervisor/ws/ws_session.hpp"

namespace stratd::supervisor::ws {

WsHub::WsHub(boost::asio::io_context& hub_io, const EventJournal& journal, const WsSettings& settings,
             LogFollower* logs, http::Rejections* rejections)
    : io_(hub_io), journal_(journal), settings_(settings), logs_(logs), rejections_(rejections) {}

void WsHub::accept(boost::asio::ip::tcp::socket&& socket, Upgrade upgrade, http::ConnectionSlot slot,
                   std::string key) {
  // A socket belongs to one loop: hand its descriptor to the hub's.
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return;
  const int fd = socket.release(ec);
  if (ec) return;
  ++roster_->clients;  // counted from now, so full() holds while it is in transit
  boost::asio::post(io_, [this, fd, protocol, req = std::move(upgrade), slot = std::move(slot),
                          key = std::move(key)]() mutable {
    boost::asio::ip::tcp::socket moved(io_, protocol, fd);
    auto session = std::make_shared<WsSession<boost::asio::ip::tcp::socket>>(
        std::move(moved), WsSessionContext{roster_, journal_, settings_, logs_, rejections_}, std::move(slot),
        std::move(key));
    --roster_->clients;  // the session counts itself
    session->start(std::move(req));
  });
}

void WsHub::accept(http::TlsStream&& stream, Upgrade upgrade, http::ConnectionSlot slot, std::string key) {
  auto session = std::make_shared<WsSession<http::TlsStream>>(
      std::move(stream), WsSessionContext{roster_, journal_, settings_, logs_, rejections_}, std::move(slot),
      std::move(key));
  session->start(std::move(upgrade));
}

// Waking a session only starts asynchronous work; none ends (and
// unregisters) during this loop, so the set is stable while we walk it.
void WsHub::on_events() {
  for (WsClient* s : roster_->sessions) s->notify();
}

void WsHub::revoke(auth::Revocation revocation) {
  if (!revocation.any()) return;
  boost::asio::post(io_, [roster = roster_, revocation = std::move(revocation)] {
    size_t closed = 0;
    // Closing only starts asynchronous work: the set is stable here too.
    for (WsClient* session : roster->sessions) {
      if (!revocation.ends(session->key())) continue;
      session->close_revoked();
      ++closed;
    }
    if (closed > 0) spdlog::info("keys changed: closed {} WebSocket client(s) admitted with a key no longer valid", closed);
  });
}

void WsHub::shutdown() {
  stopping_ = true;
  boost::asio::post(io_, [roster = roster_] {
    for (WsClient* session : roster->sessions) session->close_going_away();
  });
}

}  // namespace stratd::supervisor::ws
