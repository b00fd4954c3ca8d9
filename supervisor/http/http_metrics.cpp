#include "supervisor/http/http_metrics.hpp"

#include <charconv>

#include <boost/beast/http/verb.hpp>

namespace stratd::supervisor::http {
namespace bh = boost::beast::http;

void RouteMetrics::observe(bh::verb method, unsigned status, double seconds) {
  latency_.observe(seconds);
  for (auto& a : answers_) {
    if (a.method == method && a.status == status) return a.count.add();
  }
  answers_.emplace_back(method, status).count.add();
}

RouteMetrics& HttpMetrics::route(std::string_view pattern) {
  for (auto& r : routes_) {
    if (r.route() == pattern) return r;
  }
  return routes_.emplace_back(std::string(pattern));
}

void HttpMetrics::write(metrics::Exposition& out) const {
  using metrics::Type;
  auto each_route = [this](auto&& f) {
    for (const auto& r : routes_) f(r);
    f(unmatched_);
  };
  out.family("stratd_http_requests", Type::Counter,
             "HTTP requests answered, by route template, method and status code.");
  each_route([&](const RouteMetrics& r) {
    for (const auto& a : r.answers_) {
      // A method Beast does not know is "<unknown>": one label value for all.
      const auto m = bh::to_string(a.method);
      char code[8];
      auto [end, ec] = std::to_chars(code, code + sizeof code, a.status);
      out.sample({{"route", r.route()},
                  {"method", std::string_view(m.data(), m.size())},
                  {"code", std::string_view(code, size_t(end - code))}},
                 a.count.value());
    }
  });
  out.family("stratd_http_request_duration_seconds", Type::Histogram,
             "Time from routing a request to its answer, by route template.", "seconds");
  each_route([&](const RouteMetrics& r) { out.histogram({{"route", r.route()}}, r.latency_.snapshot()); });
}

}  // namespace stratd::supervisor::http
