#pragma once
// Method + path routing with :param segments. Unknown paths get 404,
// known paths with another method 405 (with Allow), OPTIONS a preflight.
// Every answer is counted by its route template (http_metrics.hpp).
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/http/api_response.hpp"
#include "supervisor/http/http_metrics.hpp"

namespace stratd::supervisor::http {

using Respond = std::function<void(Response)>;
using PathParams = std::vector<std::string>;  // :param values in order
using Handler = std::function<void(const Request&, const PathParams&, Respond)>;

// A registered route: its method and pattern ("/api/runners/:id").
struct RouteEntry {
  beast_http::verb method;
  std::string pattern;
  bool operator==(const RouteEntry&) const = default;
};

class Router {
 public:
  Router() = default;
  Router(const Router&) = delete;  // routes point into its metrics
  Router& operator=(const Router&) = delete;
  void add(beast_http::verb method, std::string_view pattern, Handler handler);
  void dispatch(const Request& req, Respond respond) const;
  const HttpMetrics& metrics() const { return metrics_; }
  // Every method and pattern added, in the order the paths were first
  // added. OPTIONS is not among them: every path answers it (a preflight).
  std::vector<RouteEntry> routes() const;

 private:
  struct Route {
    std::vector<std::string> segments;  // ":x" marks a parameter
    std::map<beast_http::verb, Handler> handlers;
    RouteMetrics* metrics;
  };
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
