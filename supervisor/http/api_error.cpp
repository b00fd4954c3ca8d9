#include "supervisor/http/api_error.hpp"

namespace stratd::supervisor::http {
namespace {
using status = boost::beast::http::status;

struct Row {
  ErrorCode code;
  std::string_view name;
  status http;
};

// In ErrorCode's order (checked below).
constexpr Row kRows[] = {
    {ErrorCode::ConfigInvalid, "CONFIG_INVALID", status::internal_server_error},
    {ErrorCode::Usage, "USAGE", status::internal_server_error},
    {ErrorCode::StoreError, "STORE_ERROR", status::internal_server_error},
    {ErrorCode::SegmentError, "SEGMENT_ERROR", status::internal_server_error},
    {ErrorCode::SegmentInvalid, "SEGMENT_INVALID", status::internal_server_error},
    {ErrorCode::SpawnFailed, "SPAWN_FAILED", status::internal_server_error},
    {ErrorCode::DecodeError, "DECODE_ERROR", status::internal_server_error},
    {ErrorCode::ListenFailed, "LISTEN_FAILED", status::internal_server_error},
    {ErrorCode::InternalError, "INTERNAL_ERROR", status::internal_server_error},
    {ErrorCode::SnapshotUnavailable, "SNAPSHOT_UNAVAILABLE", status::service_unavailable},
    {ErrorCode::RunnerNotFound, "RUNNER_NOT_FOUND", status::not_found},
    {ErrorCode::RunnerExists, "RUNNER_EXISTS", status::conflict},
    {ErrorCode::RunnerLimit, "RUNNER_LIMIT", status::conflict},
    {ErrorCode::ShuttingDown, "SHUTTING_DOWN", status::service_unavailable},
    {ErrorCode::InvalidStrategyPath, "INVALID_STRATEGY_PATH", status::bad_request},
    {ErrorCode::StrategyNotFound, "STRATEGY_NOT_FOUND", status::not_found},
    {ErrorCode::StrategyInvalid, "STRATEGY_INVALID", status::unprocessable_entity},
    {ErrorCode::InvalidJson, "INVALID_JSON", status::bad_request},
    {ErrorCode::ValidationError, "VALIDATION_ERROR", status::bad_request},
    {ErrorCode::NotFound, "NOT_FOUND", status::not_found},
    {ErrorCode::MethodNotAllowed, "METHOD_NOT_ALLOWED", status::method_not_allowed},
    {ErrorCode::BadRequest, "BAD_REQUEST", status::bad_request},
    {ErrorCode::PayloadTooLarge, "PAYLOAD_TOO_LARGE", status::payload_too_large},
    {ErrorCode::HeadersTooLarge, "HEADERS_TOO_LARGE", status::request_header_fields_too_large},
    {ErrorCode::UpgradeRequired, "UPGRADE_REQUIRED", status::upgrade_required},
    {ErrorCode::TooManyClients, "TOO_MANY_CLIENTS", status::service_unavailable},
    {ErrorCode::Unauthorized, "UNAUTHORIZED", status::unauthorized},
    {ErrorCode::Forbidden, "FORBIDDEN", status::forbidden},
    {ErrorCode::OriginNotAllowed, "ORIGIN_NOT_ALLOWED", status::forbidden},
    // 421, not 403: the request named an authority this server does not
    // answer for (RFC 9110 §15.5.20), which is no matter of who asks;
    // 403 stays the caller's role or origin.
    {ErrorCode::HostNotAllowed, "HOST_NOT_ALLOWED", status::misdirected_request},
    {ErrorCode::RateLimited, "RATE_LIMITED", status::too_many_requests},
    {ErrorCode::UriTooLong, "URI_TOO_LONG", status::uri_too_long},
    {ErrorCode::RequestTimeout, "REQUEST_TIMEOUT", status::request_timeout},
    {ErrorCode::TooManyConnections, "TOO_MANY_CONNECTIONS", status::service_unavailable},
    {ErrorCode::ConfigRefused, "CONFIG_REFUSED", status::unprocessable_entity},
    {ErrorCode::InvalidMessage, "INVALID_MESSAGE", status::bad_request},
    {ErrorCode::UnknownEventType, "UNKNOWN_EVENT_TYPE", status::bad_request},
    {ErrorCode::SinceAhead, "SINCE_AHEAD", status::bad_request},
    {ErrorCode::SinceTooOld, "SINCE_TOO_OLD", status::gone},
    {ErrorCode::SinceAfterChange, "SINCE_AFTER_CHANGE", status::conflict},
    {ErrorCode::InvalidAction, "INVALID_ACTION", status::bad_request},
};

constexpr bool in_order() {
  if (std::size(kRows) != size_t(ErrorCode::kCount)) return false;
  for (size_t i = 0; i < std::size(kRows); ++i) {
    if (size_t(kRows[i].code) != i) return false;
  }
  return true;
}
static_assert(in_order(), "one row per ErrorCode, in its order");

const Row& row(ErrorCode code) {
  return size_t(code) < std::size(kRows) ? kRows[size_t(code)] : kRows[size_t(ErrorCode::InternalError)];
}

}  // namespace

std::string_view wire_name(ErrorCode code) { return row(code).name; }
status http_status(ErrorCode code) { return row(code).http; }

}  // namespace stratd::supervisor::http
