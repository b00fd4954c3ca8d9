#pragma once
// stratd's REST API through its envelope: `data` of an ok answer, or the
// error's code, message and details as a CliError (exit code 1).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/http_connection.hpp"

namespace stratd::cli {

class ApiClient {
 public:
  explicit ApiClient(HttpConnection& http) : http_(http) {}

  // `data`, or null for an answer without a body (204).
  CliExpected<nlohmann::json> get(const std::string& target) { return call(boost::beast::http::verb::get, target, ""); }
  CliExpected<nlohmann::json> post(const std::string& target, const std::string& body = "") {
    return call(boost::beast::http::verb::post, target, body);
  }
  CliExpected<nlohmann::json> del(const std::string& target) {
    return call(boost::beast::http::verb::delete_, target, "");
  }
  const BaseUrl& url() const { return http_.url(); }

 private:
  CliExpected<nlohmann::json> call(boost::beast::http::verb method, const std::string& target, const std::string& body);
  HttpConnection& http_;
};

// Reads an answer's envelope. Errors: ServerError (stratd's code, or
// BAD_RESPONSE when the answer is not stratd's envelope).
CliExpected<nlohmann::json> read_envelope(unsigned status, std::string_view body);

// "/api/runners/" + the id, escaped so that any text stays one segment.
std::string runner_path(std::string_view id, std::string_view tail = "");
// Percent-encodes a path segment or a query value.
std::string url_encode(std::string_view text);

}  // namespace stratd::cli
