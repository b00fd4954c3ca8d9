#pragma once
// The edge where a typed error becomes what a client reads: its stable
// wire name (the seed's RUNNER_NOT_FOUND, ...) and, over REST, its HTTP
// status. The WebSocket protocol uses the same names.
#include <string_view>

#include <ostream>

#include <boost/beast/http/status.hpp>

#include "common/error_code.hpp"

namespace stratd::supervisor::http {

std::string_view wire_name(ErrorCode code);
boost::beast::http::status http_status(ErrorCode code);
// Errors of stratd's own making (a store that fails, a spawn that cannot
// happen): logged, and shown to the client only as INTERNAL_ERROR.
inline bool is_internal(ErrorCode code) {
  return http_status(code) == boost::beast::http::status::internal_server_error;
}

}  // namespace stratd::supervisor::http
