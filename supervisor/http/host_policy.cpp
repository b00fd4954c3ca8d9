#include "supervisor/http/host_policy.hpp"

#include <algorithm>

#include "common/ascii.hpp"
#include "common/host_authority.hpp"
#include "supervisor/http/cors_policy.hpp"

namespace stratd::supervisor::http {
namespace {

bool ends_with_name(std::string_view host, std::string_view suffix) {
  return host.size() > suffix.size() && ascii_iequals(host.substr(host.size() - suffix.size()), suffix);
}

// The names that reach this host only, whatever DNS says.
bool local_name(std::string_view host) {
  return ascii_iequals(host, "localhost") || ends_with_name(host, ".localhost") || host == "127.0.0.1" ||
         host == "[::1]";
}

// The listen address as a Host names it: an IPv6 one in brackets.
bool listen_address(std::string_view host, std::string_view listen) {
  if (host.size() > 2 && host.front() == '[' && listen.find(':') != std::string_view::npos) {
    return ascii_iequals(host.substr(1, host.size() - 2), listen);
  }
  return ascii_iequals(host, listen);
}

}  // namespace

HostPolicy::HostPolicy(const HttpSettings& settings)
    : settings_(settings), loopback_(is_loopback_host(settings.host)) {}

bool HostPolicy::allows(std::string_view host_header) const {
  if (host_header.empty()) return true;
  const auto& list = settings_.allowed_hosts;
  if (list.empty() && !loopback_) return true;
  if (std::find(list.begin(), list.end(), "*") != list.end()) return true;
  const auto host = parse_host_authority(host_header);
  if (!host) return false;
  if (local_name(host->host) || listen_address(host->host, settings_.host)) return true;
  for (const auto& entry : list) {
    const auto allowed = parse_host_authority(entry);  // checked at load: always a host
    if (allowed && ascii_iequals(allowed->host, host->host) && (!allowed->port || allowed->port == host->port)) {
      return true;
    }
  }
  return false;
}

}  // namespace stratd::supervisor::http
