#pragma once
// What the router counts of the requests it answers: per route template
// (the matched pattern, `/api/runners/:id`, never the path itself, so ids
// never become labels; `unmatched` for a path no route knows), the answers
// by method and status code, and the time from dispatch to the answer.
// Written and read on the HTTP loop's thread alone.
#include <deque>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>

#include "supervisor/metrics/exposition.hpp"
#include "supervisor/metrics/instruments.hpp"

namespace stratd::supervisor::http {

class RouteMetrics {
 public:
  explicit RouteMetrics(std::string route) : route_(std::move(route)) {}
  void observe(boost::beast::http::verb method, unsigned status, double seconds);
  const std::string& route() const { return route_; }

 private:
  friend class HttpMetrics;
  struct Answers {
    // Spelled out: clang 14 has no C++20 aggregate init from parentheses.
    Answers(boost::beast::http::verb m, unsigned s) : method(m), status(s) {}
    boost::beast::http::verb method;
    unsigned status;
    metrics::Counter count;
  };
  std::string route_;
  metrics::Histogram latency_;
  std::deque<Answers> answers_;  // a few per route: looked up in order; a deque never moves them
};

class HttpMetrics {
 public:
  // The route's instruments, made on first use (at registration).
  RouteMetrics& route(std::string_view pattern);
  RouteMetrics& unmatched() { return unmatched_; }
  // stratd_http_requests_total and stratd_http_request_duration_seconds.
  void write(metrics::Exposition& out) const;

 private:
  std::deque<RouteMetrics> routes_;
  RouteMetrics unmatched_{"unmatched"};
};

}  // namespace stratd::supervisor::http
