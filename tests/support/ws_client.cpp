#include "tests/support/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "tests/support/openapi_spec.hpp"

namespace stratd::test {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WsClient::Impl {
  net::io_context io;
  websocket::stream<net::ip::tcp::socket> ws{io};
  beast::flat_buffer buf;
  bool reading = false;
  bool done = false;  // a read completed and its message is in buf
  bool is_closed = false;
  int code = 0;
  int pings = 0;
  beast::error_code last_error;
  websocket::response_type handshake_answer;

  void start_read() {
    reading = true;
    done = false;
    ws.async_read(buf, [this](beast::error_code ec, size_t) {
      reading = false;
      if (ec) {
        is_closed = true;
        last_error = ec;
        code = ws.reason().code;
        return;
      }
      done = true;
    });
  }
};

WsClient::WsClient(const std::string& host, uint16_t port, int receive_buffer_bytes)
    : WsClient(host, port, WsUpgrade{}, receive_buffer_bytes) {}

std::string WsClient::response_header(const std::string& name) const {
  auto it = impl_->handshake_answer.find(name);
  return it == impl_->handshake_answer.end() ? std::string() : std::string(it->value());
}

WsClient::WsClient(const std::string& host, uint16_t port, const WsUpgrade& upgrade, int receive_buffer_bytes)
    : impl_(std::make_unique<Impl>()) {
  auto& sock = impl_->ws.next_layer();
  sock.open(net::ip::tcp::v4());
  if (receive_buffer_bytes > 0) sock.set_option(net::socket_base::receive_buffer_size(receive_buffer_bytes));
  sock.connect({net::ip::make_address(host), port});
  impl_->ws.read_message_max(64 << 20);
  impl_->ws.control_callback([d = impl_.get()](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++d->pings;
  });
  impl_->ws.set_option(websocket::stream_base::decorator([headers = upgrade.headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  impl_->ws.handshake(impl_->handshake_answer, host + ":" + std::to_string(port), upgrade.target);
}

WsClient::~WsClient() {
  boost::system::error_code ec;
  impl_->ws.next_layer().close(ec);
}

void WsClient::send(const std::string& text) {
  impl_->ws.text(true);
  impl_->ws.write(net::buffer(text));
}

std::optional<nlohmann::json> WsClient::next(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (d.is_closed) return std::nullopt;
  if (!d.reading && !d.done) d.start_read();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!d.done && !d.is_closed && std::chrono::steady_clock::now() < deadline) {
    d.io.restart();
    d.io.run_one_until(deadline);
  }
  if (!d.done) return std::nullopt;
  d.done = false;
  std::string text = beast::buffers_to_string(d.buf.data());
  d.buf.consume(d.buf.size());
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "stratd sent a WebSocket message that is not JSON: " << text.substr(0, 300);
    return nlohmann::json(text);
  }
  // Every message stratd sends is one docs/openapi.yaml describes.
  if (auto why = OpenApiSpec::installed().schemas().check_ref(j, "#/components/schemas/WsServerMessage")) {
    ADD_FAILURE() << "stratd's WebSocket message is not a WsServerMessage of docs/openapi.yaml: " << *why
                  << "\nmessage: " << text.substr(0, 500);
  }
  return j;
}

std::optional<nlohmann::json> WsClient::next_where(const std::function<bool(const nlohmann::json&)>& pred,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto m = next(left);
    if (!m) return std::nullopt;
    if (pred(*m)) return m;
  }
}

bool WsClient::closed() const { return impl_->is_closed; }
int WsClient::close_code() const { return impl_->code; }
int WsClient::pings() const { return impl_->pings; }

void WsClient::close() {
  // Abrupt, as a client that vanishes: the server must cope either way.
  boost::system::error_code ec;
  impl_->ws.next_layer().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  impl_->ws.next_layer().close(ec);
  impl_->is_closed = true;
}

std::vector<nlohmann::json> events_of(const nlohmann::json& message) {
  if (message.is_object() && message.value("type", "") == "batch") return message["events"].get<std::vector<nlohmann::json>>();
  return {message};
}

}  // namespace stratd::test
