#pragma once
// The TLS stratd serves: an OpenSSL context made from [tls]'s certificate
// and key, TLS 1.2 and 1.3 only (1.2 with forward-secret AEAD suites only:
// ECDHE with AES-GCM or ChaCha20-Poly1305; 1.3 with OpenSSL's defaults),
// the server's cipher order, no compression, no renegotiation. Made at
// start and again on every SIGHUP (the files re-read even when their paths
// did not change); a connection keeps the context it was accepted with.
#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"
#include "common/settings.hpp"
#include "supervisor/http/tls_types.hpp"

namespace stratd::supervisor::http {

// Errors: ConfigInvalid, naming the file and OpenSSL's reason (a missing
// file, not PEM, a key that is not the certificate's).
Expected<TlsContext> make_tls_context(const TlsSettings& tls);

}  // namespace stratd::supervisor::http
