#include "supervisor/ws/ws_metrics.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

namespace stratd::supervisor::ws {
namespace close_code = boost::beast::websocket;

std::string_view to_string(CloseKind k) {
  switch (k) {
    case CloseKind::Normal: return "normal";
    case CloseKind::Policy: return "policy";
    case CloseKind::GoingAway: return "going_away";
    case CloseKind::Error: return "error";
    case CloseKind::kCount: break;
  }
  return "error";
}

CloseKind close_kind(uint16_t sent, uint16_t received) {
  if (sent == close_code::policy_error) return CloseKind::Policy;
  if (sent == close_code::going_away) return CloseKind::GoingAway;
  if (sent != close_code::none || received != close_code::none) return CloseKind::Normal;
  return CloseKind::Error;
}

void WsMetrics::write(metrics::Exposition& out, size_t clients) const {
  using metrics::Type;
  out.family("stratd_websocket_clients", Type::Gauge, "WebSocket clients connected.");
  out.sample({}, clients);
  out.family("stratd_websocket_messages_sent", Type::Counter,
             "WebSocket messages written: events (one event, or a batch of them), control frames "
             "(acknowledgements, errors, pongs, lagged notices) and log lines.");
  out.sample({{"kind", "events"}}, messages_[size_t(Message::Events)].value());
  out.sample({{"kind", "control"}}, messages_[size_t(Message::Control)].value());
  out.sample({{"kind", "logs"}}, messages_[size_t(Message::Logs)].value());
  out.family("stratd_websocket_events_sent", Type::Counter, "Events written to WebSocket clients, batched or not.");
  out.sample({}, events_.value());
  out.family("stratd_websocket_shed", Type::Counter,
             "What slow WebSocket clients were not sent (ticks, log lines), as their lagged messages told them.");
  out.sample({{"kind", "ticks"}}, shed_[size_t(Shed::Ticks)].value());
  out.sample({{"kind", "logs"}}, shed_[size_t(Shed::Logs)].value());
  out.family("stratd_websocket_closed", Type::Counter, "WebSocket sessions ended, by reason.");
  for (size_t k = 0; k < closed_.size(); ++k) out.sample({{"reason", to_string(CloseKind(k))}}, closed_[k].value());
}

}  // namespace stratd::supervisor::ws
