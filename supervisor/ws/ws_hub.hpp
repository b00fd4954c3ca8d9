#pragma once
// The /ws endpoint: accepts upgraded connections, wakes every session when
// new events reach the journal, and closes them all (1001) at shutdown.
// Loop thread only.
#include <unordered_set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "supervisor/event_journal.hpp"
#include "supervisor/ws/ws_settings.hpp"

namespace stratd::supervisor::ws {

class WsSession;

class WsHub {
 public:
  WsHub(const EventJournal& journal, WsSettings settings) : journal_(journal), settings_(settings) {}

  bool full() const { return sessions_.size() >= settings_.max_clients || stopping_; }
  void accept(boost::asio::ip::tcp::socket&& socket,
              boost::beast::http::request<boost::beast::http::string_body> upgrade);
  // Called after events were appended to the journal.
  void on_events();
  void shutdown();
  size_t clients() const { return sessions_.size(); }

  // Sessions register themselves for their lifetime.
  void add(WsSession* s) { sessions_.insert(s); }
  void remove(WsSession* s) { sessions_.erase(s); }

 private:
  const EventJournal& journal_;
  WsSettings settings_;
  std::unordered_set<WsSession*> sessions_;
  bool stopping_ = false;
};

}  // namespace stratd::supervisor::ws
