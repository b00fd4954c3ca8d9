#include <charconv>

#include <spdlog/spdlog.h>

#include "common/json_codec.hpp"
#include "common/validation.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/http/runner_request.hpp"
#include "supervisor/http/runner_json.hpp"
#include "supervisor/logs/log_line.hpp"
#include "supervisor/logs/log_reader.hpp"

namespace stratd::supervisor::http {
namespace {
using beast_http::status;
using beast_http::verb;

Response not_found(const std::string& id) {
  return reply_error(ErrorCode::RunnerNotFound, "Runner '" + id.substr(0, 64) + "' not found");
}

std::optional<size_t> parse_count(const std::string& s) {
  size_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 1'000'000) return std::nullopt;
  return v;
}

// A query's count in [1, max], into `out` if given; the refusal if it is bad.
std::optional<Response> read_count(const std::map<std::string, std::string>& q, const std::string& key, size_t max,
                                   size_t& out) {
  auto it = q.find(key);
  if (it == q.end()) return std::nullopt;
  auto n = parse_count(it->second);
  if (!n || *n > max) {
    const std::string problem = "must be an integer from 1 to " + std::to_string(max);
    return reply_error(ErrorCode::ValidationError, key + " " + problem, Json{{"fields", {{key, problem}}}});
  }
  out = *n;
  return std::nullopt;
}

}  // namespace

void add_runner_routes(Router& router, ApiContext& ctx) {
  // Looks the runner up, answering 404 itself when there is none.
  auto with_runner = [&ctx](auto fn) {
    return [&ctx, fn](const Request& req, const PathParams& p, Respond respond) {
      const Runner* r = is_valid_runner_id(p[0]) ? ctx.registry.find(p[0]) : nullptr;
      if (!r) return respond(not_found(p[0]));
      fn(req, *r, std::move(respond));
    };
  };

  router.add(verb::get, "/api/runners", Access::Viewer, [&ctx](const Request&, const PathParams&, Respond respond) {
    respond(reply_ok_raw(status::ok, runner_list_json(ctx)));
  });

  router.add(verb::post, "/api/runners", Access::Admin, [&ctx](const Request& req, const PathParams&, Respond respond) {
    Json details = nullptr;
    auto spec = parse_add_request(req.body(), ctx.config, details);
    if (!spec) {
      const auto& e = spec.error();
      return respond(reply_error(e.code, e.message, details));
    }
    if (ctx.registry.find(spec->runner_id)) {
      return respond(reply_error(ErrorCode::RunnerExists, "Runner '" + spec->runner_id + "' already exists"));
    }
    auto resolved = ctx.catalog.resolve(spec->strategy_path);
    if (!resolved) return respond(reply_failure(resolved.error(), "resolving the strategy"));
    if (auto compiled = ctx.catalog.compile(*resolved); !compiled) {
      return respond(reply_failure(compiled.error(), "compiling the strategy", Json{{"strategy_path", resolved->relative}}));
    }
    spec->strategy_path = resolved->relative;
    auto added = ctx.registry.add(*spec, resolved->absolute);
    if (!added) return respond(reply_failure(added.error(), "adding runner " + spec->runner_id));
    respond(reply_ok(status::created, runner_details(ctx, **added)));
  });

  router.add(verb::get, "/api/runners/:id", Access::Viewer, with_runner([&ctx](const Request&, const Runner& r, Respond respond) {
               respond(reply_ok(status::ok, runner_details(ctx, r)));
             }));

  router.add(verb::delete_, "/api/runners/:id", Access::Admin, with_runner([&ctx](const Request&, const Runner& r, Respond respond) {
               // Answered once the worker has exited and the segment is gone.
               ctx.registry.remove(r.spec.runner_id, [respond] { respond(reply_no_content()); });
             }));

  router.add(verb::get, "/api/runners/:id/snapshot", Access::Viewer,
             with_runner([&ctx](const Request&, const Runner& r, Respond respond) {
               auto json = snapshot_json(ctx, r);
               if (!json) return respond(reply_failure(json.error(), "reading the snapshot of " + r.spec.runner_id));
               respond(reply_ok_raw(status::ok, *json));
             }));

  router.add(verb::get, "/api/runners/:id/history", Access::Viewer,
             with_runner([&ctx](const Request& req, const Runner& r, Respond respond) {
               size_t count = r.spec.window_size;
               const auto q = parse_query(to_sv(req.target()));
               if (auto it = q.find("count"); it != q.end()) {
                 auto n = parse_count(it->second);
                 if (!n) {
                   return respond(reply_error(ErrorCode::ValidationError, "count must be a positive integer",
                                              Json{{"fields", {{"count", "must be a positive integer"}}}}));
                 }
                 count = *n;
               }
               auto bars = ctx.registry.history(r, count);
               if (!bars) return respond(reply_failure(bars.error(), "reading the history of " + r.spec.runner_id));
               Json out = Json::array();
               for (const auto& b : *bars) {
                 Json j = to_json(b);
                 j["symbol"] = r.spec.symbol;
                 out.push_back(std::move(j));
               }
               respond(reply_ok(status::ok, std::move(out)));
             }));

  // Closed positions from the store, newest first.
  router.add(verb::get, "/api/runners/:id/trades", Access::Viewer,
             with_runner([&ctx](const Request& req, const Runner& r, Respond respond) {
               size_t limit = 100;
               if (auto bad = read_count(parse_query(to_sv(req.target())), "limit", 10'000, limit)) {
                 return respond(std::move(*bad));
               }
               // What the worker committed last is in the store before we read it.
               ctx.registry.persist(r.spec.runner_id);
               auto rows = ctx.store.positions(r.spec.runner_id, true, limit);
               if (!rows) {
                 spdlog::error("trades of {}: {}", r.spec.runner_id, rows.error().message);
                 return respond(reply_internal_error("reading the trades"));
               }
               Json out = Json::array();
               for (const auto& p : *rows) out.push_back(to_json(p.trade));
               respond(reply_ok(status::ok, std::move(out)));
             }));

  // The worker's log: GET /api/runners/:id/logs?tail=N&since=T
  router.add(verb::get, "/api/runners/:id/logs", Access::Viewer,
             with_runner([&ctx](const Request& req, const Runner& r, Respond respond) {
               LogQuery query;
               const auto q = parse_query(to_sv(req.target()));
               if (auto bad = read_count(q, "tail", 10'000, query.tail)) return respond(std::move(*bad));
               if (auto it = q.find("since"); it != q.end()) {
                 query.since_ms = parse_time_ms(it->second);
                 if (!query.since_ms) {
                   const char* problem = "must be milliseconds since the epoch or an RFC 3339 time";
                   return respond(reply_error(ErrorCode::ValidationError, std::string("since ") + problem,
                                              Json{{"fields", {{"since", problem}}}}));
                 }
               }
               const LogTail tail = read_log_tail(ctx.registry.log_path(r.spec.runner_id), query);
               Json lines = Json::array();
               for (const auto& l : tail.lines) {
                 lines.push_back({{"text", l.text},
                                  {"timestamp_ms", l.timestamp_ms ? Json(*l.timestamp_ms) : Json(nullptr)}});
               }
               respond(reply_ok(status::ok, Json{{"runner_id", r.spec.runner_id},
                                                 {"lines", std::move(lines)},
                                                 {"truncated", tail.truncated}}));
             }));

  using Control = Expected<const Runner*> (RunnerRegistry::*)(const std::string&);
  const std::pair<const char*, Control> controls[] = {{"/api/runners/:id/stop", &RunnerRegistry::stop},
                                                       {"/api/runners/:id/start", &RunnerRegistry::start},
                                                       {"/api/runners/:id/restart", &RunnerRegistry::restart}};
  for (const auto& [path, op] : controls) {
    const std::string action = std::string(path).substr(std::string_view(path).rfind('/') + 1);
    router.add(verb::post, path, Access::Operator, with_runner([&ctx, op = op, action](const Request&, const Runner& r, Respond respond) {
                 auto result = (ctx.registry.*op)(r.spec.runner_id);
                 if (!result) return respond(reply_failure(result.error(), action + " of " + r.spec.runner_id));
                 respond(reply_ok(status::ok, runner_details(ctx, **result)));
               }));
  }
}

}  // namespace stratd::supervisor::http
