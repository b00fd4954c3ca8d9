#include "cli/http_connection.hpp"

#include <boost/beast/http.hpp>

#include "cli/io_run.hpp"
#include "cli/tcp_connect.hpp"

namespace stratd::cli {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// A log page of 10000 lines, with room to spare.
constexpr uint64_t kMaxReplyBytes = 64ull << 20;
}  // namespace

HttpConnection::HttpConnection(net::io_context& io, BaseUrl url, std::chrono::milliseconds timeout)
    : io_(io), url_(std::move(url)), timeout_(timeout), plain_(io) {}

HttpConnection::~HttpConnection() { disconnect(); }

void HttpConnection::disconnect() {
  if (!open_) return;
  boost::system::error_code ec;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
  tcp().close();
  tls_.reset();
  open_ = false;
  reused_ = false;
  buffer_.clear();
}

CliStatus HttpConnection::connect() {
  if (!url_.tls) return connect_tcp(io_, plain_, url_, timeout_);
  if (!tls_context_) {
    auto ctx = client_tls_context(url_);
    if (!ctx) return Unexpected<CliError>{ctx.error()};
    tls_context_ = std::move(*ctx);
  }
  // A fresh SSL session per connection: one that was shut down is spent.
  tls_.emplace(io_, *tls_context_);
  auto c = connect_tls(io_, *tls_, url_, timeout_);
  if (!c) {
    tcp().close();
    tls_.reset();
  }
  return c;
}

CliExpected<HttpReply> HttpConnection::request(http::verb method, const std::string& target, const std::string& body) {
  bool stale = false;
  auto reply = attempt(method, target, body, stale);
  // stratd closed an idle keep-alive connection under us. Only a GET is
  // sent again: a POST may have been acted on before the close.
  if (!reply && stale && method == http::verb::get) reply = attempt(method, target, body, stale);
  return reply;
}

CliExpected<HttpReply> HttpConnection::attempt(http::verb method, const std::string& target, const std::string& body,
                                               bool& stale) {
  stale = false;
  if (!open_) {
    if (auto c = connect(); !c) return Unexpected<CliError>{c.error()};
    open_ = true;
  }
  const bool was_reused = reused_;

  http::request<http::string_body> req{method, url_.prefix + target, 11};
  req.set(http::field::host, url_.authority());
  req.set(http::field::user_agent, "stratctl/" STRATCTL_VERSION);
  req.set(http::field::accept, "application/json");
  if (!url_.key.empty()) req.set(http::field::authorization, "Bearer " + url_.key);
  req.keep_alive(true);
  if (!body.empty() || method == http::verb::post) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();

  bool done = false;
  boost::system::error_code ec;
  tcp().expires_after(timeout_);
  with_stream([&](auto& stream) {
    http::async_write(stream, req, [&](boost::system::error_code e, size_t) {
      ec = e;
      done = true;
    });
  });
  run_until(io_, done);
  if (ec) {
    disconnect();
    stale = was_reused;
    return transfer_error(url_, "sending to", ec, timeout_);
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  done = false;
  tcp().expires_after(timeout_);
  with_stream([&](auto& stream) {
    http::async_read(stream, buffer_, parser, [&](boost::system::error_code e, size_t) {
      ec = e;
      done = true;
    });
  });
  run_until(io_, done);
  if (ec) {
    const bool nothing_came = !parser.got_some();
    disconnect();
    stale = was_reused && nothing_came && ec != beast::error::timeout;
    return transfer_error(url_, "reading from", ec, timeout_);
  }
  auto res = parser.release();
  HttpReply out{res.result_int(), std::move(res.body())};
  if (res.keep_alive()) {
    reused_ = true;
  } else {
    disconnect();
  }
  return out;
}

}  // namespace stratd::cli
