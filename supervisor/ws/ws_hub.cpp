#include "supervisor/ws/ws_hub.hpp"

#include <boost/asio/post.hpp>

#include "supervisor/ws/ws_session.hpp"

namespace stratd::supervisor::ws {

WsHub::WsHub(boost::asio::io_context& hub_io, const EventJournal& journal, const WsSettings& settings,
             LogFollower* logs)
    : io_(hub_io), journal_(journal), settings_(settings), logs_(logs) {}

void WsHub::accept(boost::asio::ip::tcp::socket&& socket,
                   boost::beast::http::request<boost::beast::http::string_body> upgrade) {
  // A socket belongs to one loop: hand its descriptor to the hub's.
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return;
  const int fd = socket.release(ec);
  if (ec) return;
  ++roster_->clients;  // counted from now, so full() holds while it is in transit
  boost::asio::post(io_, [this, fd, protocol, req = std::move(upgrade)]() mutable {
    boost::asio::ip::tcp::socket moved(io_, protocol, fd);
    auto session = std::make_shared<WsSession>(std::move(moved), roster_, journal_, settings_, logs_);
    --roster_->clients;  // the session counts itself
    session->start(std::move(req));
  });
}

// Waking a session only starts asynchronous work; none ends (and
// unregisters) during this loop, so the set is stable while we walk it.
void WsHub::on_events() {
  for (WsSession* s : roster_->sessions) s->notify();
}

void WsHub::shutdown() {
  stopping_ = true;
  boost::asio::post(io_, [roster = roster_] {
    for (WsSession* session : roster->sessions) session->close_going_away();
  });
}

}  // namespace stratd::supervisor::ws
