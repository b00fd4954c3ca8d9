#pragma once
// Registration of the REST API on a router.
#include <string>

#include "supervisor/http/api_context.hpp"
#include "supervisor/http/router.hpp"

namespace stratd::supervisor::http {

// GET /health, /api/engine/health, /api/engine/summary, /api/strategies
void add_engine_routes(Router& router, ApiContext& ctx);
// GET /api/events: the journal over REST
void add_event_routes(Router& router, ApiContext& ctx);
// /api/runners and /api/runners/:id[/snapshot|/history|/stop|/start|/restart]
void add_runner_routes(Router& router, ApiContext& ctx);
// GET /metrics (Prometheus, OpenMetrics), with the router's own counts;
// the feed's tick counts are read from its state file.
void add_metrics_routes(Router& router, ApiContext& ctx, std::string feed_state_file);
// GET /api/audit (admin)
void add_audit_routes(Router& router, ApiContext& ctx);
// GET /api/openapi.json: docs/openapi.json, built in
void add_openapi_routes(Router& router);

// All of the above: the API as stratd serves it (and its tests see it).
void add_api_routes(Router& router, ApiContext& ctx, std::string feed_state_file);

}  // namespace stratd::supervisor::http
