#pragma once
// stratctl's side of https:// and wss://: stratd's certificate must chain
// to the CA certificates of --cacert (else the system's) and name the
// URL's host; TLS 1.2 at least; the handshake within the command's
// deadline, like every other step.
#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "cli/base_url.hpp"
#include "cli/cli_error.hpp"

namespace stratd::cli {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
using TlsContext = std::shared_ptr<boost::asio::ssl::context>;

// Errors: Usage (a CA file that cannot be read).
CliExpected<TlsContext> client_tls_context(const BaseUrl& url);
// Connects the stream's TCP layer and shakes hands. Errors: CannotConnect
// (the certificate not trusted, or not the host's, among them).
CliStatus connect_tls(boost::asio::io_context& io, TlsStream& stream, const BaseUrl& url,
                      std::chrono::milliseconds timeout);

}  // namespace stratd::cli
