#include "supervisor/ws/ws_session.hpp"

#include <algorithm>

#include <boost/beast/ssl.hpp>
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

std::string_view to_sv(beast::string_view s) { return {s.data(), s.size()}; }

bool offers_stratd_protocol(std::string_view list) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "stratd") return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The TCP socket under either stream.
net::ip::tcp::socket& tcp_socket(net::ip::tcp::socket& s) { return s; }
net::ip::tcp::socket& tcp_socket(http::TlsStream& s) { return beast::get_lowest_layer(s).socket(); }

}  // namespace

template <class NextLayer>
WsSession<NextLayer>::WsSession(NextLayer&& stream, const WsSessionContext& context, http::ConnectionSlot slot,
                                std::string key)
    : ws_(std::move(stream)), roster_(context.roster), journal_(context.journal), settings_(context.settings),
      rejections_(context.rejections), slot_(std::move(slot)), key_(std::move(key)), timer_(ws_.get_executor()),
      queue_(context.journal, context.settings.queue_limit), logs_(context.logs),
      tokens_(double(context.settings.client_messages_burst)), tokens_at_(Clock::now()) {
  roster_->sessions.insert(this);
  ++roster_->clients;
}

template <class NextLayer>
WsSession<NextLayer>::~WsSession() {
  roster_->metrics.count_close(pending_close_.code, ws_.reason().code);
  roster_->sessions.erase(this);
  --roster_->clients;
}

template <class NextLayer>
void WsSession<NextLayer>::start(beast::http::request<beast::http::string_body> upgrade) {
  beast::error_code ec;
  tcp_socket(ws_.next_layer()).set_option(net::socket_base::send_buffer_size(int(settings_.send_buffer_bytes)), ec);
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(10);
  t.idle_timeout = std::chrono::milliseconds(settings_.idle_timeout_ms);
  t.keep_alive_pings = true;  // a ping at half the idle timeout; no answer by the end closes
  ws_.set_option(t);
  // A browser that sends its key as the subprotocol `bearer.<key>` also
  // offers `stratd`, and fails the connection unless one it offered is
  // chosen: `stratd` is, and the key is never echoed.
  const bool offered = offers_stratd_protocol(to_sv(upgrade[beast::http::field::sec_websocket_protocol]));
  ws_.set_option(websocket::stream_base::decorator([offered](websocket::response_type& res) {
    res.set(beast::http::field::server, "stratd");
    if (offered) res.set(beast::http::field::sec_websocket_protocol, "stratd");
  }));
  ws_.read_message_max(settings_.max_message_bytes);
  ws_.auto_fragment(false);
  queue_.start(Clock::now() + std::chrono::milliseconds(settings_.initial_hold_ms));
  ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::on_accept, this->shared_from_this()));
}

template <class NextLayer>
void WsSession<NextLayer>::on_accept(beast::error_code ec) {
  if (ec) return;
  accepted_ = true;
  if (closing_) {
    // Told to close (shutdown) while the handshake was still under way.
    ws_.async_close(pending_close_, [self = this->shared_from_this()](beast::error_code) {});
    return;
  }
  do_read();
  pump();
}

template <class NextLayer>
void WsSession<NextLayer>::do_read() {
  ws_.async_read(read_buf_, beast::bind_front_handler(&WsSession::on_read, this->shared_from_this()));
}

template <class NextLayer>
void WsSession<NextLayer>::on_read(beast::error_code ec, size_t) {
  if (ec) {
    // Closed, timed out, or a protocol violation (Beast answers those itself).
    closing_ = true;
    timer_.cancel();
    return;
  }
  queue_.end_hold();
  if (!admit_message()) {
    // Refused: what it asks is not looked at.
  } else if (!ws_.got_text()) {
    push_control(error_frame(ErrorCode::InvalidMessage, "messages must be text (JSON)"));
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
  if (!closing_) do_read();
}

template <class NextLayer>
bool WsSession<NextLayer>::admit_message() {
  const auto now = Clock::now();
  const double burst = double(settings_.client_messages_burst);
  tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - tokens_at_).count() *
                                          settings_.client_messages_per_sec);
  tokens_at_ = now;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    refused_in_a_row_ = 0;
    return true;
  }
  if (rejections_) rejections_->count(http::Rejection::WsMessageRate);
  if (++refused_in_a_row_ >= settings_.client_messages_burst) {
    close_with(websocket::close_code::policy_error, "too many messages");
  } else if (refused_in_a_row_ == 1) {
    // Said once per run of refusals: a flood gets no flood of answers.
    push_control(error_frame(ErrorCode::RateLimited,
                             fmt::format("more than {:g} messages per second (bursts of {}): ignored until the "
                                         "rate falls",
                                         settings_.client_messages_per_sec, settings_.client_messages_burst)));
  }
  return false;
}

template <class NextLayer>
void WsSession<NextLayer>::handle(const ClientMessage& m) {
  switch (m.kind) {
    case ClientMessage::Kind::Ping: return push_control(pong_frame(journal_.last_seq()));
    case ClientMessage::Kind::Unsubscribe:
      if (!queue_.unsubscribe(m.selection)) {
        return push_control(error_frame(ErrorCode::InvalidMessage, "more than " + std::to_string(EventFilter::kMaxExcluded) +
                                                                       " runners or symbols excluded; subscribe to a list instead"));
      }
      return push_control(unsubscribed_frame(queue_.filter(), journal_.last_seq()));
    case ClientMessage::Kind::Subscribe: return apply_subscribe(m);
    case ClientMessage::Kind::Logs:
    case ClientMessage::Kind::LogsUnsubscribe: return apply_logs(m);
  }
}

template <class NextLayer>
void WsSession<NextLayer>::apply_logs(const ClientMessage& m) {
  if (!logs_) return push_control(error_frame(ErrorCode::NotFound, "live logs are not available"));
  if (m.kind == ClientMessage::Kind::LogsUnsubscribe) {
    logs_->unfollow(m.runner, this);
    std::erase(followed_logs_, m.runner);
    std::erase_if(log_lines_, [&](const auto& l) { return l.first == m.runner; });
    return push_control(logs_unsubscribed_frame(m.runner));
  }
  if (!logs_->runner_exists(m.runner)) {
    return push_control(error_frame(ErrorCode::RunnerNotFound, "Runner '" + m.runner + "' not found"));
  }
  const bool already = std::find(followed_logs_.begin(), followed_logs_.end(), m.runner) != followed_logs_.end();
  if (!already && followed_logs_.size() >= settings_.max_log_follows) {
    if (rejections_) rejections_->count(http::Rejection::WsSubscriptions);
    return push_control(error_frame(ErrorCode::InvalidMessage, "at most " + std::to_string(settings_.max_log_follows) +
                                                                   " runners' logs may be followed at once; unfollow one first"));
  }
  logs_->follow(m.runner, std::weak_ptr<LogListener>(this->shared_from_this()));
  if (!already) followed_logs_.push_back(m.runner);
  push_control(logs_subscribed_frame(m.runner));
}

template <class NextLayer>
void WsSession<NextLayer>::on_log_line(const std::string& runner_id, const LogLine& line) {
  if (closing_) return;
  if (log_lines_.size() >= kMaxLogLines) {
    log_lines_.pop_front();
    ++log_lines_dropped_;
  }
  log_lines_.emplace_back(runner_id, log_frame(runner_id, line.text, line.timestamp_ms));
  pump();
}

template <class NextLayer>
void WsSession<NextLayer>::apply_subscribe(const ClientMessage& m) {
  if (auto refused = queue_.check_since(m.since)) return push_control(error_frame(refused->code, refused->message));
  const uint64_t last = journal_.last_seq();
  batch_every_ = std::chrono::milliseconds(m.batch_ms.value_or(0));
  queue_.subscribe(m.selection, m.since, std::chrono::milliseconds(m.tick_interval_ms.value_or(0)));
  push_control(subscribed_frame(m, last));
}

template <class NextLayer>
void WsSession<NextLayer>::push_control(std::string frame) {
  if (control_.size() >= settings_.max_control_pending) {
    // The client sends and never reads: it gets no more answers.
    return close_with(websocket::close_code::policy_error, "too many unread replies");
  }
  control_.push_back(std::move(frame));
  pump();
}

template <class NextLayer>
void WsSession<NextLayer>::close_going_away() { close_with(websocket::close_code::going_away, "stratd is stopping"); }

template <class NextLayer>
void WsSession<NextLayer>::close_revoked() {
  close_with(websocket::close_code::policy_error, "the API key was revoked");
}

template <class NextLayer>
void WsSession<NextLayer>::close_with(websocket::close_code code, std::string reason) {
  if (closing_) return;
  closing_ = true;
  timer_.cancel();
  pending_close_ = websocket::close_reason(code, reason);
  if (!accepted_) return;
  if (writing_) {
    close_after_write_ = true;
    return;
  }
  ws_.async_close(pending_close_, [self = this->shared_from_this()](beast::error_code) {});
}

template <class NextLayer>
void WsSession<NextLayer>::arm_timer(Clock::time_point at) {
  if (at >= timer_at_) return;  // an earlier wake-up is already set
  timer_at_ = at;
  timer_.expires_at(at);
  timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec) return;
    self->timer_at_ = Clock::time_point::max();
    self->pump();
  });
}

template <class NextLayer>
void WsSession<NextLayer>::pump() {
  if (!accepted_ || closing_) return;
  // Even while a write is in flight: a stalled client must not let the
  // journal drop what it has not read.
  if (auto reason = queue_.relieve_pressure()) return close_with(websocket::close_code::policy_error, *reason);
  if (writing_) return;
  if (!control_.empty()) return write_control();
  if (const uint64_t dropped = queue_.take_dropped(); dropped > 0) {
    roster_->metrics.count_shed(WsMetrics::Shed::Ticks, dropped);
    control_.push_back(lagged_frame(dropped));
    return write_control();
  }
  if (const uint64_t dropped = std::exchange(log_lines_dropped_, 0); dropped > 0) {
    roster_->metrics.count_shed(WsMetrics::Shed::Logs, dropped);
    control_.push_back(logs_lagged_frame(dropped));
    return write_control();
  }
  const auto now = Clock::now();
  if (auto held = queue_.held_until(now)) return arm_timer(*held);
  const bool batching = batch_every_.count() > 0;
  // batch_ms is how long events may gather, not a rate limit: a batch cut
  // short by its size cap is followed at once by the next.
  if (batching && !batch_was_full_ && now < last_batch_ + batch_every_) {
    if (queue_.has_waiting()) arm_timer(last_batch_ + batch_every_);
    return;
  }
  const size_t limit = batching ? settings_.max_batch_events : 1;
  std::optional<Clock::time_point> tick_due;
  queue_.collect(limit, now, out_events_, tick_due);
  if (tick_due) arm_timer(*tick_due);
  batch_was_full_ = batching && out_events_.size() >= limit;
  if (out_events_.empty()) {
    if (log_lines_.empty()) return;
    std::string line = std::move(log_lines_.front().second);
    log_lines_.pop_front();
    roster_->metrics.count_message(WsMetrics::Message::Logs);
    return write_text(std::move(line));
  }
  if (batching) last_batch_ = now;
  write_events(batching);
}

template <class NextLayer>
void WsSession<NextLayer>::write_control() {
  std::string frame = std::move(control_.front());
  control_.pop_front();
  roster_->metrics.count_message(WsMetrics::Message::Control);
  write_text(std::move(frame));
}

template <class NextLayer>
void WsSession<NextLayer>::write_text(std::string text) {
  writing_ = true;
  out_text_ = std::move(text);
  ws_.text(true);
  ws_.async_write(net::buffer(out_text_), beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
}

template <class NextLayer>
void WsSession<NextLayer>::write_events(bool as_batch) {
  roster_->metrics.count_message(WsMetrics::Message::Events, out_events_.size());
  writing_ = true;
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
  ws_.async_write(out_bufs_, beast::bind_front_handler(&WsSession::on_write, this->shared_from_this()));
}

template <class NextLayer>
void WsSession<NextLayer>::on_write(beast::error_code ec, size_t) {
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
    ws_.async_close(pending_close_, [self = this->shared_from_this()](beast::error_code) {});
    return;
  }
  pump();
}

template class WsSession<net::ip::tcp::socket>;
template class WsSession<http::TlsStream>;

}  // namespace stratd::supervisor::ws
