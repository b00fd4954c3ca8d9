#include "supervisor/ws/ws_hub.hpp"

#include <boost/asio/post.hpp>

#include "supervisor/ws/ws_session.hpp"

namespace stratd::supervisor::ws {

WsHub::WsHub(boost::asio::io_context& hub_io, const EventJournal& hub_journal, WsSettings settings, size_t threads)
    : settings_(settings) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
    auto s = std::make_unique<Shard>();
    s->source = &hub_journal;
    if (i == 0) {
      s->io = &hub_io;
      s->journal = &hub_journal;
    } else {
      s->own_journal = std::make_unique<EventJournal>(hub_journal.capacity(), hub_journal.max_bytes());
      s->own_io = std::make_unique<boost::asio::io_context>(1);
      s->io = s->own_io.get();
      s->journal = s->own_journal.get();
    }
    shards_.push_back(std::move(s));
  }
}

WsHub::~WsHub() { stop(); }

void WsHub::start_after(uint64_t last_seq) {
  for (auto& s : shards_) {
    if (s->own_journal) s->own_journal->start_after(last_seq);
  }
}

void WsHub::start() {
  started_ = true;
  for (auto& s : shards_) {
    if (!s->own_io) continue;
    s->thread = std::thread([io = s->own_io.get()] {
      auto work = boost::asio::make_work_guard(*io);
      io->run();
    });
  }
}

void WsHub::stop() {
  if (!started_) return;
  started_ = false;
  for (auto& s : shards_) {
    if (s->own_io) s->own_io->stop();
    if (s->thread.joinable()) s->thread.join();
  }
}

size_t WsHub::clients() const {
  size_t n = 0;
  for (const auto& s : shards_) n += s->roster->clients.load();
  return n;
}

void WsHub::accept(boost::asio::ip::tcp::socket&& socket,
                   boost::beast::http::request<boost::beast::http::string_body> upgrade) {
  Shard* target = shards_.front().get();
  for (auto& s : shards_) {
    if (s->roster->clients.load() < target->roster->clients.load()) target = s.get();
  }
  // A socket belongs to one loop: hand its descriptor to the shard's.
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return;
  const int fd = socket.release(ec);
  if (ec) return;
  ++target->roster->clients;  // counted from now, so full() holds while it is in transit
  boost::asio::post(*target->io, [this, target, fd, protocol, req = std::move(upgrade)]() mutable {
    boost::asio::ip::tcp::socket moved(*target->io, protocol, fd);
    auto session = std::make_shared<WsSession>(std::move(moved), target->roster, *target->journal,
                                               *target->source, settings_);
    --target->roster->clients;  // the session counts itself
    session->start(std::move(req));
  });
}

// Waking a session only starts asynchronous work; none ends (and
// unregisters) during this loop, so the set is stable while we walk it.
void WsHub::wake(WsRoster& roster) {
  for (WsSession* s : roster.sessions) s->notify();
}

void WsHub::on_events(const std::vector<JournalEventPtr>& batch) {
  for (size_t i = 1; i < shards_.size(); ++i) {
    Shard* s = shards_[i].get();
    if (s->roster->clients.load() == 0) {
      // Nobody to serve, but the copy must stay complete for replays.
      boost::asio::post(*s->io, [s, b = batch] {
        for (const auto& e : b) s->own_journal->append(e);
      });
      continue;
    }
    boost::asio::post(*s->io, [s, b = batch] {
      for (const auto& e : b) s->own_journal->append(e);
      wake(*s->roster);
    });
  }
  wake(*shards_.front()->roster);
}

void WsHub::shutdown() {
  stopping_ = true;
  for (auto& s : shards_) {
    boost::asio::post(*s->io, [roster = s->roster] {
      for (WsSession* session : roster->sessions) session->close_going_away();
    });
  }
}

}  // namespace stratd::supervisor::ws
