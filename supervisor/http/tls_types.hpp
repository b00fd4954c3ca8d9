#pragma once
// The TLS types connections are declared with.
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace stratd::supervisor::http {

// Shared: a connection keeps the context it was accepted with after a
// reload replaced it.
using TlsContext = std::shared_ptr<boost::asio::ssl::context>;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

}  // namespace stratd::supervisor::http
