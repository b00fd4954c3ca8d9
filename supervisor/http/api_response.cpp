#include "supervisor/http/api_response.hpp"

#include "common/clock.hpp"

namespace stratd::supervisor::http {

namespace {
Response json_response(beast_http::status status, const Json& body) {
  Response res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  // Invalid UTF-8 from any source is replaced rather than failing the reply.
  res.body() = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return res;
}
}  // namespace

Response reply_ok(beast_http::status status, Json data) {
  return json_response(status, Json{{"status", "ok"}, {"data", std::move(data)}, {"timestamp", wall_secs()}});
}

Response reply_error(beast_http::status status, const std::string& code, const std::string& message,
                     Json details) {
  return json_response(
      status, Json{{"status", "error"},
                   {"error", {{"code", code}, {"message", message}, {"details", std::move(details)}}},
                   {"timestamp", wall_secs()}});
}

Response reply_no_content() { return Response{beast_http::status::no_content, 11}; }

}  // namespace stratd::supervisor::http
