#include <gtest/gtest.h>

#include "common/config.hpp"
#include "supervisor/http/router.hpp"

using namespace stratd::supervisor::http;
namespace auth = stratd::supervisor::auth;
using stratd::AuthSettings;
namespace bh = boost::beast::http;

TEST(Router, SplitsAndDecodesPaths) {
  EXPECT_EQ(split_path("/api/runners/a%2Db/snapshot?x=1"),
            (std::vector<std::string>{"api", "runners", "a-b", "snapshot"}));
  EXPECT_EQ(split_path("//health/"), (std::vector<std::string>{"health"}));
  auto q = parse_query("/x?count=10&a=b%20c&flag&count=3");
  EXPECT_EQ(q["count"], "3");
  EXPECT_EQ(q["a"], "b c");
  EXPECT_EQ(q.count("flag"), 1u);
}

TEST(Router, DispatchesWith404And405) {
  Router r;
  std::string seen;
  r.add(bh::verb::get, "/api/runners/:id", Access::Viewer, [&](const Request&, const PathParams& p, Respond respond) {
    seen = p.at(0);
    respond(reply_ok(bh::status::ok, nullptr));
  });
  auto run = [&](bh::verb v, const char* target) {
    Request req{v, target, 11};
    Response out;
    r.dispatch(req, [&](Response res) { out = std::move(res); });
    return out;
  };
  EXPECT_EQ(run(bh::verb::get, "/api/runners/r1").result(), bh::status::ok);
  EXPECT_EQ(seen, "r1");
  auto wrong = run(bh::verb::put, "/api/runners/r1");
  EXPECT_EQ(wrong.result(), bh::status::method_not_allowed);
  EXPECT_EQ(wrong[bh::field::allow], "GET");
  auto missing = run(bh::verb::get, "/api/nothing");
  EXPECT_EQ(missing.result(), bh::status::not_found);
  auto body = nlohmann::json::parse(missing.body());
  EXPECT_EQ(body["status"], "error");
  EXPECT_EQ(body["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(run(bh::verb::options, "/api/runners/r1").result(), bh::status::no_content);
}

TEST(Router, AThrowingHandlerIsAnsweredOnce) {
  Router r;
  Respond kept;
  r.add(bh::verb::get, "/before", Access::Viewer, [](const Request&, const PathParams&, Respond respond) {
    respond(reply_ok(bh::status::ok, nullptr));
    throw std::runtime_error("after answering");
  });
  r.add(bh::verb::get, "/without", Access::Viewer, [](const Request&, const PathParams&, Respond) {
    throw std::runtime_error("without answering");
  });
  r.add(bh::verb::get, "/kept", Access::Viewer, [&](const Request&, const PathParams&, Respond respond) {
    kept = std::move(respond);  // to answer later, as the asynchronous routes do
    throw std::runtime_error("after keeping the callback");
  });
  auto run = [&](const char* target) {
    std::vector<Response> answers;
    Request req{bh::verb::get, target, 11};
    r.dispatch(req, [&](Response res) { answers.push_back(std::move(res)); });
    if (kept) kept(reply_ok(bh::status::ok, nullptr));
    kept = nullptr;
    return answers;
  };
  auto before = run("/before");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].result(), bh::status::ok);
  auto without = run("/without");
  ASSERT_EQ(without.size(), 1u);
  EXPECT_EQ(without[0].result(), bh::status::internal_server_error);
  EXPECT_EQ(nlohmann::json::parse(without[0].body())["error"]["code"], "INTERNAL_ERROR");
  auto later = run("/kept");
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].result(), bh::status::internal_server_error);
}

TEST(Router, ListsItsRoutes) {
  Router r;
  auto nothing = [](const Request&, const PathParams&, Respond) {};
  r.add(bh::verb::get, "/api/runners", Access::Viewer, nothing);
  r.add(bh::verb::get, "/api/runners/:id", Access::Viewer, nothing);
  r.add(bh::verb::post, "/api/runners", Access::Admin, nothing);
  r.add(bh::verb::delete_, "/api/runners/:id", Access::Admin, nothing);
  EXPECT_EQ(r.routes(), (std::vector<RouteEntry>{{bh::verb::get, "/api/runners", Access::Viewer},
                                                 {bh::verb::post, "/api/runners", Access::Admin},
                                                 {bh::verb::delete_, "/api/runners/:id", Access::Admin},
                                                 {bh::verb::get, "/api/runners/:id", Access::Viewer}}));
}

// Every role against every access level: the router answers the handler,
// 401 (no key) or 403 (a key whose role is not enough).
TEST(Router, EachRouteAsksForItsAccessLevel) {
  auth::AccessPolicy policy;  // the defaults: /health public, /metrics a key
  Rejections rejections;
  Router r(&policy, &rejections);
  const std::vector<std::pair<std::string, Access>> routes = {
      {"/public", Access::Public},     {"/health", Access::Health}, {"/metrics", Access::Metrics},
      {"/viewer", Access::Viewer},     {"/operator", Access::Operator}, {"/admin", Access::Admin}};
  for (const auto& [path, access] : routes) {
    r.add(bh::verb::get, path, access, [](const Request&, const PathParams&, Respond respond) {
      respond(reply_ok(bh::status::ok, nullptr));
    });
  }
  auto caller = [](std::optional<auth::Role> role) {
    auth::Caller c;
    c.address = "192.0.2.1";
    c.role = role;
    if (role) c.key = "k";
    return c;
  };
  using auth::Role;
  const std::vector<std::pair<std::string, auth::Caller>> callers = {
      {"none", caller(std::nullopt)}, {"viewer", caller(Role::Viewer)}, {"operator", caller(Role::Operator)},
      {"admin", caller(Role::Admin)}, {"open", auth::Caller::unrestricted()}};
  // Rows: the callers above; columns: the routes above.
  const int expected[5][6] = {
      {200, 200, 401, 401, 401, 401},
      {200, 200, 200, 200, 403, 403},
      {200, 200, 200, 200, 200, 403},
      {200, 200, 200, 200, 200, 200},
      {200, 200, 200, 200, 200, 200},
  };
  for (size_t c = 0; c < callers.size(); ++c) {
    for (size_t p = 0; p < routes.size(); ++p) {
      Response out;
      r.dispatch(Request{bh::verb::get, routes[p].first, 11}, callers[c].second,
                 [&](Response res) { out = std::move(res); });
      EXPECT_EQ(out.result_int(), unsigned(expected[c][p])) << callers[c].first << " on " << routes[p].first;
      if (out.result_int() == 401) {
        EXPECT_NE(out[bh::field::www_authenticate].find("Bearer"), std::string::npos);
      }
    }
  }
  EXPECT_EQ(rejections.count_of(Rejection::MissingKey), 4u);
  EXPECT_EQ(rejections.count_of(Rejection::Forbidden), 3u);
  // Without a key nothing says which paths exist; with one, 404.
  Response out;
  r.dispatch(Request{bh::verb::get, "/nowhere", 11}, callers[0].second, [&](Response res) { out = std::move(res); });
  EXPECT_EQ(out.result_int(), 401u);
  r.dispatch(Request{bh::verb::get, "/nowhere", 11}, callers[1].second, [&](Response res) { out = std::move(res); });
  EXPECT_EQ(out.result_int(), 404u);
  // A preflight never carries a key.
  r.dispatch(Request{bh::verb::options, "/admin", 11}, callers[0].second, [&](Response res) { out = std::move(res); });
  EXPECT_EQ(out.result_int(), 204u);
  // [auth] health = "key", metrics = "public".
  AuthSettings changed = stratd::Config().auth;
  changed.health = "key";
  changed.metrics = "public";
  policy.reconfigure(changed);
  r.dispatch(Request{bh::verb::get, "/health", 11}, callers[0].second, [&](Response res) { out = std::move(res); });
  EXPECT_EQ(out.result_int(), 401u);
  r.dispatch(Request{bh::verb::get, "/metrics", 11}, callers[0].second, [&](Response res) { out = std::move(res); });
  EXPECT_EQ(out.result_int(), 200u);
}
