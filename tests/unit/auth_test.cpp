// The pieces of access control below the HTTP server: keys, their
// verification and cache, token buckets, and where a request's key is read.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "common/config.hpp"
#include "supervisor/auth/access_gate.hpp"
#include "supervisor/auth/api_key.hpp"
#include "supervisor/auth/authenticator.hpp"
#include "supervisor/auth/key_memo.hpp"
#include "supervisor/auth/rate_limiter.hpp"
#include "supervisor/auth/revocation.hpp"
#include "supervisor/auth/token_bucket.hpp"

using namespace stratd;
using namespace stratd::supervisor;
using auth::Authenticator;

namespace {

// Waits for the verifier's answer.
struct Answer {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Authenticator::Verdict> verdict;
  Authenticator::Done done() {
    return [this](Authenticator::Verdict v) {
      std::lock_guard lock(mu);
      verdict = std::move(v);
      cv.notify_all();
    };
  }
  Authenticator::Verdict wait() {
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return verdict.has_value(); }));
    return verdict.value_or(Authenticator::Verdict{Authenticator::Outcome::Busy});
  }
};

Authenticator::Verdict verify(Authenticator& a, const std::string& token) {
  Answer answer;
  if (auto now = a.authenticate(token, answer.done())) return *now;
  return answer.wait();
}

AuthSettings with_keys(std::vector<ApiKeyEntry> keys) {
  AuthSettings s = Config().auth;
  s.keys = std::move(keys);
  return s;
}

}  // namespace

TEST(ApiKey, KeysAreNamedRandomAndHashedWithArgon2id) {
  const std::string a = auth::generate_key("ops"), b = auth::generate_key("ops");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("stratd.ops.", 0), 0u);
  EXPECT_EQ(auth::key_name(a), "ops");
  EXPECT_FALSE(auth::key_name("stratd.ops.short"));
  EXPECT_FALSE(auth::key_name("other.ops." + std::string(43, 'a')));
  EXPECT_FALSE(auth::key_name("stratd.ops." + std::string(42, 'a') + "!"));
  auto hash = auth::hash_key(a);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash->find(a.substr(11)), std::string::npos);  // never the secret
  EXPECT_TRUE(auth::verify_key(*hash, a));
  EXPECT_FALSE(auth::verify_key(*hash, b));
}

TEST(Authenticator, VerifiesOnceThenAnswersFromItsCache) {
  const std::string ops = auth::generate_key("ops"), dash = auth::generate_key("dash");
  Authenticator a(with_keys({{"ops", "admin", *auth::hash_key(ops)}, {"dash", "viewer", *auth::hash_key(dash)}}));
  auto first = verify(a, ops);
  EXPECT_EQ(first.outcome, Authenticator::Outcome::Verified);
  EXPECT_EQ(first.key, "ops");
  EXPECT_EQ(first.role, auth::Role::Admin);
  EXPECT_EQ(a.verifications(), 1u);
  for (int i = 0; i < 100; ++i) {
    auto again = a.authenticate(ops, [](Authenticator::Verdict) { ADD_FAILURE() << "not from the cache"; });
    ASSERT_TRUE(again);
    EXPECT_EQ(again->outcome, Authenticator::Outcome::Verified);
  }
  EXPECT_EQ(a.verifications(), 1u);
  EXPECT_EQ(verify(a, dash).role, auth::Role::Viewer);
  // A wrong secret under a real name is verified (and refused) every time;
  // a name no key has, or a token not shaped like a key, at once.
  const std::string forged = "stratd.ops." + std::string(43, 'Z');
  EXPECT_EQ(verify(a, forged).outcome, Authenticator::Outcome::Refused);
  EXPECT_EQ(verify(a, forged).outcome, Authenticator::Outcome::Refused);
  EXPECT_EQ(a.verifications(), 4u);
  EXPECT_EQ(a.authenticate("stratd.nobody." + std::string(43, 'Z'), {})->outcome, Authenticator::Outcome::Refused);
  EXPECT_EQ(a.authenticate("hunter2", {})->outcome, Authenticator::Outcome::Refused);
  EXPECT_EQ(a.verifications(), 4u);
}

TEST(Authenticator, AReloadForgetsKeysThatChangedOnly) {
  const std::string ops = auth::generate_key("ops");
  const AuthSettings one = with_keys({{"ops", "admin", *auth::hash_key(ops)}});
  Authenticator a(one);
  ASSERT_EQ(verify(a, ops).outcome, Authenticator::Outcome::Verified);
  a.reconfigure(one);  // the same keys: still cached
  EXPECT_TRUE(a.authenticate(ops, {}));
  // Its role changed: verified again, with the new role.
  AuthSettings demoted = one;
  demoted.keys[0].role = "viewer";
  a.reconfigure(demoted);
  EXPECT_EQ(verify(a, ops).role, auth::Role::Viewer);
  // Removed: refused.
  a.reconfigure(with_keys({}));
  EXPECT_FALSE(a.keys_configured());
  EXPECT_EQ(verify(a, ops).outcome, Authenticator::Outcome::Refused);
}

TEST(Authenticator, TheCacheIsBounded) {
  std::vector<std::string> tokens;
  std::vector<ApiKeyEntry> entries;
  for (int i = 0; i < 3; ++i) {
    tokens.push_back(auth::generate_key("k" + std::to_string(i)));
    entries.push_back({"k" + std::to_string(i), "viewer", *auth::hash_key(tokens.back())});
  }
  AuthSettings s = with_keys(entries);
  s.cache_entries = 2;
  Authenticator a(s);
  for (const auto& t : tokens) ASSERT_EQ(verify(a, t).outcome, Authenticator::Outcome::Verified);
  // The oldest went to make room.
  EXPECT_FALSE(a.authenticate(tokens[0], [](Authenticator::Verdict) {}));
  EXPECT_TRUE(a.authenticate(tokens[2], {}));
}

TEST(TokenBucket, BurstThenRate) {
  auth::TokenBucket b;
  double wait = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take(2, 3, 100.0, wait)) << i;
  EXPECT_FALSE(b.take(2, 3, 100.0, wait));
  EXPECT_DOUBLE_EQ(wait, 0.5);
  EXPECT_TRUE(b.take(2, 3, 100.5, wait));
  EXPECT_FALSE(b.take(2, 3, 100.5, wait));
  EXPECT_TRUE(b.full(2, 3, 200.0));
  // Time that goes backwards (it cannot, on the steady clock) adds nothing.
  auth::TokenBucket c;
  EXPECT_TRUE(c.take(1, 1, 50.0, wait));
  EXPECT_FALSE(c.take(1, 1, 40.0, wait));
}

TEST(RateLimiter, ClientsHaveTheirOwnBucketsAndAreForgottenWhenTooMany) {
  LimitSettings s = Config().limits;
  s.requests_per_sec = 0.001;
  s.request_burst = 2;
  s.mutations_per_sec = 0.001;
  s.mutation_burst = 1;
  s.exempt = {"127.0.0.1"};
  s.max_tracked_clients = 16;
  auth::RateLimiter l(s);
  EXPECT_FALSE(l.admit("a", "10.0.0.1", false));
  EXPECT_FALSE(l.admit("a", "10.0.0.1", true));
  auto refused = l.admit("a", "10.0.0.1", true);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason, http::Rejection::MutationRateLimited);
  refused = l.admit("a", "10.0.0.1", false);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason, http::Rejection::RateLimited);
  EXPECT_GT(refused->retry_after_secs, 100);
  EXPECT_FALSE(l.admit("b", "10.0.0.1", false));  // another key
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(l.admit("local", "127.0.0.1", true));  // exempt
  for (int i = 0; i < 100; ++i) (void)l.admit("x" + std::to_string(i), "10.0.0.9", false);
  EXPECT_LE(l.tracked(), 16u);
  // Failed keys lock an address out, exempt or not.
  s.auth_failures_per_min = 0.001;
  s.auth_failure_burst = 2;
  l.reconfigure(s);
  EXPECT_FALSE(l.check_auth_failures("127.0.0.1"));
  l.count_auth_failure("127.0.0.1");
  l.count_auth_failure("127.0.0.1");
  auto locked = l.check_auth_failures("127.0.0.1");
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->reason, http::Rejection::AuthFailureRateLimited);
}

TEST(AccessGate, KeysAreReadFromTheHeaderOrTheWebSocketSubprotocol) {
  namespace bh = boost::beast::http;
  http::Request r{bh::verb::get, "/ws", 11};
  EXPECT_EQ(auth::presented_key(r, true), "");
  r.set(bh::field::sec_websocket_protocol, "stratd, bearer.stratd.a.b");
  EXPECT_EQ(auth::presented_key(r, true), "stratd.a.b");
  EXPECT_EQ(auth::presented_key(r, false), "");  // REST takes the header only
  r.set(bh::field::authorization, "BEARER  stratd.x.y ");
  EXPECT_EQ(auth::presented_key(r, true), "stratd.x.y");
  r.set(bh::field::authorization, "Basic abc");
  EXPECT_FALSE(auth::presented_key(r, false));
  // Found by the field's code whatever the name's case or its place among
  // the others; the first of them counts.
  http::Request later{bh::verb::get, "/ws", 11};
  later.insert("sec-websocket-protocol", "bearer.stratd.p.q");
  later.insert("X-Other", "1");
  later.insert("authorization", "Bearer stratd.first.1");
  later.insert("Authorization", "Bearer stratd.second.2");
  EXPECT_EQ(auth::presented_key(later, true), "stratd.first.1");
}

TEST(KeyMemo, RemembersOneTokenWhileTheKeysStayTheSame) {
  auth::KeyMemo memo;
  const std::string token = auth::generate_key("ops");
  EXPECT_FALSE(memo.recall(token, 0));
  memo.remember(token, 7, "ops", auth::Role::Operator);
  auto known = memo.recall(token, 7);
  ASSERT_TRUE(known);
  EXPECT_EQ(known->key, "ops");
  EXPECT_EQ(known->role, auth::Role::Operator);
  std::string other = token;
  other.back() = other.back() == 'A' ? 'B' : 'A';  // the same length, one byte off
  EXPECT_FALSE(memo.recall(other, 7));
  other[12] = token[12] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(memo.recall(other, 7));
  EXPECT_FALSE(memo.recall(token.substr(0, token.size() - 1), 7));
  EXPECT_FALSE(memo.recall(token, 8));  // the keys changed since
  memo.forget();
  EXPECT_FALSE(memo.recall(token, 7));
}

TEST(AccessGate, AConnectionsRememberedKeyStopsWorkingWhenTheKeysChange) {
  namespace bh = boost::beast::http;
  const std::string ops = auth::generate_key("ops");
  Config cfg;
  cfg.auth.keys = {{"ops", "admin", *auth::hash_key(ops)}};
  http::Rejections rejections;
  auth::AccessGate gate(cfg, rejections);
  http::Request req{bh::verb::get, "/api/runners", 11};
  req.set(bh::field::authorization, "Bearer " + ops);
  auth::KeyMemo memo;
  auto admit = [&] {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<auth::Admission> got;
    gate.admit(req, "192.0.2.1", "t", false, &memo, [&](auth::Admission a) {
      std::lock_guard lock(mu);
      got = std::move(a);
      cv.notify_all();
    });
    std::unique_lock lock(mu);
    EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return got.has_value(); }));
    return std::move(*got);
  };
  // Verified (on the verifier's thread: nothing remembered from there),
  // then answered from the cache and remembered, then from the memo.
  EXPECT_FALSE(admit().refusal);
  EXPECT_FALSE(memo.recall(ops, gate.authenticator().generation()));
  EXPECT_FALSE(admit().refusal);
  EXPECT_TRUE(memo.recall(ops, gate.authenticator().generation()));
  auth::Admission third = admit();
  EXPECT_FALSE(third.refusal);
  EXPECT_EQ(third.caller.key, "ops");
  EXPECT_EQ(third.caller.role, auth::Role::Admin);
  EXPECT_EQ(gate.authenticator().verifications(), 1u);
  // The key replaced by another: the connection's memory no longer admits it.
  const std::string next = auth::generate_key("ops");
  cfg.auth.keys = {{"ops", "admin", *auth::hash_key(next)}};
  gate.reconfigure(cfg);
  auth::Admission refused = admit();
  ASSERT_TRUE(refused.refusal);
  EXPECT_EQ(refused.refusal->result_int(), 401);
}

TEST(Revocation, KeysRemovedOrReplacedEndTheirConnections) {
  const std::vector<ApiKeyEntry> before = {{"a", "admin", "h1"}, {"b", "viewer", "h2"}, {"c", "viewer", "h3"}};
  auto r = auth::revoked_by(before, {{"a", "viewer", "h1"}, {"b", "viewer", "h9"}});
  EXPECT_EQ(r.keys, (std::vector<std::string>{"b", "c"}));  // a's role changed only: every role reads /ws
  EXPECT_FALSE(r.keyless);
  EXPECT_FALSE(r.ends("a"));
  EXPECT_TRUE(r.ends("b"));
  EXPECT_FALSE(r.ends(""));
  EXPECT_FALSE(auth::revoked_by(before, before).any());
  // All keys gone: nothing is asked for, nothing ends.
  EXPECT_FALSE(auth::revoked_by(before, {}).any());
  // Keys where there were none: the connections without one end.
  auto first = auth::revoked_by({}, before);
  EXPECT_TRUE(first.keyless);
  EXPECT_TRUE(first.ends(""));
  EXPECT_FALSE(first.ends("a"));
}
