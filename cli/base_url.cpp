#include "cli/base_url.hpp"

#include <charconv>

namespace stratd::cli {

std::string BaseUrl::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string BaseUrl::text() const { return (tls ? "https://" : "http://") + authority() + prefix; }

CliExpected<BaseUrl> parse_base_url(std::string_view url) {
  const std::string shown(url.substr(0, 200));
  constexpr std::string_view plain = "http://", secure = "https://";
  const bool tls = url.substr(0, secure.size()) == secure;
  if (!tls && url.substr(0, plain.size()) != plain) {
    if (url.find("://") != std::string_view::npos) {
      return usage_error("URL '" + shown + "': only http:// and https:// are supported");
    }
    return usage_error("URL '" + shown + "' must start with http:// or https://");
  }
  std::string_view rest = url.substr(tls ? secure.size() : plain.size());
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return usage_error("URL '" + shown + "' must not have a query or fragment");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (authority.find('@') != std::string_view::npos) {
    return usage_error("URL '" + shown + "' must not carry credentials");
  }
  BaseUrl out;
  out.tls = tls;
  out.port = tls ? 443 : 80;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return usage_error("URL '" + shown + "' has an unclosed '['");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return usage_error("URL '" + shown + "' has text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return usage_error("URL '" + shown + "' has an empty port");
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return usage_error("URL '" + shown + "' has an empty port");
    }
  }
  if (out.host.empty()) return usage_error("URL '" + shown + "' has no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return usage_error("URL '" + shown + "': the port must be a number from 1 to 65535");
    }
    out.port = uint16_t(port);
  }
  out.prefix = std::string(path);
  return out;
}

}  // namespace stratd::cli
