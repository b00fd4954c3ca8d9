#pragma once
// The seed's response envelope: {status: "ok", data, timestamp} and
// {status: "error", error: {code, message, details}, timestamp}.
#include <string>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace stratd::supervisor::http {

namespace beast_http = boost::beast::http;
using Json = nlohmann::json;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

Response reply_ok(beast_http::status status, Json data);
// The same envelope around `data` that is already serialized JSON.
Response reply_ok_raw(beast_http::status status, std::string_view data_json);
Response reply_error(beast_http::status status, const std::string& code, const std::string& message,
                     Json details = nullptr);
Response reply_no_content();

}  // namespace stratd::supervisor::http
