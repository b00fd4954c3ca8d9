#pragma once
// The seed's response envelope: {status: "ok", data, timestamp} and
// {status: "error", error: {code, message, details}, timestamp}.
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace stratd::supervisor::http {

namespace beast_http = boost::beast::http;
using Json = nlohmann::json;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

Response reply_ok(beast_http::status status, Json data);
// The same envelope around `data` that is already serialized JSON.
Response reply_ok_raw(beast_http::status status, std::string_view data_json);
// The error's own status and wire name (api_error.hpp).
Response reply_error(ErrorCode code, const std::string& message, Json details = nullptr);
// An error from below: shown as it is, unless it is stratd's own failure,
// which is logged and answered INTERNAL_ERROR naming only `what` failed.
Response reply_failure(const Error& e, std::string_view what, Json details = nullptr);
// INTERNAL_ERROR for `what`, with the request's id for the log's lines.
Response reply_internal_error(std::string_view what);
Response reply_no_content();

}  // namespace stratd::supervisor::http
