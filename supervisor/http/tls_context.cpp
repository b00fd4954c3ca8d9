#include "supervisor/http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace stratd::supervisor::http {
namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 list without its DHE suites.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Unexpected<Error> refused(const std::string& what, const boost::system::error_code& ec) {
  return fail(ErrorCode::ConfigInvalid, "TLS: " + what + ": " + ec.message());
}

}  // namespace

Expected<TlsContext> make_tls_context(const TlsSettings& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return refused("options", ec);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::InternalError, "TLS: this OpenSSL refuses stratd's protocol settings");
  }
  ctx->use_certificate_chain_file(tls.cert, ec);
  if (ec) return refused("certificate " + tls.cert, ec);
  ctx->use_private_key_file(tls.key, ssl::context::pem, ec);
  if (ec) return refused("private key " + tls.key, ec);
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::ConfigInvalid, "TLS: private key " + tls.key + " does not match certificate " + tls.cert);
  }
  return ctx;
}

}  // namespace stratd::supervisor::http
