#pragma once
// Method + path routing with :param segments. Unknown paths get 404,
// known paths with another method 405 (with Allow), OPTIONS a preflight.
// Each route says what access it needs (auth/role.hpp); a caller without
// it gets 401 (no key) or 403 (a key whose role is not enough), and with
// keys configured a caller without one learns nothing of which paths
// exist (401 before 404). Every answer is counted by its route template
// (http_metrics.hpp).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/audit/audit_log.hpp"
#include "supervisor/auth/access_policy.hpp"
#include "supervisor/auth/caller.hpp"
#include "supervisor/http/api_response.hpp"
#include "supervisor/http/http_metrics.hpp"
#include "supervisor/http/rejections.hpp"

namespace stratd::supervisor::http {

using Respond = std::function<void(Response)>;
using PathParams = std::vector<std::string>;  // :param values in order
using Handler = std::function<void(const Request&, const PathParams&, Respond)>;
// A handler that needs to know who asked (the audit log).
using CallerHandler = std::function<void(const Request&, const PathParams&, const auth::Caller&, Respond)>;
using auth::Access;

// A registered route: its method, pattern ("/api/runners/:id") and access.
struct RouteEntry {
  beast_http::verb method;
  std::string pattern;
  Access access;
  bool operator==(const RouteEntry&) const = default;
};

class Router {
 public:
  // `policy` (may be null: the defaults) says what Health and Metrics ask;
  // refusals are counted in `rejections`; control actions (routes that
  // need an operator or an admin) and keys refused for their role are
  // written to `audit` (each may be null).
  explicit Router(const auth::AccessPolicy* policy = nullptr, Rejections* rejections = nullptr,
                  audit::AuditLog* audit = nullptr)
      : policy_(policy ? policy : &kDefaultPolicy), rejections_(rejections), audit_(audit) {}
  Router(const Router&) = delete;  // routes point into its metrics
  Router& operator=(const Router&) = delete;
  void add(beast_http::verb method, std::string_view pattern, Access access, Handler handler);
  void add(beast_http::verb method, std::string_view pattern, Access access, CallerHandler handler);
  void dispatch(const Request& req, const auth::Caller& caller, Respond respond) const;
  // With every access (in-process tests and the fuzzer).
  void dispatch(const Request& req, Respond respond) const {
    dispatch(req, auth::Caller::unrestricted(), std::move(respond));
  }
  const auth::AccessPolicy& policy() const { return *policy_; }
  // The 401 or 403 for a caller without `access` (/ws is not routed here).
  std::optional<Response> check_access(Access access, const auth::Caller& caller) const;
  const HttpMetrics& metrics() const { return metrics_; }
  // Every method and pattern added, in the order the paths were first
  // added. OPTIONS is not among them: every path answers it (a preflight).
  std::vector<RouteEntry> routes() const;

 private:
  struct Method {
    CallerHandler handler;
    Access access;
  };
  struct Route {
    std::vector<std::string> segments;  // ":x" marks a parameter
    std::map<beast_http::verb, Method> handlers;
    RouteMetrics* metrics;
  };
  static inline const auth::AccessPolicy kDefaultPolicy{};
  Response refuse_access(const auth::Caller& caller, const Request& req) const;

  const auth::AccessPolicy* policy_;
  Rejections* rejections_;
  audit::AuditLog* audit_;
  std::vector<Route> routes_;
  // Counted by dispatch, which is const to its callers: on the loop's thread.
  mutable HttpMetrics metrics_;
};

// Beast 1.74 has its own string_view.
inline std::string_view to_sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

// The path without its query string, split on '/', percent-decoded.
std::vector<std::string> split_path(std::string_view target);
// Query parameters of a request target (last one wins).
std::map<std::string, std::string> parse_query(std::string_view target);

}  // namespace stratd::supervisor::http
