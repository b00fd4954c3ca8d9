#include "supervisor/ws/ws_session.hpp"

#include <algorithm>

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
// Up to this many events a batch is sent from the journal's own buffers
// (two pieces each, within the 64 a write takes at once).
constexpr size_t kGatherEvents = 31;
}  // namespace

WsSession::WsSession(net::ip::tcp::socket&& socket, std::shared_ptr<WsRoster> roster,
                     const EventJournal& journal, const EventJournal& source, const WsSettings& settings)
    : ws_(std::move(socket)), roster_(std::move(roster)), journal_(journal), source_(source), settings_(settings),
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
  // Without a subscription a client gets everything from now on, once it
  // has had a moment to say what it wants instead.
  cursor_ = live_from_ = counted_ = stream_from_ = journal_.last_seq();
  hold_until_ = Clock::now() + settings_.initial_hold;
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
  hold_until_.reset();  // the client has spoken: no need to wait for it
  if (!ws_.got_text()) {
    push_control(error_frame("INVALID_MESSAGE", "messages must be text (JSON)"));
  } else {
    const auto data = read_buf_.data();
    auto m = parse_client_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    if (m) {
      handle(*m);
    } else {
      push_control(error_frame(m.error().code, m.error().message));
    }
  }
  read_buf_.consume(read_buf_.size());
  if (read_buf_.capacity() > 16 * 1024) read_buf_.shrink_to_fit();  // idle clients stay small
  // A deferred subscribe must take effect before the next message is read.
  if (!closing_ && !deferred_) do_read();
}

void WsSession::handle(const ClientMessage& m) {
  switch (m.kind) {
    case ClientMessage::Kind::Ping: return push_control(pong_frame(journal_.last_seq()));
    case ClientMessage::Kind::Unsubscribe: {
      bool fits = true;
      change_filter([&](EventFilter& f) { fits = f.unsubscribe(m.selection); });
      if (!fits) {
        return push_control(error_frame("INVALID_MESSAGE", "more than " + std::to_string(EventFilter::kMaxExcluded) +
                                                               " runners or symbols excluded; subscribe to a list instead"));
      }
      return push_control(unsubscribed_frame(filter_, journal_.last_seq()));
    }
    case ClientMessage::Kind::Subscribe: return apply_subscribe(m);
  }
}

void WsSession::apply_subscribe(const ClientMessage& m) {
  const uint64_t last = journal_.last_seq();
  if (m.since) {
    if (*m.since > last) {
      // The client may have seen it on another shard, whose copy of the
      // journal is a few microseconds ahead of this one: wait for it here.
      if (*m.since <= source_.stats().last_seq) {
        deferred_ = m;
        // Reading stops until it applies; the timer keeps us alive meanwhile.
        arm_timer(Clock::now() + std::chrono::milliseconds(1));
        return;
      }
      return push_control(error_frame("SINCE_AHEAD", "no event " + std::to_string(*m.since) +
                                                         " yet; the last is " + std::to_string(last)));
    }
    if (!journal_.covers_after(*m.since)) {
      return push_control(error_frame("SINCE_TOO_OLD", "events after " + std::to_string(*m.since) +
                                                           " are gone; the journal starts at " +
                                                           std::to_string(journal_.first_seq())));
    }
    if (*m.since < cursor_ && mixed_history_) {
      return push_control(error_frame(
          "SINCE_AFTER_CHANGE", "this connection received events under another subscription; replaying from " +
                                    std::to_string(*m.since) + " here could repeat some: resume on a new connection"));
    }
  }
  // What was delivered so far, all under the current filter: a replay
  // skips it. A backlog left by shedding was not delivered yet.
  std::optional<Delivered> delivered;
  if (m.since && *m.since < cursor_ && delivered_any_) {
    delivered = Delivered{stream_from_, backlog_.empty() ? cursor_ : backlog_.front()->seq - 1, filter_};
  }
  tick_interval_ = std::chrono::milliseconds(m.tick_interval_ms.value_or(0));
  batch_every_ = std::chrono::milliseconds(m.batch_ms.value_or(0));
  change_filter([&](EventFilter& f) { f.subscribe(m.selection); });
  if (m.since) {
    // Replay from `since`: everything after it not delivered yet, the
    // backlog's events included, in order.
    skip_ = std::move(delivered);
    backlog_.clear();
    ticks_.clear();
    cursor_ = counted_ = stream_from_ = *m.since;
    // What the client asked to replay does not count against its queue.
    live_from_ = last;
    pending_live_ = backlog_live_ = 0;
  }
  push_control(subscribed_frame(m, last));
}

void WsSession::change_filter(const std::function<void(EventFilter&)>& change) {
  // From here on the connection's history holds more than one selection.
  if (delivered_any_) mixed_history_ = true;
  stream_from_ = cursor_;
  change(filter_);
  // Whatever is waiting is sent only if still selected.
  std::erase_if(backlog_, [&](const JournalEventPtr& e) { return !filter_.matches(*e); });
  for (auto& [runner, slot] : ticks_) {
    if (slot.pending && !filter_.matches(*slot.pending)) slot.pending.reset();
  }
  backlog_live_ = size_t(std::count_if(backlog_.begin(), backlog_.end(),
                                       [&](const JournalEventPtr& e) { return e->seq > live_from_; }));
  counted_ = cursor_;
  pending_live_ = 0;
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

bool WsSession::delivered_before(const JournalEvent& e) const {
  return skip_ && e.seq > skip_->from && e.seq <= skip_->through && skip_->filter.matches(e);
}

bool WsSession::wanted(const JournalEvent& e) const { return filter_.matches(e) && !delivered_before(e); }

void WsSession::pump() {
  if (!accepted_ || closing_) return;
  if (deferred_ && journal_.last_seq() >= *deferred_->since) {
    const ClientMessage m = std::move(*deferred_);
    deferred_.reset();
    apply_subscribe(m);
    if (closing_) return;
    do_read();
  }
  // Even while a write is in flight: a stalled client must not let the
  // journal drop what it has not read.
  // Waiting for this shard's journal to reach `since`: look again shortly
  // (the pending timer also keeps the session alive, no read being due).
  if (deferred_) arm_timer(Clock::now() + std::chrono::milliseconds(1));
  if (!relieve_pressure()) return;
  if (writing_) return;
  if (!control_.empty()) return write_control();
  if (dropped_unreported_ > 0) {
    control_.push_back(lagged_frame(dropped_unreported_));
    dropped_unreported_ = 0;
    return write_control();
  }
  if (deferred_) return;  // nothing goes out until the subscription takes effect
  const auto now = Clock::now();
  if (hold_until_) {
    if (now < *hold_until_) return arm_timer(*hold_until_);
    hold_until_.reset();
  }
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

bool WsSession::relieve_pressure() {
  if (!journal_.covers_after(cursor_)) {
    close_with(websocket::close_code::policy_error,
               "fell behind the journal; reconnect with since set to the last seq received");
    return false;
  }
  const uint64_t last = journal_.last_seq();
  // About to lose unread events to the journal's own limits.
  const bool at_risk = cursor_ < last && journal_.nearly_full() &&
                       cursor_ + 1 - journal_.first_seq() < journal_.size() / 8;
  // Before its first message a client has chosen nothing: nothing of it is
  // shed or counted against it yet, unless waiting longer would lose events
  // to the journal; then the hold ends and it gets what it has by default.
  if (hold_until_) {
    if (!at_risk) return true;
    hold_until_.reset();
  }
  // Fast path: even counting every event, the queue is within its limit.
  if (!at_risk && last - cursor_ + backlog_.size() <= settings_.queue_limit) return true;
  for (uint64_t s = std::max({counted_, cursor_, live_from_}) + 1; s <= last; ++s) {
    const JournalEventPtr* e = journal_.find(s);
    if (e && wanted(**e)) ++pending_live_;
  }
  counted_ = last;
  if (!at_risk && backlog_live_ + pending_live_ <= settings_.queue_limit) return true;
  return shed();
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
    JournalEventPtr e = std::move(backlog_.front());
    backlog_.pop_front();
    if (e->seq > live_from_ && backlog_live_ > 0) --backlog_live_;
    take(e);
  }
  const uint64_t last = journal_.last_seq();
  while (out_events_.size() < limit && cursor_ < last) {
    const JournalEventPtr* e = journal_.find(++cursor_);
    if (skip_ && cursor_ > skip_->through) skip_.reset();  // the replay is past what was delivered
    if (!e || !wanted(**e)) continue;
    if (cursor_ <= counted_ && cursor_ > live_from_ && pending_live_ > 0) --pending_live_;
    take(*e);
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
  std::vector<JournalEventPtr> keep;
  std::unordered_map<std::string, JournalEventPtr> newest_tick;
  auto consider = [&](const JournalEventPtr& e) {
    if (is_coalescable(e->type)) {
      auto& slot = newest_tick[e->runner_id];
      if (slot) ++dropped_unreported_;
      slot = e;
      return;
    }
    keep.push_back(e);
  };
  for (const auto& e : backlog_) consider(e);
  const uint64_t last = journal_.last_seq();
  for (uint64_t s = cursor_ + 1; s <= last; ++s) {
    const JournalEventPtr* e = journal_.find(s);
    if (e && wanted(**e)) consider(*e);
  }
  for (auto& [runner, e] : newest_tick) keep.push_back(std::move(e));
  // The kept ticks take their place in seq order among the rest.
  std::sort(keep.begin(), keep.end(), [](const JournalEventPtr& a, const JournalEventPtr& b) { return a->seq < b->seq; });
  cursor_ = counted_ = last;
  pending_live_ = 0;
  if (skip_ && cursor_ > skip_->through) skip_.reset();
  backlog_.assign(std::make_move_iterator(keep.begin()), std::make_move_iterator(keep.end()));
  backlog_live_ = size_t(std::count_if(backlog_.begin(), backlog_.end(),
                                       [&](const JournalEventPtr& e) { return e->seq > live_from_; }));
  if (backlog_live_ > settings_.queue_limit) {
    close_with(websocket::close_code::policy_error,
               "too far behind; reconnect with since (" + std::to_string(backlog_live_) + " events waiting)");
    return false;
  }
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
  delivered_any_ = true;
  out_bufs_.clear();
  if (as_batch && out_events_.size() > kGatherEvents) {
    // A large batch is copied into one buffer: a write takes 64 pieces at
    // most, and copying is far cheaper than a system call per 32 events.
    size_t total = kBatchHead.size() + kBatchTail.size() + out_events_.size();
    for (const auto& e : out_events_) total += e->json.size();
    out_text_.reserve(total);
    out_text_.append(kBatchHead);
    for (size_t i = 0; i < out_events_.size(); ++i) {
      if (i > 0) out_text_.append(kBatchSep);
      out_text_.append(out_events_[i]->json);
    }
    out_text_.append(kBatchTail);
    out_bufs_.emplace_back(out_text_.data(), out_text_.size());
  } else if (as_batch) {
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
  if (out_text_.capacity() > 64 * 1024) out_text_ = std::string();  // a quiet client stays small
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
