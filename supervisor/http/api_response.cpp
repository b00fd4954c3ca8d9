#include "supervisor/http/api_response.hpp"

#include "common/clock.hpp"
#include "common/json_codec.hpp"

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

Response reply_error(beast_http::status status, const std::string& code, const std::string& message,
                     Json details) {
  return json_response(
      status, Json{{"status", "error"},
                   {"error", {{"code", code}, {"message", message}, {"details", std::move(details)}}},
                   {"timestamp", wall_secs()}});
}

Response reply_no_content() { return Response{beast_http::status::no_content, 11}; }

}  // namespace stratd::supervisor::http
