#pragma once
// Where stratd is: `--url`, else STRATD_URL, else http://127.0.0.1:3000.
// http:// or https:// (then WebSocket sessions are wss://); a path after
// the port is kept as a prefix, for a stratd behind a reverse proxy under
// a sub-path.
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/cli_error.hpp"

namespace stratd::cli {

inline constexpr std::string_view kDefaultUrl = "http://127.0.0.1:3000";

struct BaseUrl {
  std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 80;
  std::string prefix;  // "" or "/path" without a trailing slash
  // The API key sent with every request and on /ws ($STRATD_API_KEY or
  // the first line of --key-file); empty: none.
  std::string key;
  bool tls = false;    // https://
  // https: the CA certificates (PEM) stratd's certificate must chain to;
  // empty: the system's. From --cacert or STRATD_CACERT, not the URL.
  std::string ca_file;

  // host:port as the Host header wants it.
  std::string authority() const;
  // The URL again, for messages.
  std::string text() const;
};

// Errors: Usage (a malformed URL, or neither http:// nor https://).
CliExpected<BaseUrl> parse_base_url(std::string_view url);

}  // namespace stratd::cli
