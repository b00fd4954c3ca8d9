#pragma once
// One keep-alive HTTP/1.1 connection to stratd: `ls` asks for the list and
// then every runner's details without a new connection each. Every step
// (resolve, connect, handshake, write, read) has the same deadline. Plain
// TCP for http://, TLS for https:// (tls_client.hpp).
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include "cli/base_url.hpp"
#include "cli/cli_error.hpp"
#include "cli/tls_client.hpp"

namespace stratd::cli {

struct HttpReply {
  unsigned status = 0;
  std::string body;
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::io_context& io, BaseUrl url, std::chrono::milliseconds timeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // `target` is stratd's path and query ("/api/runners?x=1"); the URL's
  // prefix goes before it. Errors: CannotConnect.
  CliExpected<HttpReply> request(boost::beast::http::verb method, const std::string& target,
                                 const std::string& body = {});
  const BaseUrl& url() const { return url_; }

 private:
  // One attempt; `stale` is set when a reused connection turned out closed
  // before any answer came (worth one retry on a fresh one).
  CliExpected<HttpReply> attempt(boost::beast::http::verb method, const std::string& target, const std::string& body,
                                 bool& stale);
  void disconnect();
  CliStatus connect();
  boost::beast::tcp_stream& tcp() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : plain_; }
  // Runs `f` on the stream in use.
  template <class F>
  void with_stream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(plain_);
    }
  }

  boost::asio::io_context& io_;
  BaseUrl url_;
  std::chrono::milliseconds timeout_;
  boost::beast::tcp_stream plain_;
  TlsContext tls_context_;        // https: made on the first connect
  std::optional<TlsStream> tls_;  // https: one per connection
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
  bool reused_ = false;  // the open connection has answered before
};

}  // namespace stratd::cli
