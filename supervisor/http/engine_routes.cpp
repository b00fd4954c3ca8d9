#include <map>

#include <spdlog/fmt/fmt.h>

#include "common/clock.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/http/runner_json.hpp"

namespace stratd::supervisor::http {

void add_engine_routes(Router& router, ApiContext& ctx) {
  using beast_http::status;
  using beast_http::verb;
  auto uptime = [&ctx] { return (wall_ms() - ctx.started_ms) / 1000; };

  router.add(verb::get, "/health", Access::Health, [uptime](const Request&, const PathParams&, Respond respond) {
    respond(reply_ok(status::ok, {{"status", "ok"}, {"version", STRATD_VERSION}, {"uptime_secs", uptime()}}));
  });

  // The configuration reloaded as SIGHUP does; what changed in the answer.
  router.add(verb::post, "/api/engine/reload", Access::Admin, [&ctx](const Request&, const PathParams&, Respond respond) {
    if (!ctx.reload) return respond(reply_error(ErrorCode::NotFound, "reloading is not offered here"));
    auto outcome = ctx.reload();
    if (!outcome) return respond(reply_error(ErrorCode::ConfigRefused, outcome.error().message));
    respond(reply_ok(status::ok, {{"applied", outcome->applied}, {"need_restart", outcome->need_restart}}));
  });

  router.add(verb::get, "/api/engine/health", Access::Viewer, [&ctx, uptime](const Request&, const PathParams&, Respond respond) {
    std::map<std::string, int> by_lifecycle;
    size_t healthy = 0, should_run = 0;
    for (const Runner* r : ctx.registry.list()) {
      ++by_lifecycle[std::string(to_string(r->lifecycle()))];
      healthy += ctx.registry.healthy(*r);
      should_run += r->lifecycle() != Lifecycle::Stopped;
    }
    const auto ev = ctx.hub.stats();
    const auto js = ctx.journal.stats();
    nlohmann::json feed{{"source", ctx.config.feed.source},
                        {"running", ctx.feed.running()},
                        {"pid", ctx.feed.running() ? nlohmann::json(ctx.feed.pid()) : nlohmann::json(nullptr)},
                        {"restarts", ctx.feed.restarts()}};
    // Healthy: the feed runs and every runner that should run does.
    const bool ok = ctx.feed.running() && healthy == should_run;
    respond(reply_ok(status::ok, {{"status", ok ? "healthy" : "degraded"},
                                  {"uptime_secs", uptime()},
                                  {"instance", ctx.instance},
                                  {"total_runners", ctx.registry.size()},
                                  {"healthy_runners", healthy},
                                  {"runners_by_lifecycle", by_lifecycle},
                                  {"feed", feed},
                                  {"events",
                                   {{"received", ev.received},
                                    {"accepted", ev.accepted},
                                    {"rejected", ev.rejected},
                                    {"gaps", ev.gaps},
                                    {"disconnects", ev.disconnects},
                                    {"last_seq", ev.last_seq},
                                    {"journal_first_seq", js.first_seq},
                                    {"journal_size", js.size},
                                    {"journal_capacity", js.capacity},
                                    {"journal_bytes", js.bytes},
                                    {"journal_max_bytes", js.max_bytes}}},
                                  {"websocket_clients", ctx.websocket.clients()}}));
  });

  router.add(verb::get, "/api/engine/summary", Access::Viewer, [&ctx, uptime](const Request&, const PathParams&, Respond respond) {
    size_t healthy = 0;
    for (const Runner* r : ctx.registry.list()) healthy += ctx.registry.healthy(*r);
    // The seed's shape, with the runner list spliced in already serialized.
    const std::string data = fmt::format(
        R"({{"total_runners":{},"healthy_runners":{},"runners":{},"uptime_secs":{},"timestamp":{}}})",
        ctx.registry.size(), healthy, runner_list_json(ctx), uptime(), wall_secs());
    respond(reply_ok_raw(status::ok, data));
  });

  router.add(verb::get, "/api/strategies", Access::Viewer, [&ctx](const Request&, const PathParams&, Respond respond) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : ctx.catalog.list()) list.push_back({{"path", s.path}, {"size_bytes", s.size_bytes}});
    respond(reply_ok(status::ok, std::move(list)));
  });
}

}  // namespace stratd::supervisor::http
