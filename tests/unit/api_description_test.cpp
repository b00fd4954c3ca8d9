// docs/openapi.json against stratd itself: the router's routes and methods
// (as app.cpp registers them, over real parts), the error codes and their
// HTTP statuses (api_error.cpp), and the document built into stratd and
// served at GET /api/openapi.json.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/events/event_pipeline.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/api_context.hpp"
#include "supervisor/http/api_error.hpp"
#include "supervisor/http/openapi_document.hpp"
#include "supervisor/http/router.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/runner_registry.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"
#include "tests/support/openapi_spec.hpp"

using namespace stratd;
using namespace stratd::supervisor;
using stratd::test::OpenApiSpec;
using nlohmann::json;
namespace bh = boost::beast::http;
namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The parts the REST handlers are registered over, real but never run: the
// registrations only keep references to them.
struct Api {
  std::string dir;
  Config cfg;
  std::unique_ptr<Store> store;
  boost::asio::io_context io{1};
  zmq::context_t zctx{1};
  std::unique_ptr<EventHub> hub;
  std::unique_ptr<ProcessManager> pm;
  std::unique_ptr<FeedSupervisor> feed;
  std::unique_ptr<StrategyCatalog> catalog;
  std::unique_ptr<RunnerRegistry> registry;
  std::unique_ptr<EventPipeline> events;
  http::Rejections rejections;
  std::unique_ptr<http::ApiContext> ctx;
  http::Router router;

  Api() {
    char tmpl[] = "/tmp/stratd-api-description-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    dir = tmpl;
    cfg.paths.state_dir = dir;
    cfg.paths.strategies_dir = dir;
    auto opened = Store::open(dir + "/stratd.db");
    if (!opened) throw std::runtime_error(opened.error().message);
    store = std::move(*opened);
    hub = std::make_unique<EventHub>(zctx, ipc::events_endpoint(dir));
    pm = std::make_unique<ProcessManager>(io, cfg.log.max_file_bytes);
    feed = std::make_unique<FeedSupervisor>(io, *pm, SpawnSpec{dir + "/no-feed", {}, dir + "/feed.log"},
                                            RestartPolicySettings{1, 10, 5, 60});
    catalog = std::make_unique<StrategyCatalog>(dir);
    registry = std::make_unique<RunnerRegistry>(
        io, *pm, *hub, *store, *catalog, cfg,
        WorkerPaths{dir + "/no-worker", dir, "apidesc"});
    events = std::make_unique<EventPipeline>(*hub, *store, io, [](const std::string&) {}, cfg);
    ctx = std::make_unique<http::ApiContext>(http::ApiContext{io, *registry, *hub, events->journal(),
                                                              events->websocket(), *catalog, *store, *feed, cfg, 0,
                                                              "apidesc", rejections});
    http::add_api_routes(router, *ctx, dir + "/feed-sim.json");
  }
  ~Api() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// "/api/runners/:id" → "/api/runners/{id}"
std::string openapi_path(const std::string& pattern) {
  std::string out;
  std::stringstream in(pattern);
  std::string seg;
  while (std::getline(in, seg, '/')) {
    if (seg.empty()) continue;
    out += "/" + (seg[0] == ':' ? "{" + seg.substr(1) + "}" : seg);
  }
  return out.empty() ? "/" : out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string listing(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += "\n  " + x;
  return out.empty() ? " (none)" : out;
}

}  // namespace

// Every route the router has is in the document with the same methods, and
// every operation of the document is a route. OPTIONS is no route (the
// router answers it on every path) and no operation (the document names it
// once, in x-stratd-any-path); /ws is answered before routing and marked so.
TEST(ApiDescription, RouterAndDocumentHaveTheSameRoutes) {
  Api api;
  std::set<std::string> routed;
  for (const auto& r : api.router.routes()) {
    routed.insert(std::string(bh::to_string(r.method)) + " " + openapi_path(r.pattern));
  }
  ASSERT_FALSE(routed.empty());

  const auto& doc = OpenApiSpec::installed().document();
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    if (item.value("x-stratd-before-router", false)) continue;
    for (const auto& [key, _] : item.items()) {
      static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
      if (kMethods.count(key)) documented.insert(upper(key) + " " + path);
    }
  }

  std::set<std::string> only_routed, only_documented;
  std::set_difference(routed.begin(), routed.end(), documented.begin(), documented.end(),
                      std::inserter(only_routed, only_routed.end()));
  std::set_difference(documented.begin(), documented.end(), routed.begin(), routed.end(),
                      std::inserter(only_documented, only_documented.end()));
  EXPECT_TRUE(only_routed.empty()) << "routes docs/openapi.yaml does not describe:" << listing(only_routed);
  EXPECT_TRUE(only_documented.empty()) << "operations docs/openapi.yaml describes that no route serves:"
                                       << listing(only_documented);
}

// The ErrorCode enum is every code a client can receive, and each error
// response documents only codes of its own HTTP status.
TEST(ApiDescription, ErrorCodesAndStatusesAreStratds) {
  const auto& spec = OpenApiSpec::installed();
  std::map<std::string, int> status_of;
  std::set<std::string> client_codes;
  for (size_t i = 0; i < size_t(ErrorCode::kCount); ++i) {
    const auto code = ErrorCode(i);
    const std::string name(http::wire_name(code));
    status_of[name] = int(http::http_status(code));
    // Internal failures reach a client as INTERNAL_ERROR; a strategy's
    // refused action as a StrategyError event, never as an API error.
    if ((!http::is_internal(code) || code == ErrorCode::InternalError) && code != ErrorCode::InvalidAction) {
      client_codes.insert(name);
    }
  }
  std::set<std::string> documented;
  for (const auto& c : spec.schemas().resolve("#/components/schemas/ErrorCode")["enum"]) documented.insert(c);
  EXPECT_EQ(documented, client_codes) << "documented:" << listing(documented) << "\nstratd's:" << listing(client_codes);

  // Every response whose schema narrows error.code, in operations and in x-stratd-any-path.
  size_t checked = 0;
  auto check_responses = [&](const json& responses, const std::string& where) {
    for (const auto& [status, response_ref] : responses.items()) {
      const json& response =
          response_ref.contains("$ref") ? spec.schemas().resolve(response_ref["$ref"].get<std::string>()) : response_ref;
      if (!response.contains("content") || !response["content"].contains("application/json")) continue;
      const json& schema = response["content"]["application/json"]["schema"];
      if (!schema.contains("allOf")) continue;
      for (const auto& part : schema["allOf"]) {
        const json::json_pointer code_ptr("/properties/error/properties/code");
        if (!part.contains(code_ptr)) continue;
        const json& code = part[code_ptr];
        std::vector<std::string> codes;
        if (code.contains("const")) codes.push_back(code["const"]);
        for (const auto& c : code.value("enum", json::array())) codes.push_back(c);
        for (const auto& c : codes) {
          ++checked;
          ASSERT_TRUE(status_of.count(c)) << where << " " << status << ": " << c << " is no code of stratd's";
          EXPECT_EQ(std::to_string(status_of[c]), status) << where << ": " << c << " is answered with "
                                                          << status_of[c] << ", not " << status;
        }
      }
    }
  };
  for (const auto& [path, item] : spec.document()["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (op.is_object() && op.contains("responses")) check_responses(op["responses"], upper(method) + " " + path);
    }
  }
  for (const auto& [key, responses] : spec.document()["x-stratd-any-path"].items()) {
    if (responses.is_object()) check_responses(responses, "x-stratd-any-path " + key);
  }
  EXPECT_GT(checked, 30u);

  // The WebSocket's error codes are stratd's too.
  for (const auto& c : spec.schemas().resolve("#/components/schemas/WsError")["properties"]["error"]["properties"]["code"]["enum"]) {
    EXPECT_TRUE(client_codes.count(c)) << c;
  }
}

// What stratd serves is docs/openapi.json as committed, byte for byte, as
// JSON and outside the envelope; and that answer is one the document gives.
TEST(ApiDescription, TheDocumentIsServedAsBuiltIn) {
  const std::string committed = read_file(std::string(STRATD_DOCS_DIR) + "/openapi.json");
  ASSERT_FALSE(committed.empty());
  EXPECT_EQ(http::openapi_document(), committed) << "rebuild: docs/openapi.json changed since stratd was built";

  http::Router router;
  http::add_openapi_routes(router);
  http::Response res;
  int answers = 0;
  router.dispatch(http::Request{bh::verb::get, "/api/openapi.json", 11}, [&](http::Response r) {
    ++answers;
    res = std::move(r);
  });
  ASSERT_EQ(answers, 1);
  EXPECT_EQ(res.result(), bh::status::ok);
  EXPECT_EQ(res[bh::field::content_type], "application/json");
  EXPECT_EQ(res.body(), committed);
  const json doc = json::parse(res.body());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_FALSE(doc.contains("status"));  // a document, not an envelope

  test::SpecAnswer answer{200, {{"content-type", "application/json"}}, res.body()};
  auto why = OpenApiSpec::installed().check("GET", "/api/openapi.json", answer);
  EXPECT_FALSE(why.has_value()) << *why;
}
