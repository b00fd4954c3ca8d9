#include "tests/support/http_client.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace stratd::test {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

bool connect_with_timeouts(net::ip::tcp::socket& s, const std::string& host, uint16_t port, std::string& err) {
  boost::system::error_code ec;
  s.connect({net::ip::make_address(host), port}, ec);
  if (ec) {
    err = ec.message();
    return false;
  }
  timeval tv{10, 0};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return true;
}

HttpResult read_response(net::ip::tcp::socket& s) {
  HttpResult out;
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  boost::system::error_code ec;
  http::read(s, buf, parser, ec);
  if (ec) {
    out.error = ec.message();
    return out;
  }
  auto res = parser.release();
  out.status = int(res.result_int());
  out.raw = res.body();
  if (auto it = res.find(http::field::allow); it != res.end()) out.allow = std::string(it->value());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = nlohmann::json::parse(out.raw, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

}  // namespace

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) const {
  net::io_context io;
  net::ip::tcp::socket s(io);
  HttpResult fail_result;
  if (!connect_with_timeouts(s, host_, port_, fail_result.error)) return fail_result;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host_);
  req.keep_alive(false);
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  boost::system::error_code ec;
  http::write(s, req, ec);
  if (ec) {
    fail_result.error = ec.message();
    return fail_result;
  }
  return read_response(s);
}

HttpResult HttpClient::raw(const std::string& bytes) const {
  net::io_context io;
  net::ip::tcp::socket s(io);
  HttpResult fail_result;
  if (!connect_with_timeouts(s, host_, port_, fail_result.error)) return fail_result;
  boost::system::error_code ec;
  net::write(s, net::buffer(bytes), ec);
  // The server may answer before reading everything (e.g. 413): read anyway.
  return read_response(s);
}

}  // namespace stratd::test
