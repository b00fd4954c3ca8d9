// GET /api/openapi.json: the API's description, as built into this stratd.
// A document, not an answer about stratd's state: served as it is, outside
// the envelope.
#include "supervisor/http/openapi_document.hpp"
#include "supervisor/http/routes.hpp"

namespace stratd::supervisor::http {

void add_openapi_routes(Router& router) {
  router.add(beast_http::verb::get, "/api/openapi.json", Access::Viewer, [](const Request&, const PathParams&, Respond respond) {
    Response res{beast_http::status::ok, 11};
    res.set(beast_http::field::content_type, "application/json");
    res.body() = std::string(openapi_document());
    respond(std::move(res));
  });
}

}  // namespace stratd::supervisor::http
