// The whole REST API on one router: what stratd serves, and what the tests
// that read its routes (the OpenAPI check, the fuzzer) see.
#include "supervisor/http/routes.hpp"

namespace stratd::supervisor::http {

void add_api_routes(Router& router, ApiContext& ctx, std::string feed_state_file) {
  add_engine_routes(router, ctx);
  add_runner_routes(router, ctx);
  add_event_routes(router, ctx);
  add_metrics_routes(router, ctx, std::move(feed_state_file));
  add_audit_routes(router, ctx);
  add_openapi_routes(router);
}

}  // namespace stratd::supervisor::http
