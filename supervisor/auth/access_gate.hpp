#pragma once
// What every request passes before it is routed (and every /ws upgrade
// before it is accepted): its key, if it sent one, checked; its client's
// rate limits. The route's own access level is checked by the router,
// which knows the route. Thread-safe: sessions of either loop call it.
//
// Keys come in `Authorization: Bearer <key>` or, for browsers (which
// cannot set headers on a WebSocket), as a `bearer.<key>` entry of
// `Sec-WebSocket-Protocol` on /ws. Never from a query string: those end
// up in logs.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "supervisor/audit/audit_log.hpp"
#include "supervisor/auth/authenticator.hpp"
#include "supervisor/auth/caller.hpp"
#include "supervisor/auth/key_memo.hpp"
#include "supervisor/auth/rate_limiter.hpp"
#include "supervisor/http/api_response.hpp"
#include "supervisor/http/rejections.hpp"

namespace stratd::supervisor::auth {

struct Admission {
  Caller caller;
  std::optional<http::Response> refusal;  // answer this instead of routing
};

// The key a request presents, if any ("" when it sent none); none if it
// sent credentials that are not a bearer key at all.
std::optional<std::string_view> presented_key(const http::Request& req, bool websocket);

class AccessGate {
 public:
  using Done = std::function<void(Admission)>;

  // Refused keys are written to `audit` (may be null).
  AccessGate(const Config& cfg, http::Rejections& rejections, audit::AuditLog* audit = nullptr);
  // A reload: keys, limits.
  void reconfigure(const Config& cfg);

  // `done` runs at once, or, the first time a key is seen, on the key
  // verifier's thread: a session posts it back to its own executor.
  // `memo` (may be null): the connection's last good key, used and
  // updated here on the caller's thread only.
  void admit(const http::Request& req, std::string address, std::string request_id, bool websocket, KeyMemo* memo,
             Done done);

  const Authenticator& authenticator() const { return authenticator_; }
  const RateLimiter& limiter() const { return limiter_; }

 private:
  void finish(boost::beast::http::verb method, Caller caller, Done& done);
  void decide(const Authenticator::Verdict& v, Caller caller, boost::beast::http::verb method, std::string target,
              Done& done);
  Admission bad_key(Caller caller, std::string target);
  static std::string audit_target(const http::Request& req);
  http::Response refuse(http::Rejection why, double retry_after_secs);

  Authenticator authenticator_;
  RateLimiter limiter_;
  http::Rejections& rejections_;
  audit::AuditLog* audit_;
};

}  // namespace stratd::supervisor::auth
