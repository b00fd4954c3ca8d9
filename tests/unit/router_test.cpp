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
