#include "supervisor/ws/ws_session.hpp"

#include <spdlog/spdlog.h>

#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor::ws {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

namespace {
constexpr std::string_view kBatchHead = R"({"type":"batch","events":[)";
constexpr std::string_view kBatchSep = ",";
constexpr std::string_view kBatchTail = "]}";
}  // namespace

WsSession::WsSession(net::ip::tcp::socket&& socket, std::shared_ptr<WsRoster> roster,
                     const EventJournal& journal, const WsSettings& settings)
    : ws_(std::move(socket)), roster_(std::move(roster)), journal_(journal), settings_(settings),
      timer_(ws_.get_executor()) {
  roster_->sessions.insert(this);
  ++roster_->clients;
}

WsSession::~WsSession() {
  roster_->sessions.erase(this);
  --roster_->clients;
}

void WsSession::start(beast::http::request<beast::http::string_body> upgrade) {
  beast::error_code ec;
  ws_.next_layer().set_option(net::socket_base::send_buffer_size(settings_.send_buffer_bytes), ec);
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(10);
  t.idle_timeout = settings_.idle_timeout;
  t.keep_alive_pings = true;  // a ping at half the idle timeout; no answer by the end closes
  ws_.set_option(t);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "stratd"); }));
  ws_.read_message_max(settings_.max_message_bytes);
  ws_.auto_fragment(false);
  // Without a subscription a client gets everything from now on.
  cursor_ = journal_.last_seq();
  ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;
  accepted_ = true;
  if (closing_) {
    // Told to close (shutdown) while the handshake was still under way.
    ws_.async_close(pending_close_, [self = shared_from_this()](beast::error_code) {});
    return;
  }
  do_read();
  pump();
}

void WsSession::do_read() {
  ws_.async_read(read_buf_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, size_t) {
  if (ec) {
    // Closed, timed out, or a protocol violation (Beast answers those itself).
    closing_ = true;
    timer_.cancel();
    return;
  }
  if (!ws_.got_text()) {
    push_control(error_frame("INVALID_MESSAGE", "messages must be text (JSON)"));
  } else {
    const auto data = read_buf_.data();
    handle(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  read_buf_.consume(read_buf_.size());
  if (read_buf_.capacity() > 16 * 1024) read_buf_.shrink_to_fit();  // idle clients stay small
  if (!closing_) do_read();
}

void WsSession::handle(std::string_view text) {
  auto m = parse_client_message(text);
  if (!m) return push_control(error_frame(m.error().code, m.error().message));
  switch (m->kind) {
    case ClientMessage::Kind::Ping: return push_control(pong_frame(journal_.last_seq()));
    case ClientMessage::Kind::Unsubscribe:
      filter_.unsubscribe(m->selection);
      return push_control(subscribed_frame(*m, journal_.last_seq(), true));
    case ClientMessage::Kind::Subscribe: return apply_subscribe(*m);
  }
}

void WsSession::apply_subscribe(const ClientMessage& m) {
  uint64_t start = journal_.last_seq();
  if (m.since) {
    if (*m.since > journal_.last_seq()) {
      return push_control(error_frame("SINCE_AHEAD", "no event " + std::to_string(*m.since) +
                                                         " yet; the last is " + std::to_string(journal_.last_seq())));
    }
    if (!journal_.covers_after(*m.since)) {
      return push_control(error_frame("SINCE_TOO_OLD", "events after " + std::to_string(*m.since) +
                                                           " are gone; the journal starts at " +
                                                           std::to_string(journal_.first_seq())));
    }
    start = *m.since;
  }
  filter_.subscribe(m.selection);
  tick_interval_ = std::chrono::milliseconds(m.tick_interval_ms.value_or(0));
  batch_every_ = std::chrono::milliseconds(m.batch_ms.value_or(0));
  cursor_ = start;
  backlog_.clear();
  ticks_.clear();
  push_control(subscribed_frame(m, journal_.last_seq(), false));
}

void WsSession::push_control(std::string frame) {
  if (control_.size() >= settings_.max_control_pending) {
    // The client sends and never reads: it gets no more answers.
    return close_with(websocket::close_code::policy_error, "too many unread replies");
  }
  control_.push_back(std::move(frame));
  pump();
}

void WsSession::close_going_away() { close_with(websocket::close_code::going_away, "stratd is stopping"); }

void WsSession::close_with(websocket::close_code code, std::string reason) {
  if (closing_) return;
  closing_ = true;
  timer_.cancel();
  pending_close_ = websocket::close_reason(code, reason);
  if (!accepted_) return;
  if (writing_) {
    close_after_write_ = true;
    return;
  }
  ws_.async_close(pending_close_, [self = shared_from_this()](beast::error_code) {});
}

void WsSession::arm_timer(Clock::time_point at) {
  if (at >= timer_at_) return;  // an earlier wake-up is already set
  timer_at_ = at;
  timer_.expires_at(at);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->timer_at_ = Clock::time_point::max();
    self->pump();
  });
}

void WsSession::pump() {
  if (!accepted_ || writing_ || closing_) return;
  if (!control_.empty()) return write_control();
  if (!journal_.covers_after(cursor_) && !closing_) {
    return close_with(websocket::close_code::policy_error,
                      "fell behind the journal; reconnect with since=" + std::to_string(cursor_));
  }
  if (journal_.last_seq() - cursor_ > settings_.queue_limit && !shed()) return;
  if (dropped_unreported_ > 0) {
    control_.push_back(lagged_frame(dropped_unreported_));
    dropped_unreported_ = 0;
    return write_control();
  }
  const auto now = Clock::now();
  const bool batching = batch_every_.count() > 0;
  // batch_ms is how long events may gather, not a rate limit: a batch cut
  // short by its size cap is followed at once by the next.
  if (batching && !batch_was_full_ && now < last_batch_ + batch_every_) {
    if (!backlog_.empty() || journal_.last_seq() > cursor_) arm_timer(last_batch_ + batch_every_);
    return;
  }
  const size_t limit = batching ? settings_.max_batch_events : 1;
  collect(limit, now);
  batch_was_full_ = batching && out_events_.size() >= limit;
  if (out_events_.empty()) return;
  if (batching) last_batch_ = now;
  write_events(batching);
}

void WsSession::collect(size_t limit, Clock::time_point now) {
  out_events_.clear();
  // A tick is sent if its runner's interval has passed; otherwise it waits
  // as that runner's pending tick, replaced by any newer one.
  auto take = [&](const JournalEventPtr& e) {
    if (tick_interval_.count() > 0 && is_coalescable(e->type)) {
      TickSlot& slot = ticks_[e->runner_id];
      if (now - slot.last_sent < tick_interval_) {
        slot.pending = e;
        arm_timer(slot.last_sent + tick_interval_);
        return;
      }
      slot.last_sent = now;
      slot.pending.reset();
    }
    out_events_.push_back(e);
  };
  while (out_events_.size() < limit && !backlog_.empty()) {
    take(backlog_.front());
    backlog_.pop_front();
  }
  const uint64_t last = journal_.last_seq();
  while (out_events_.size() < limit && cursor_ < last) {
    const JournalEventPtr* e = journal_.find(++cursor_);
    if (e && filter_.matches(**e)) take(*e);
  }
  if (tick_interval_.count() == 0) return;
  for (auto& [runner, slot] : ticks_) {
    if (out_events_.size() >= limit) break;
    if (slot.pending && now - slot.last_sent >= tick_interval_) {
      out_events_.push_back(std::move(slot.pending));
      slot.pending.reset();
      slot.last_sent = now;
    }
  }
}

bool WsSession::shed() {
  // Keep, in order, everything that may not be dropped, and the newest
  // tick of each runner; count the ticks dropped.
  std::deque<JournalEventPtr> keep;
  std::unordered_map<std::string, JournalEventPtr> newest_tick;
  size_t important = 0;
  auto consider = [&](const JournalEventPtr& e) {
    if (is_coalescable(e->type)) {
      auto& slot = newest_tick[e->runner_id];
      if (slot) ++dropped_unreported_;
      slot = e;
      return;
    }
    ++important;
    keep.push_back(e);
  };
  for (const auto& e : backlog_) consider(e);
  const uint64_t last = journal_.last_seq();
  for (uint64_t s = cursor_ + 1; s <= last; ++s) {
    const JournalEventPtr* e = journal_.find(s);
    if (e && filter_.matches(**e)) consider(*e);
  }
  cursor_ = last;
  if (important > settings_.queue_limit) {
    close_with(websocket::close_code::policy_error,
               "too far behind; reconnect with since (" + std::to_string(important) + " events waiting)");
    return false;
  }
  for (auto& [runner, e] : newest_tick) keep.push_back(std::move(e));
  backlog_ = std::move(keep);
  return true;
}

void WsSession::write_control() {
  writing_ = true;
  out_text_ = std::move(control_.front());
  control_.pop_front();
  ws_.text(true);
  ws_.async_write(net::buffer(out_text_), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::write_events(bool as_batch) {
  writing_ = true;
  out_bufs_.clear();
  if (as_batch) {
    // One message, gathered from the journal's shared buffers: no copy.
    out_bufs_.reserve(out_events_.size() * 2 + 1);
    out_bufs_.emplace_back(kBatchHead.data(), kBatchHead.size());
    for (size_t i = 0; i < out_events_.size(); ++i) {
      if (i > 0) out_bufs_.emplace_back(kBatchSep.data(), kBatchSep.size());
      out_bufs_.emplace_back(out_events_[i]->json.data(), out_events_[i]->json.size());
    }
    out_bufs_.emplace_back(kBatchTail.data(), kBatchTail.size());
  } else {
    out_bufs_.emplace_back(out_events_.front()->json.data(), out_events_.front()->json.size());
  }
  ws_.text(true);
  ws_.async_write(out_bufs_, beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, size_t) {
  writing_ = false;
  out_events_.clear();
  out_text_.clear();
  if (ec) {
    closing_ = true;
    timer_.cancel();
    return;
  }
  if (close_after_write_) {
    close_after_write_ = false;
    ws_.async_close(pending_close_, [self = shared_from_this()](beast::error_code) {});
    return;
  }
  pump();
}

}  // namespace stratd::supervisor::ws
