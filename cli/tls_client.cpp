#include "cli/tls_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include "cli/format.hpp"
#include "cli/io_run.hpp"
#include "cli/tcp_connect.hpp"

namespace stratd::cli {
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;

CliExpected<TlsContext> client_tls_context(const BaseUrl& url) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (url.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(url.ca_file, ec);
    if (ec) return usage_error("--cacert " + url.ca_file + ": " + ec.message());
  }
  return ctx;
}

CliStatus connect_tls(net::io_context& io, TlsStream& stream, const BaseUrl& url, std::chrono::milliseconds timeout) {
  if (auto c = connect_tcp(io, beast::get_lowest_layer(stream), url, timeout); !c) return c;
  // The certificate must name the host: an address as an IP entry, a
  // name as a DNS one (and sent as SNI).
  SSL* native = stream.native_handle();
  boost::system::error_code not_ip;
  net::ip::make_address(url.host, not_ip);
  if (!not_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), url.host.c_str());
  } else {
    SSL_set_tlsext_host_name(native, url.host.c_str());
    SSL_set1_host(native, url.host.c_str());
  }
  bool done = false;
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).expires_after(timeout);
  stream.async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) {
    ec = e;
    done = true;
  });
  run_until(io, done);
  if (ec == beast::error::timeout) {
    return connect_error("timed out after " + seconds_text(timeout) + " in the TLS handshake with " + url.text());
  }
  if (ec) {
    std::string why = ec.message();
    if (const long verify = SSL_get_verify_result(native); verify != X509_V_OK) {
      why = std::string("certificate not trusted: ") + X509_verify_cert_error_string(verify) +
            (url.ca_file.empty() ? " (--cacert FILE names the CA to trust)" : "");
    }
    return connect_error("TLS handshake with " + url.text() + " failed: " + why);
  }
  return Ok{};
}

}  // namespace stratd::cli
