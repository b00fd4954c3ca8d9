#include "supervisor/http/rejections.hpp"

#include "supervisor/metrics/exposition.hpp"

namespace stratd::supervisor::http {

std::string_view to_string(Rejection r) {
  switch (r) {
    case Rejection::MissingKey: return "missing_key";
    case Rejection::BadKey: return "bad_key";
    case Rejection::Forbidden: return "forbidden";
    case Rejection::OriginNotAllowed: return "origin_not_allowed";
    case Rejection::HostNotAllowed: return "host";
    case Rejection::RateLimited: return "rate_limited";
    case Rejection::MutationRateLimited: return "mutation_rate_limited";
    case Rejection::AuthFailureRateLimited: return "auth_failure_rate_limited";
    case Rejection::HeadersTooLarge: return "headers_too_large";
    case Rejection::UriTooLong: return "uri_too_long";
    case Rejection::BodyTooLarge: return "body_too_large";
    case Rejection::HeaderTimeout: return "header_timeout";
    case Rejection::BodyTimeout: return "body_timeout";
    case Rejection::ConnectionsPerAddress: return "connections_per_address";
    case Rejection::ConnectionsTotal: return "connections_total";
    case Rejection::WsMessageRate: return "ws_message_rate";
    case Rejection::WsSubscriptions: return "ws_subscriptions";
    case Rejection::TlsHandshake: return "tls_handshake";
    case Rejection::kCount: break;
  }
  return "unknown";
}

void Rejections::write(metrics::Exposition& out) const {
  out.family("stratd_http_rejections", metrics::Type::Counter,
             "Requests, connections and WebSocket messages refused before any handler ran, by reason.");
  for (size_t i = 0; i < size_t(Rejection::kCount); ++i) {
    out.sample({{"reason", to_string(Rejection(i))}}, count_of(Rejection(i)));
  }
}

}  // namespace stratd::supervisor::http
