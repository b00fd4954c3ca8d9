// Raw bytes on the HTTP port: Beast's parser with stratd's limits, then
// stratd's router (every route pattern of the API), path and query decoding.
#include <cstdint>
#include <string_view>

#include <boost/beast/http.hpp>

#include "supervisor/http/router.hpp"

using namespace stratd::supervisor::http;
namespace bh = boost::beast::http;

namespace {
const Router& api_shaped_router() {
  static Router r = [] {
    Router r;
    auto h = [](const Request& req, const PathParams& p, Respond respond) {
      (void)parse_query(to_sv(req.target()));
      respond(reply_ok(bh::status::ok, nlohmann::json(p)));
    };
    for (const char* path : {"/health", "/api/engine/health", "/api/engine/summary", "/api/strategies", "/api/events",
                             "/api/runners", "/api/runners/:id", "/api/runners/:id/snapshot",
                             "/api/runners/:id/history", "/api/runners/:id/trades"}) {
      r.add(bh::verb::get, path, h);
    }
    r.add(bh::verb::post, "/api/runners", h);
    r.add(bh::verb::delete_, "/api/runners/:id", h);
    for (const char* path : {"/api/runners/:id/stop", "/api/runners/:id/start", "/api/runners/:id/restart"}) {
      r.add(bh::verb::post, path, h);
    }
    return r;
  }();
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bh::request_parser<bh::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(8 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  Request req = parser.release();
  api_shaped_router().dispatch(req, [](Response res) { res.prepare_payload(); });
  return 0;
}
