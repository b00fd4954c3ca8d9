#include "supervisor/http/router.hpp"

#include <chrono>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

namespace stratd::supervisor::http {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += char(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

std::vector<std::string> split_path(std::string_view target) {
  const auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) out.push_back(percent_decode(path.substr(start, end - start), false));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      out[percent_decode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return out;
}

void Router::add(beast_http::verb method, std::string_view pattern, Access access, Handler handler) {
  add(method, pattern, access,
      CallerHandler([h = std::move(handler)](const Request& req, const PathParams& params, const auth::Caller&,
                                             Respond respond) { h(req, params, std::move(respond)); }));
}

void Router::add(beast_http::verb method, std::string_view pattern, Access access, CallerHandler handler) {
  auto segments = split_path(pattern);
  for (auto& r : routes_) {
    if (r.segments == segments) {
      r.handlers[method] = Method{std::move(handler), access};
      return;
    }
  }
  Route r{std::move(segments), {}, &metrics_.route(pattern)};
  r.handlers[method] = Method{std::move(handler), access};
  routes_.push_back(std::move(r));
}

namespace {
std::string path_of(const Request& req) {
  const auto target = to_sv(req.target());
  return std::string(target.substr(0, std::min<size_t>(target.find('?'), 200)));
}

// The error code an answer carries ("ok" for a success): a body the
// router's own envelope wrote, so a plain search will do.
std::string outcome_of(const Response& res) {
  if (res.result_int() < 400) return "ok";
  const std::string& body = res.body();
  const auto at = body.find(R"("code":")");
  if (at == std::string::npos) return "error";
  const auto start = at + 8;
  return body.substr(start, body.find('"', start) - start);
}

// What a control action acted on: the runner of its path, or the one a
// POST /api/runners names.
std::string audit_target(const Request& req, const PathParams& params) {
  if (!params.empty()) return params.front();
  auto body = Json::parse(req.body(), nullptr, false);
  if (body.is_object() && body.contains("runner_id") && body["runner_id"].is_string()) {
    return body["runner_id"].get<std::string>().substr(0, 200);
  }
  return "";
}

// Control actions: what needs an operator or an admin and changes
// something (reading the audit log is not one).
bool audited(Access a) { return a == Access::Operator || a == Access::Admin; }
}  // namespace

std::optional<Response> Router::check_access(Access access, const auth::Caller& caller) const {
  if (caller.may(policy_->required(access))) return std::nullopt;
  return refuse_access(caller, Request{beast_http::verb::get, "/ws", 11});
}

Response Router::refuse_access(const auth::Caller& caller, const Request& req) const {
  if (rejections_) rejections_->count(caller.role ? Rejection::Forbidden : Rejection::MissingKey);
  // A key used beyond its role is a key use failure; no key at all is
  // only counted (scanners would fill the log).
  if (audit_ && caller.role) {
    audit_->record(audit::AuditLog::entry(caller, "auth.forbidden",
                                          std::string(req.method_string()) + " " + path_of(req), 403, "FORBIDDEN"));
  }
  if (!caller.role) {
    Response res = reply_error(ErrorCode::Unauthorized, "an API key is needed: send Authorization: Bearer <key>");
    res.set(beast_http::field::www_authenticate, "Bearer realm=\"stratd\"");
    return res;
  }
  return reply_error(ErrorCode::Forbidden, "the key '" + caller.key + "' (role " +
                                               std::string(auth::to_string(*caller.role)) + ") may not do this");
}

std::vector<RouteEntry> Router::routes() const {
  std::vector<RouteEntry> out;
  for (const auto& r : routes_) {
    std::string pattern;
    for (const auto& s : r.segments) pattern += "/" + s;
    if (pattern.empty()) pattern = "/";
    for (const auto& [method, m] : r.handlers) out.push_back({method, pattern, m.access});
  }
  return out;
}

void Router::dispatch(const Request& req, const auth::Caller& caller, Respond respond) const {
  const auto started = Clock::now();
  const auto segments = split_path(to_sv(req.target()));
  for (const auto& r : routes_) {
    if (r.segments.size() != segments.size()) continue;
    PathParams params;
    bool match = true;
    for (size_t i = 0; i < segments.size() && match; ++i) {
      if (!r.segments[i].empty() && r.segments[i][0] == ':') {
        params.push_back(segments[i]);
      } else {
        match = r.segments[i] == segments[i];
      }
    }
    if (!match) continue;
    auto answer = [&](Response res) {
      r.metrics->observe(req.method(), res.result_int(), seconds_since(started));
      respond(std::move(res));
    };
    std::string allow;
    for (const auto& [m, _] : r.handlers) {
      allow += (allow.empty() ? "" : ", ") + std::string(beast_http::to_string(m));
    }
    // A preflight carries no credentials (browsers never send them on one).
    if (req.method() == beast_http::verb::options) {
      Response res = reply_no_content();
      res.set(beast_http::field::allow, allow + ", OPTIONS");
      answer(std::move(res));
      return;
    }
    auto h = r.handlers.find(req.method());
    if (h != r.handlers.end() && !caller.may(policy_->required(h->second.access))) {
      answer(refuse_access(caller, req));
      return;
    }
    if (h == r.handlers.end() && !caller.may(auth::Role::Viewer)) {
      answer(refuse_access(caller, req));
      return;
    }
    if (h == r.handlers.end()) {
      Response res = reply_error(ErrorCode::MethodNotAllowed, std::string(req.method_string()) + " is not allowed on this path",
                                 Json{{"allow", allow}});
      res.set(beast_http::field::allow, allow);
      answer(std::move(res));
      return;
    }
    // A handler that throws is a bug, but never one that takes the API
    // (and every runner's supervision) down with it: it is answered 500.
    // A request gets one answer: whichever comes first, the handler's
    // (now or later, from a callback it kept) or the 500.
    struct Once {
      Respond respond;
      RouteMetrics* metrics;
      beast_http::verb method;
      Clock::time_point started;
      std::optional<audit::AuditEntry> audit_entry;  // a control action: written once answered
      audit::AuditLog* audit;
      bool answered = false;
      void operator()(Response res) {
        if (std::exchange(answered, true)) return;
        metrics->observe(method, res.result_int(), seconds_since(started));
        if (audit_entry) {
          audit_entry->status = int(res.result_int());
          audit_entry->outcome = outcome_of(res);
          audit->record(std::move(*audit_entry));
        }
        respond(std::move(res));
      }
    };
    std::optional<audit::AuditEntry> entry;
    if (audit_ && audited(h->second.access) && req.method() != beast_http::verb::get) {
      std::string pattern;
      for (const auto& seg : r.segments) pattern += "/" + seg;
      entry = audit::AuditLog::entry(caller, std::string(req.method_string()) + " " + pattern,
                                     audit_target(req, params), 0, "");
    }
    auto once = std::make_shared<Once>(Once{std::move(respond), r.metrics, req.method(), started, std::move(entry), audit_});
    try {
      h->second.handler(req, params, caller, [once](Response res) { (*once)(std::move(res)); });
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", std::string(req.method_string()), std::string(to_sv(req.target()).substr(0, 200)),
                    e.what());
      (*once)(reply_internal_error("the request"));
    }
    return;
  }
  Response res = caller.may(auth::Role::Viewer)
                     ? reply_error(ErrorCode::NotFound, "no route for " + std::string(to_sv(req.target()).substr(0, 200)))
                     : refuse_access(caller, req);
  metrics_.unmatched().observe(req.method(), res.result_int(), seconds_since(started));
  respond(std::move(res));
}

}  // namespace stratd::supervisor::http
