// The request, mutation and failed-key buckets, against the real stratd:
// brute force locking an address out, each client's own buckets with
// Retry-After, and credentials that are not a key counted too.
#include <string>

#include <gtest/gtest.h>

#include "tests/support/keyed_stratd.hpp"

using namespace stratd::test;
using nlohmann::json;

TEST(RateLimits, BruteForceHitsItsLimitAndLocksTheAddressOut) {
  KeyedStratd s({"--auth-failure-burst", "3", "--auth-failures-per-min", "1", "--auth-metrics", "public"});
  const std::string forged = "stratd.ops." + std::string(43, 'B');
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.as(forged, "GET", "/api/runners").status, 401) << i;
  const HttpResult locked = s.as(forged, "GET", "/api/runners");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(error_code(locked), "RATE_LIMITED");
  EXPECT_EQ(locked.body["error"]["details"]["limit"], "auth_failures");
  ASSERT_TRUE(locked.headers.count("retry-after"));
  EXPECT_GE(std::stoi(locked.headers.at("retry-after")), 1);
  // While locked out, even a good key from that address is not tried.
  EXPECT_EQ(s.as(keys().admin.key, "GET", "/api/runners").status, 429);
  // Without a key nothing is verified, so nothing is locked: public routes answer.
  EXPECT_EQ(s.stratd.http().get("/health").status, 200);
  auto metrics = s.stratd.http().get("/metrics");
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"bad_key\"} 3"), std::string::npos) << metrics.raw;
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"auth_failure_rate_limited\"} 2"), std::string::npos);
}

TEST(RateLimits, EachClientHasItsOwnBucketsWithRetryAfter) {
  // Loopback is exempt by default; not here.
  KeyedStratd s({"--limits-exempt", "", "--requests-per-sec", "0.01", "--request-burst", "6", "--mutations-per-sec",
                 "0.01", "--mutation-burst", "2"});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(s.as(keys().viewer.key, "GET", "/api/runners").status, 200) << i;
  HttpResult limited = s.as(keys().viewer.key, "GET", "/api/runners");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["error"]["details"]["limit"], "requests");
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 1);
  // Another key is another client.
  EXPECT_EQ(s.as(keys().operator_.key, "GET", "/api/runners").status, 200);
  // Changing requests have a stricter bucket of their own.
  EXPECT_EQ(s.as(keys().operator_.key, "POST", "/api/runners/none/stop").status, 404);
  EXPECT_EQ(s.as(keys().operator_.key, "POST", "/api/runners/none/stop").status, 404);
  const HttpResult mutation = s.as(keys().operator_.key, "POST", "/api/runners/none/stop");
  EXPECT_EQ(mutation.status, 429);
  EXPECT_EQ(mutation.body["error"]["details"]["limit"], "mutations");
  // A refused mutation cost no general token: reads still answer.
  EXPECT_EQ(s.as(keys().operator_.key, "GET", "/api/runners").status, 200);
  // Clients without a key are their address.
  EXPECT_EQ(s.stratd.http().get("/health").status, 200);
}

TEST(RateLimits, CredentialsThatAreNotAKeyCountAgainstTheAddressToo) {
  KeyedStratd s({"--auth-failure-burst", "3", "--auth-failures-per-min", "1"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", {{"Authorization", "Basic eDp5"}}).status, 401);
  }
  EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", {{"Authorization", "Basic eDp5"}}).status, 429);
}
