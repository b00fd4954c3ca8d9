#include "supervisor/ws/ws_hub.hpp"

#include <memory>

#include "supervisor/ws/ws_session.hpp"

namespace stratd::supervisor::ws {

void WsHub::accept(boost::asio::ip::tcp::socket&& socket,
                   boost::beast::http::request<boost::beast::http::string_body> upgrade) {
  std::make_shared<WsSession>(std::move(socket), *this, journal_, settings_)->start(std::move(upgrade));
}

void WsHub::on_events() {
  // Waking a session only starts asynchronous work; none ends (and
  // unregisters) during this loop, so the set is stable while we walk it.
  for (WsSession* s : sessions_) s->notify();
}

void WsHub::shutdown() {
  stopping_ = true;
  for (WsSession* s : sessions_) s->close_going_away();
}

}  // namespace stratd::supervisor::ws
