#include "supervisor/http/api_response.hpp"

#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/json_codec.hpp"
#include "common/logging.hpp"
#include "supervisor/http/api_error.hpp"

namespace stratd::supervisor::http {

namespace {
Response json_response(beast_http::status status, const Json& body) {
  Response res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  // Invalid UTF-8 from any source is replaced rather than failing the reply.
  res.body() = json_text(body);
  return res;
}
}  // namespace

Response reply_ok(beast_http::status status, Json data) {
  return json_response(status, Json{{"status", "ok"}, {"data", std::move(data)}, {"timestamp", wall_secs()}});
}

Response reply_ok_raw(beast_http::status status, std::string_view data_json) {
  Response res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  std::string& body = res.body();
  body.reserve(data_json.size() + 48);
  body += R"({"status":"ok","data":)";
  body += data_json;
  body += R"(,"timestamp":)";
  body += std::to_string(wall_secs());
  body += '}';
  return res;
}

Response reply_error(ErrorCode code, const std::string& message, Json details) {
  return json_response(http_status(code),
                       Json{{"status", "error"},
                            {"error", {{"code", wire_name(code)}, {"message", message}, {"details", std::move(details)}}},
                            {"timestamp", wall_secs()}});
}

Response reply_internal_error(std::string_view what) {
  // Never the cause itself (a path, an SQLite message): the log has it,
  // under the request's id.
  std::string message = std::string(what) + " failed; see stratd's log";
  if (const auto id = current_request_id(); !id.empty()) message += " (request " + std::string(id) + ")";
  return reply_error(ErrorCode::InternalError, message);
}

Response reply_failure(const Error& e, std::string_view what, Json details) {
  if (is_internal(e.code)) {
    spdlog::error("{}: {}", what, e.message);
    return reply_internal_error(what);
  }
  return reply_error(e.code, e.message, std::move(details));
}

Response reply_no_content() { return Response{beast_http::status::no_content, 11}; }

}  // namespace stratd::supervisor::http
