// HTTPS and WSS against a real stratd, with real clients: curl, stratctl,
// Python's websockets, openssl s_client and sslscan. The certificates are
// made for each test with the openssl command, in its own directory.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/raw_connection.hpp"
#include "tests/support/stratd_command.hpp"
#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Outcome {
  int status = -1;  // the exit status, or -1
  std::string output;
};

// `command` under sh, its stdout and stderr together.
Outcome run(const std::string& command) {
  ProgramRun r = run_command(command + " 2>&1");
  return Outcome{r.code, std::move(r.out)};
}

class TlsDir {
 public:
  TlsDir() {
    char tmpl[] = "/tmp/stratd-tls-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TlsDir() {
    std::error_code ec;
    if (!getenv("STRATD_TEST_KEEP")) fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // A self-signed certificate (its own CA) for 127.0.0.1 and localhost,
  // made in place of cert.pem and key.pem (renamed over them, as a
  // certificate renewal would).
  void make_cert(const std::string& common_name) const {
    const Outcome r = run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=" +
                      common_name + " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + path("new.key") +
                      " -out " + path("new.pem"));
    ASSERT_EQ(r.status, 0) << r.output;
    fs::rename(path("new.key"), path("key.pem"));
    fs::rename(path("new.pem"), path("cert.pem"));
  }

 private:
  std::string dir_;
};

StratdOptions tls_options(const TlsDir& d) {
  StratdOptions o;
  o.extra_args = {"--tls-cert", d.path("cert.pem"), "--tls-key", d.path("key.pem")};
  return o;
}

// curl -i over HTTPS, trusting the test's certificate; the answer checked
// against docs/openapi.yaml.
RawAnswer curl(const StratdProcess& s, const TlsDir& d, const std::string& method, const std::string& target,
               const std::string& body = "", const std::string& host = "") {
  std::string cmd = "curl -sS -i --max-time 10 --cacert " + d.path("cert.pem") + " -X " + method;
  if (!body.empty()) cmd += " -H 'Content-Type: application/json' --data '" + body + "'";
  if (!host.empty()) cmd += " -H 'Host: " + host + "'";
  const Outcome r = run(cmd + " '" + s.url() + target + "'");
  auto a = parse_raw_answer(r.output);
  if (!a) {
    ADD_FAILURE() << "curl " << method << " " << target << ": " << r.output;
    return {};
  }
  if (auto why = OpenApiSpec::installed().check(method, target, a->answer)) ADD_FAILURE() << *why;
  return *a;
}

std::string port_of(const StratdProcess& s) { return s.url().substr(s.url().rfind(':') + 1); }

// openssl s_client with these options: did a handshake complete?
Outcome s_client(const StratdProcess& s, const std::string& options) {
  return run("openssl s_client -connect 127.0.0.1:" + port_of(s) + " " + options + " </dev/null");
}

// The subject a new connection is shown.
std::string subject_served(const StratdProcess& s) {
  return run("openssl s_client -connect 127.0.0.1:" + port_of(s) +
             " </dev/null 2>/dev/null | openssl x509 -noout -subject")
      .output;
}

double rejections(const StratdProcess& s, const TlsDir& d, const std::string& reason) {
  const std::string key = "stratd_http_rejections_total{reason=\"" + reason + "\"} ";
  const auto text = run("curl -sS --cacert " + d.path("cert.pem") + " " + s.url() + "/metrics").output;
  const auto at = text.find(key);
  return at == std::string::npos ? -1 : std::stod(text.substr(at + key.size()));
}

}  // namespace

TEST(Tls, HttpsAnswersWithHstsAndStratctlSpeaksIt) {
  TlsDir d;
  d.make_cert("stratd-test");
  StratdProcess s(tls_options(d));
  ASSERT_EQ(s.url().rfind("https://127.0.0.1:", 0), 0u) << s.url();

  auto health = curl(s, d, "GET", "/health");
  EXPECT_EQ(health.answer.status, 200);
  EXPECT_EQ(health.answer.headers["strict-transport-security"], "max-age=31536000");
  auto added = curl(s, d, "POST", "/api/runners",
                    R"({"runner_id":"tls_r","symbol":"BTCUSDT","strategy_path":"hold_long.lua"})");
  EXPECT_EQ(added.answer.status, 201) << added.answer.body;
  EXPECT_EQ(added.answer.headers["strict-transport-security"], "max-age=31536000");
  EXPECT_EQ(curl(s, d, "GET", "/api/runners/tls_r").body["data"]["runner_id"], "tls_r");
  // A TLS session checks its Host as a plain one does (DNS rebinding).
  const auto rebound = curl(s, d, "GET", "/api/runners", "", "evil.example:" + port_of(s));
  EXPECT_EQ(rebound.answer.status, 421);
  EXPECT_EQ(rebound.body["error"]["code"], "HOST_NOT_ALLOWED");
  EXPECT_EQ(curl(s, d, "GET", "/api/runners", "", "localhost:" + port_of(s)).answer.status, 200);

  // Not trusted without the CA: curl and stratctl refuse.
  EXPECT_NE(run("curl -sS --max-time 10 " + s.url() + "/health").status, 0);
  const std::string stratctl = std::string(STRATD_BIN_DIR) + "/stratctl --url " + s.url();
  const Outcome untrusted = run(stratctl + " ls");
  EXPECT_EQ(untrusted.status, 3) << untrusted.output;
  EXPECT_NE(untrusted.output.find("certificate"), std::string::npos) << untrusted.output;
  const Outcome listed = run(stratctl + " --cacert " + d.path("cert.pem") + " ls --json");
  EXPECT_EQ(listed.status, 0) << listed.output;
  EXPECT_NE(listed.output.find("\"tls_r\""), std::string::npos) << listed.output;
  // stratctl's WebSocket commands go over wss.
  const Outcome watched = run("STRATD_CACERT=" + d.path("cert.pem") + " " + stratctl +
                          " --json watch --runner tls_r --count 1");
  EXPECT_EQ(watched.status, 0) << watched.output;
  EXPECT_NE(watched.output.find("\"runner_id\":\"tls_r\""), std::string::npos) << watched.output;

  // Plain HTTP on the TLS port is a failed handshake, counted, not logged above debug.
  RawConnection plain(uint16_t(std::stoi(port_of(s))));
  plain.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_TRUE(eventually([&] {
    plain.read_available();
    return plain.closed();
  }));
  EXPECT_EQ(plain.received().find("200"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return rejections(s, d, "tls_handshake") >= 1; }));
  EXPECT_EQ(s.output().find("handshake"), std::string::npos) << s.log_tail();
}

TEST(Tls, OnlyTls12And13WithStrongCiphers) {
  TlsDir d;
  d.make_cert("stratd-test");
  StratdProcess s(tls_options(d));
  // The client's own floor lowered, so the refusal is stratd's.
  for (const char* old : {"-tls1", "-tls1_1"}) {
    const Outcome r = s_client(s, std::string(old) + " -cipher DEFAULT@SECLEVEL=0");
    EXPECT_NE(r.status, 0) << old << ": " << r.output;
  }
  for (const char* fine : {"-tls1_2", "-tls1_3"}) {
    const Outcome r = s_client(s, fine);
    EXPECT_EQ(r.status, 0) << fine << ": " << r.output;
    EXPECT_NE(r.output.find(std::string("New, TLSv1.") + fine[6]), std::string::npos) << r.output;
  }
  // TLS 1.2: ECDHE with an AEAD only; no CBC, no static RSA.
  EXPECT_EQ(s_client(s, "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256").status, 0);
  EXPECT_EQ(s_client(s, "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305").status, 0);
  EXPECT_NE(s_client(s, "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA").status, 0);
  EXPECT_NE(s_client(s, "-tls1_2 -cipher ECDHE-ECDSA-AES256-SHA384").status, 0);

  // sslscan's view of the same.
  const Outcome scan = run("sslscan --no-colour --no-heartbleed 127.0.0.1:" + port_of(s));
  ASSERT_EQ(scan.status, 0) << scan.output;
  for (const char* off : {"SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"}) {
    const auto at = scan.output.find(std::string(off) + " ");
    if (at == std::string::npos) continue;  // not even tried by this build
    const auto line = scan.output.substr(at, scan.output.find('\n', at) - at);
    EXPECT_NE(line.find("disabled"), std::string::npos) << line;
  }
  size_t accepted = 0;
  std::istringstream lines(scan.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("Preferred", 0) != 0 && line.rfind("Accepted", 0) != 0) continue;
    ++accepted;
    const bool aead = line.find("GCM") != std::string::npos || line.find("CHACHA20") != std::string::npos;
    EXPECT_TRUE(aead) << line;
    EXPECT_TRUE(line.find("TLSv1.2") != std::string::npos || line.find("TLSv1.3") != std::string::npos) << line;
  }
  EXPECT_GE(accepted, 4u) << scan.output;
}

TEST(Tls, SighupReloadsTheCertificateAndOpenConnectionsKeepTheirs) {
  TlsDir d;
  d.make_cert("stratd-first");
  StratdProcess s(tls_options(d));
  ASSERT_EQ(curl(s, d, "POST", "/api/runners",
                 R"({"runner_id":"wss_r","symbol":"BTCUSDT","strategy_path":"hold_long.lua"})")
                .answer.status,
            201);
  EXPECT_NE(subject_served(s).find("CN = stratd-first"), std::string::npos);

  // A WSS client (Python's websockets): subscribed and answered before
  // the reload, and again after it on the same connection.
  std::ofstream(d.path("wss_client.py")) << R"PY(
import asyncio, json, ssl, sys
import websockets

async def pong(ws):
    await ws.send(json.dumps({"type": "ping"}))
    while json.loads(await ws.recv())["type"] != "pong":
        pass

async def main(url, ca):
    async with websockets.connect(url, ssl=ssl.create_default_context(cafile=ca)) as ws:
        await ws.send(json.dumps({"type": "subscribe", "runners": ["wss_r"], "event_types": ["TickReceived"],
                                  "tick_interval_ms": 200}))
        while True:
            m = json.loads(await ws.recv())
            if m.get("type") == "TickReceived":
                break
        await pong(ws)
        print("before", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        while True:
            m = json.loads(await ws.recv())
            if m.get("type") == "TickReceived":
                break
        await pong(ws)
        print("after", flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2]))
)PY";
  const std::string wss_url = "wss://" + s.url().substr(8) + "/ws";
  const std::string out = d.path("wss_client.out");
  FILE* client = popen(("/usr/bin/python3 " + d.path("wss_client.py") + " " + wss_url + " " + d.path("cert.pem") +
                        " >" + out + " 2>&1")
                           .c_str(),
                       "w");
  ASSERT_NE(client, nullptr);
  auto said = [&](const std::string& word) {
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.find(word) != std::string::npos;
  };
  ASSERT_TRUE(eventually([&] { return said("before"); }, 20s)) << s.log_tail();
  fs::copy_file(d.path("cert.pem"), d.path("first.pem"));

  d.make_cert("stratd-second");
  kill(s.pid(), SIGHUP);
  EXPECT_TRUE(eventually([&] { return subject_served(s).find("CN = stratd-second") != std::string::npos; }))
      << s.log_tail();
  // The connection made before the reload still works.
  fputs("go\n", client);
  fflush(client);
  EXPECT_TRUE(eventually([&] { return said("after"); }, 20s)) << s.log_tail();
  EXPECT_EQ(pclose(client), 0);

  // A bad certificate at SIGHUP: the one in use stays, and the log says so.
  std::ofstream(d.path("cert.pem")) << "not a certificate\n";
  kill(s.pid(), SIGHUP);
  EXPECT_TRUE(eventually([&] { return s.output().find("keeping the previous certificate") != std::string::npos; }))
      << s.log_tail();
  EXPECT_NE(subject_served(s).find("CN = stratd-second"), std::string::npos);
}

TEST(Tls, ABadCertificateRefusesToStart) {
  TlsDir d;
  d.make_cert("stratd-test");
  std::ofstream(d.path("bad.pem")) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  const std::string stratd = std::string(STRATD_BIN_DIR) + "/stratd --port 0 --state-dir " + d.path("state") +
                             " --strategies-dir " + STRATD_FIXTURES_DIR;
  const Outcome bad = run(stratd + " --tls-cert " + d.path("bad.pem") + " --tls-key " + d.path("key.pem"));
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.output.find("TLS: certificate " + d.path("bad.pem")), std::string::npos) << bad.output;
  const Outcome half = run(stratd + " --tls-cert " + d.path("cert.pem"));
  EXPECT_NE(half.status, 0);
  EXPECT_NE(half.output.find("tls.cert and tls.key go together"), std::string::npos) << half.output;
  // A key that is not the certificate's.
  run("openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out " + d.path("other.key"));
  const Outcome mismatched = run(stratd + " --tls-cert " + d.path("cert.pem") + " --tls-key " + d.path("other.key"));
  EXPECT_NE(mismatched.status, 0);
  EXPECT_NE(mismatched.output.find("TLS: private key"), std::string::npos) << mismatched.output;
}
