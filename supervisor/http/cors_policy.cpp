#include "supervisor/http/cors_policy.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

namespace stratd::supervisor::http {

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && addr.is_loopback();
}

namespace {
// "http://host:port" → "host".
std::string_view origin_host(std::string_view origin) {
  const auto scheme = origin.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = origin.substr(scheme + 3);
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}
}  // namespace

CorsPolicy::CorsPolicy(const HttpSettings& settings) : settings_(settings), loopback_(is_loopback_host(settings.host)) {}

bool CorsPolicy::any() const {
  const auto& list = settings_.cors_origins;
  return std::find(list.begin(), list.end(), "*") != list.end();
}

bool CorsPolicy::allows(std::string_view origin, std::string_view host_header) const {
  if (origin.empty()) return false;
  // The API's own origin: the same scheme-less host:port the client asked for.
  if (const auto scheme = origin.find("://");
      scheme != std::string_view::npos && !host_header.empty() && origin.substr(scheme + 3) == host_header) {
    return true;
  }
  const auto& list = settings_.cors_origins;
  if (list.empty()) return loopback_ && is_loopback_host(origin_host(origin));
  return any() || std::find(list.begin(), list.end(), origin) != list.end();
}

}  // namespace stratd::supervisor::http
