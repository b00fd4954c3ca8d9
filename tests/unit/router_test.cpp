#include <gtest/gtest.h>

#include "supervisor/http/router.hpp"

using namespace stratd::supervisor::http;
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
  r.add(bh::verb::get, "/api/runners/:id", [&](const Request&, const PathParams& p, Respond respond) {
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
  r.add(bh::verb::get, "/before", [](const Request&, const PathParams&, Respond respond) {
    respond(reply_ok(bh::status::ok, nullptr));
    throw std::runtime_error("after answering");
  });
  r.add(bh::verb::get, "/without", [](const Request&, const PathParams&, Respond) {
    throw std::runtime_error("without answering");
  });
  r.add(bh::verb::get, "/kept", [&](const Request&, const PathParams&, Respond respond) {
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
  r.add(bh::verb::get, "/api/runners", nothing);
  r.add(bh::verb::get, "/api/runners/:id", nothing);
  r.add(bh::verb::post, "/api/runners", nothing);
  r.add(bh::verb::delete_, "/api/runners/:id", nothing);
  EXPECT_EQ(r.routes(), (std::vector<RouteEntry>{{bh::verb::get, "/api/runners"},
                                                 {bh::verb::post, "/api/runners"},
                                                 {bh::verb::delete_, "/api/runners/:id"},
                                                 {bh::verb::get, "/api/runners/:id"}}));
}
