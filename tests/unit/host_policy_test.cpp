// Which Host headers stratd answers (DNS rebinding): the header's syntax
// (ports, IPv6 brackets, case, a trailing dot) and the policy over it,
// on loopback and elsewhere, with and without [server] allowed_hosts.
#include <gtest/gtest.h>

#include "common/config.hpp"
#include "common/host_authority.hpp"
#include "supervisor/http/host_policy.hpp"

using namespace stratd;
using stratd::supervisor::http::HostPolicy;

TEST(HostAuthority, NamesAddressesAndPorts) {
  auto h = parse_host_authority("stratd.lan");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "stratd.lan");
  EXPECT_FALSE(h->port);

  h = parse_host_authority("127.0.0.1:3000");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "127.0.0.1");
  EXPECT_EQ(h->port, 3000);

  h = parse_host_authority("[::1]:8443");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "[::1]");
  EXPECT_EQ(h->port, 8443);

  h = parse_host_authority("[2001:db8::7]");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "[2001:db8::7]");
  EXPECT_FALSE(h->port);

  // An empty port is allowed (RFC 3986) and is no port; a trailing dot is
  // the same name.
  h = parse_host_authority("localhost:");
  ASSERT_TRUE(h);
  EXPECT_FALSE(h->port);
  h = parse_host_authority("LocalHost.:0");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "LocalHost");
  EXPECT_EQ(h->port, 0);
  EXPECT_EQ(parse_host_authority("a:65535")->port, 65535);
}

TEST(HostAuthority, WhatIsNotAHost) {
  for (const char* bad : {"", ":3000", "::1", "[::1", "[]:80", "[::1]x", "[::1]:http", "[evil.example]",
                          "a:65536", "a:123456", "a:-1", "a:80:80", "a b", "evil.example/x", "user@host",
                          "host:80 ", "."}) {
    EXPECT_FALSE(parse_host_authority(bad)) << '"' << bad << '"';
  }
}

namespace {
HttpSettings server(const std::string& host, std::vector<std::string> allowed = {}) {
  HttpSettings s = Config().server;
  s.host = host;
  s.allowed_hosts = std::move(allowed);
  return s;
}
}  // namespace

TEST(HostPolicy, OnLoopbackOnlyLocalNamesByDefault) {
  const HttpSettings s = server("127.0.0.1");
  const HostPolicy p(s);
  for (const char* ok : {"127.0.0.1", "127.0.0.1:3000", "localhost", "localhost:3000", "LOCALHOST:3000",
                         "localhost.", "dash.localhost:5173", "A.B.Localhost", "[::1]", "[::1]:3000", ""}) {
    EXPECT_TRUE(p.allows(ok)) << ok;
  }
  for (const char* bad : {"evil.example", "evil.example:3000", "localhost.evil.example", "evillocalhost",
                          "127.0.0.1.evil.example", "127.0.0.2", "[::2]", "0.0.0.0", "::1", "localhost:99999",
                          "garbage host"}) {
    EXPECT_FALSE(p.allows(bad)) << bad;
  }
}

TEST(HostPolicy, TheListenAddressIsAlwaysItsOwn) {
  const HttpSettings v4 = server("127.0.0.5");
  EXPECT_TRUE(HostPolicy(v4).allows("127.0.0.5:3000"));
  EXPECT_FALSE(HostPolicy(v4).allows("127.0.0.6:3000"));
  const HttpSettings v6 = server("::1");
  EXPECT_TRUE(HostPolicy(v6).allows("[::1]:3000"));
  const HttpSettings lan = server("192.168.1.5", {"stratd.lan"});
  EXPECT_TRUE(HostPolicy(lan).allows("192.168.1.5:3000"));
  EXPECT_FALSE(HostPolicy(lan).allows("192.168.1.6:3000"));
}

TEST(HostPolicy, ListedNamesWithOrWithoutAPort) {
  const HttpSettings s = server("127.0.0.1", {"Stratd.LAN", "dash.example:8443", "[fd00::5]"});
  const HostPolicy p(s);
  EXPECT_TRUE(p.allows("stratd.lan"));
  EXPECT_TRUE(p.allows("STRATD.lan:3000"));  // listed without a port: any port
  EXPECT_TRUE(p.allows("dash.example:8443"));
  EXPECT_FALSE(p.allows("dash.example:3000"));  // listed with one: that port only
  EXPECT_FALSE(p.allows("dash.example"));
  EXPECT_TRUE(p.allows("[FD00::5]:3000"));
  EXPECT_FALSE(p.allows("fd00::5"));
  // The local names stay allowed beside a list.
  EXPECT_TRUE(p.allows("localhost:3000"));
  EXPECT_FALSE(p.allows("evil.example"));
}

TEST(HostPolicy, ElsewhereAnyHostUnlessListed) {
  const HttpSettings open = server("0.0.0.0");
  EXPECT_TRUE(HostPolicy(open).allows("evil.example"));
  EXPECT_TRUE(HostPolicy(open).allows("whatever it says"));
  const HttpSettings listed = server("0.0.0.0", {"stratd.example.com"});
  EXPECT_TRUE(HostPolicy(listed).allows("stratd.example.com:3000"));
  EXPECT_TRUE(HostPolicy(listed).allows("localhost:3000"));
  EXPECT_FALSE(HostPolicy(listed).allows("evil.example"));
  const HttpSettings any = server("127.0.0.1", {"*"});
  EXPECT_TRUE(HostPolicy(any).allows("evil.example"));
}

TEST(HostPolicy, TheListReloadsLive) {
  HttpSettings s = server("127.0.0.1");
  const HostPolicy p(s);
  EXPECT_FALSE(p.allows("stratd.lan"));
  s.allowed_hosts = {"stratd.lan"};
  EXPECT_TRUE(p.allows("stratd.lan"));
}
