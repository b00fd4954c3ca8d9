#pragma once
// Which browser origins may call the API ([cors] allowed_origins), for
// CORS answers and for WebSocket upgrades, where a browser sends Origin
// but obeys no CORS (cross-site WebSocket hijacking). An origin is
// allowed if it is the API's own (Origin matching Host), listed, or the
// list is "*". With no list, loopback origins (localhost, 127.0.0.0/8,
// [::1]) are allowed while stratd listens on loopback: a dashboard's dev
// server works, other sites do not; on any other address, only the
// API's own origin.
#include <string_view>

#include "common/settings.hpp"

namespace stratd::supervisor::http {

class CorsPolicy {
 public:
  explicit CorsPolicy(const HttpSettings& settings);
  bool allows(std::string_view origin, std::string_view host_header) const;
  // "*" when any origin is configured, else the origin itself.
  bool any() const;
  const HttpSettings& settings() const { return settings_; }

 private:
  const HttpSettings& settings_;  // the list reloads live
  bool loopback_;                 // the listen address (restart only)
};

bool is_loopback_host(std::string_view host);

}  // namespace stratd::supervisor::http
