// stratctl's exit codes, which scripts rely on: 1 when stratd says no (its
// error envelope), 2 for usage errors, 3 when it cannot connect; an answer
// that is not stratd's; STRATD_URL and --url.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/stratctl_process.hpp"
#include "tests/support/stratd_command.hpp"
#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using namespace std::chrono;
using nlohmann::json;

namespace {
// A socket listening on a free loopback port that nothing else answers
// (-1 if it cannot be had).
int listen_on_loopback(uint16_t& port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 4) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}
}  // namespace

TEST(Stratctl, ErrorEnvelopesExitOneWithTheCode) {
  StratdProcess s;
  Result missing = ctl(s, {"show", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stratctl: RUNNER_NOT_FOUND: Runner 'nope' not found\n");
  EXPECT_TRUE(missing.out.empty());

  Result as_json = ctl(s, {"show", "nope", "--json"});
  EXPECT_EQ(as_json.code, 1);
  EXPECT_EQ(json::parse(as_json.out)["error"]["code"], "RUNNER_NOT_FOUND");

  Result invalid = ctl(s, {"add", "x", "btc", "hold_long.lua"});
  EXPECT_EQ(invalid.code, 1);
  EXPECT_NE(invalid.err.find("stratctl: VALIDATION_ERROR: invalid runner definition\n"), std::string::npos)
      << invalid.err;
  EXPECT_NE(invalid.err.find("  symbol: must be 1-32 upper-case letters and digits\n"), std::string::npos)
      << invalid.err;

  ASSERT_EQ(s.add_runner("dup", "BTCUSDT", "hold_long.lua").status, 201);
  Result dup = ctl(s, {"add", "dup", "BTCUSDT", "hold_long.lua"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("stratctl: RUNNER_EXISTS: "), std::string::npos) << dup.err;
  Result no_strategy = ctl(s, {"add", "other", "BTCUSDT", "no_such.lua"});
  EXPECT_EQ(no_strategy.code, 1);
  EXPECT_NE(no_strategy.err.find("stratctl: STRATEGY_NOT_FOUND: "), std::string::npos) << no_strategy.err;

  // Several ids: each is tried; one failure makes the status 1.
  Result some = ctl(s, {"stop", "nope", "dup"});
  EXPECT_EQ(some.code, 1);
  EXPECT_NE(some.err.find("RUNNER_NOT_FOUND"), std::string::npos);
  EXPECT_EQ(some.out.rfind("dup: ", 0), 0u) << some.out;
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "dup") == "Stopped"; }));
}

TEST(Stratctl, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"ls", "--bogus"}, {"frobnicate"}, {"show"}, {"add", "x", "BTCUSDT"}, {"top", "--interval", "0"},
           {"watch", "--count", "x"}, {"logs", "x", "--tail", "0"}, {"--url", "ftp://h", "ls"}, {}}) {
    Result r = run(args);
    EXPECT_EQ(r.code, 2) << (args.empty() ? "" : args[0]) << ": " << r.err;
    EXPECT_NE(r.err.find("usage: stratctl"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  Result unknown = run({"ls", "--bogus"});
  EXPECT_EQ(unknown.err.rfind("stratctl: unknown option '--bogus' for 'ls'\n", 0), 0u) << unknown.err;
  Result help = run({"help", "watch"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--since SEQ"), std::string::npos);
  EXPECT_EQ(run({"--help"}).code, 0);
}

TEST(Stratctl, CannotConnectExitsThree) {
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port());
  for (const char* cmd : {"ls", "health", "watch"}) {
    Result r = run({"--url", refused, cmd});
    EXPECT_EQ(r.code, 3) << cmd << ": " << r.err;
    EXPECT_EQ(r.err, "stratctl: cannot connect to " + refused + ": Connection refused\n") << cmd;
  }
  Result as_json = run({"--url", refused, "ls", "--json"});
  EXPECT_EQ(as_json.code, 3);
  EXPECT_EQ(json::parse(as_json.out)["error"]["code"], "CANNOT_CONNECT");

  // Something listens but never answers: the timeout ends it.
  uint16_t port = 0;
  const int fd = listen_on_loopback(port);
  ASSERT_GE(fd, 0);
  const std::string silent = "http://127.0.0.1:" + std::to_string(port);
  Result slow = run({"--url", silent, "--timeout", "0.3", "ls"});
  close(fd);
  EXPECT_EQ(slow.code, 3) << slow.err;
  EXPECT_EQ(slow.err, "stratctl: timed out after 0.3 s reading from " + silent + "\n");

  Result dns = run({"--url", "http://no-such-host.invalid:3000", "--timeout", "5", "ls"});
  EXPECT_EQ(dns.code, 3) << dns.err;
  EXPECT_NE(dns.err.find("no-such-host.invalid"), std::string::npos) << dns.err;
}

TEST(Stratctl, AnAnswerThatIsNotStratdsExitsOne) {
  // A web server that is not stratd: one answer, plain text.
  uint16_t port = 0;
  const int fd = listen_on_loopback(port);
  ASSERT_GE(fd, 0);
  std::thread server([fd] {
    const int c = accept(fd, nullptr, nullptr);
    char buf[4096];
    [[maybe_unused]] ssize_t n = read(c, buf, sizeof buf);
    const std::string reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n";
    n = write(c, reply.data(), reply.size());
    close(c);
  });
  Result r = run({"--url", "http://127.0.0.1:" + std::to_string(port), "show", "x"});
  server.join();
  close(fd);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "stratctl: BAD_RESPONSE: HTTP 404 without stratd's envelope (is this stratd?)\n");
}

TEST(Stratctl, StratdUrlFromTheEnvironmentAndTheFlagWins) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("envy", "BTCUSDT", "hold_long.lua").status, 201);
  Result from_env = run({"ls"}, {.env = {{"STRATD_URL", url_of(s)}}});
  ASSERT_EQ(from_env.code, 0) << from_env.err;
  EXPECT_NE(row_of(from_env.out, "envy"), "");
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port());
  Result flag_wins = run({"--url", url_of(s), "ls"}, {.env = {{"STRATD_URL", refused}}});
  ASSERT_EQ(flag_wins.code, 0) << flag_wins.err;
  Result env_used = run({"ls"}, {.env = {{"STRATD_URL", refused}}});
  EXPECT_EQ(env_used.code, 3);
}

// GET /api/runners/:id/logs and the /ws logs subscription, as issue 10's
// contract gives them: tail, since, RUNNER_NOT_FOUND, a 400 for a bad time.

TEST(Stratctl, SendsTheApiKeyFromTheEnvironmentOrAFile) {
  const GeneratedKey key = generate_key("cli", "operator");
  TempFile config(key.entry);
  StratdOptions o;
  o.extra_args = {"--config", config.path};
  StratdProcess s(o);
  Result without = ctl(s, {"ls"});
  EXPECT_EQ(without.code, 1);
  EXPECT_NE(without.err.find("UNAUTHORIZED"), std::string::npos) << without.err;
  Result by_env = ctl(s, {"ls"}, CliOptions{{{"STRATD_API_KEY", key.key}}});
  EXPECT_EQ(by_env.code, 0) << by_env.err;
  TempFile key_file(key.key + "\n");
  Result by_file = ctl(s, {"--key-file", key_file.path, "health"});
  EXPECT_EQ(by_file.code, 0) << by_file.err;
  // An operator may not add runners: the role's refusal, with its code.
  Result add = ctl(s, {"--key-file", key_file.path, "add", "r1", "BTCUSDT", "hold_long.lua"});
  EXPECT_EQ(add.code, 1);
  EXPECT_NE(add.err.find("FORBIDDEN"), std::string::npos) << add.err;
  Result unreadable = ctl(s, {"--key-file", "/nonexistent/key", "ls"});
  EXPECT_EQ(unreadable.code, 2);
}
