#include "cli/api_client.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

CliExpected<Json> ApiClient::call(boost::beast::http::verb method, const std::string& target, const std::string& body) {
  auto reply = http_.request(method, target, body);
  if (!reply) return Unexpected<CliError>{reply.error()};
  return read_envelope(reply->status, reply->body);
}

CliExpected<Json> read_envelope(unsigned status, std::string_view body) {
  if (status == 204 && body.empty()) return Json(nullptr);
  const std::string where = "HTTP " + std::to_string(status);
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("status")) {
    return server_error("BAD_RESPONSE", where + " without stratd's envelope (is this stratd?)");
  }
  if (j["status"] == "ok" && status < 300) return j.contains("data") ? std::move(j["data"]) : Json(nullptr);
  const Json e = j.value("error", Json(nullptr));
  if (j["status"] != "error" || !e.is_object() || !e.contains("code")) {
    return server_error("BAD_RESPONSE", where + " with an envelope stratctl cannot read");
  }
  const std::string code = e["code"].is_string() ? e["code"].get<std::string>() : e["code"].dump();
  std::string message;
  if (auto m = e.find("message"); m != e.end() && m->is_string()) message = m->get<std::string>();
  return server_error(code, message.empty() ? where : message, e.value("details", Json(nullptr)));
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.' || c == '~';
    if (plain) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string runner_path(std::string_view id, std::string_view tail) {
  return "/api/runners/" + url_encode(id) + std::string(tail);
}

}  // namespace stratd::cli
