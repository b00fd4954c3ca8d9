// What a /metrics scrape costs stratd's HTTP thread, against a baseline
// over the same runners (GET /api/runners, the list of all of them).
//
// Starts the real stratd with RUNNERS live runners (the shipped
// strategies, a tick every 250 ms each), waits until all of them tick,
// then runs ROUNDS rounds; each round scrapes /metrics and lists
// /api/runners REQUESTS times each over one keep-alive connection, the
// order alternating between rounds (A B, B A, ...) because this machine's
// speed drifts. For every request it reads the CPU time of stratd's HTTP
// thread (the main thread: the HTTP loop) from
// /proc/<pid>/task/<tid>/schedstat (nanoseconds) before and after, once
// the thread sleeps again, so what is counted is everything the request
// cost that thread: reading it, the handler, writing the answer. Prints
// per round the median and p99 of both and their ratios, then the median
// of the per-round ratios. Finally stratd's own histogram of the /metrics
// handler (dispatch to answer) gives its mean.
//
//   build/bin/bench_metrics_scrape [RUNNERS=100] [ROUNDS=6] [REQUESTS=300]
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

extern char** environ;

namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& why) {
  fprintf(stderr, "bench_metrics_scrape: %s\n", why.c_str());
  std::exit(1);
}

// One keep-alive connection to stratd.
class Connection {
 public:
  Connection(const std::string& host, uint16_t port) : socket_(io_) {
    socket_.connect({net::ip::make_address(host), port});
  }
  // Status and body of GET `target`.
  std::pair<int, std::string> get(const std::string& target) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    http::write(socket_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 << 20);
    http::read(socket_, buf_, parser);
    auto res = parser.release();
    return {int(res.result_int()), std::move(res.body())};
  }
  std::string post(const std::string& target, const std::string& body) {
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buf_, res);
    return res.body();
  }

 private:
  net::io_context io_;
  net::ip::tcp::socket socket_;
  beast::flat_buffer buf_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The thread's CPU time so far (ns), once it is not running: a running
// thread's count is only brought up to date at the next tick or switch.
uint64_t thread_cpu_ns(const std::string& task_dir) {
  for (int i = 0; i < 10'000; ++i) {
    const std::string stat = read_file(task_dir + "/stat");
    const auto paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'R') break;
  }
  return std::stoull(read_file(task_dir + "/schedstat"));
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t rank = size_t(std::ceil(p / 100.0 * double(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double median(std::vector<double> v) { return percentile(std::move(v), 50); }

struct Sample {
  std::vector<double> cpu_us;
  size_t bytes = 0;
};

Sample measure(Connection& c, const std::string& task_dir, const std::string& target, int requests) {
  Sample s;
  for (int i = 0; i < requests; ++i) {
    const uint64_t before = thread_cpu_ns(task_dir);
    auto [status, body] = c.get(target);
    const uint64_t after = thread_cpu_ns(task_dir);
    if (status != 200) die(target + " answered " + std::to_string(status));
    s.cpu_us.push_back(double(after - before) / 1000.0);
    s.bytes = body.size();
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int runners = argc > 1 ? std::atoi(argv[1]) : 100;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 6;
  const int requests = argc > 3 ? std::atoi(argv[3]) : 300;
  const std::string bin = STRATD_BIN_DIR;
  const std::string state = "/tmp/stratd-bench-metrics-" + std::to_string(getpid());
  std::filesystem::create_directories(state);

  const std::vector<std::string> args{bin + "/stratd", "--port", "0", "--state-dir", state, "--strategies-dir",
                                      STRATD_STRATEGIES_DIR, "--log-level", "warn"};
  std::vector<char*> argv_c;
  for (const auto& a : args) argv_c.push_back(const_cast<char*>(a.c_str()));
  argv_c.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv_c[0], nullptr, nullptr, argv_c.data(), environ) != 0) die("cannot start " + args[0]);
  auto stop = [&] {
    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    std::filesystem::remove_all(state);
  };

  std::string url;
  for (auto until = Clock::now() + std::chrono::seconds(20); url.empty() && Clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(state + "/http.url");
    std::getline(in, url);
  }
  if (url.empty()) die("stratd did not publish its URL");
  const auto colon = url.rfind(':');
  const std::string host = url.substr(7, colon - 7);
  const uint16_t port = uint16_t(std::stoi(url.substr(colon + 1)));
  Connection c(host, port);

  const char* strategies[] = {"ema_crossover.lua", "rsi_mean_reversion.lua", "range_breakout.lua"};
  for (int i = 0; i < runners; ++i) {
    const nlohmann::json body{{"runner_id", "bench" + std::to_string(i)},
                              {"symbol", "SYM" + std::to_string(i % 10)},
                              {"strategy_path", strategies[i % 3]}};
    c.post("/api/runners", body.dump());
  }
  // Every runner running and ticking.
  bool ready = false;
  for (auto until = Clock::now() + std::chrono::seconds(120); !ready && Clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto list = nlohmann::json::parse(c.get("/api/runners").second)["data"];
    ready = int(list.size()) == runners && std::all_of(list.begin(), list.end(), [](const nlohmann::json& r) {
              return r["lifecycle"] == "Running" && r["ticks_processed"].get<uint64_t>() > 0;
            });
  }
  if (!ready) {
    stop();
    die("the runners did not all start ticking");
  }

  // The HTTP loop runs on stratd's main thread.
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid);
  printf("%d runners, %d rounds of %d requests per target; CPU time of stratd's HTTP thread per request, us\n",
         runners, rounds, requests);
  printf("%-6s %-8s %12s %10s %10s %12s %10s %10s %10s %10s\n", "round", "first", "metrics_B", "median", "p99",
         "runners_B", "median", "p99", "ratio_med", "ratio_p99");
  std::vector<double> ratio_median, ratio_p99, metrics_median, metrics_p99;
  for (int round = 0; round < rounds; ++round) {
    Sample m, r;
    if (round % 2 == 0) {
      m = measure(c, task_dir, "/metrics", requests);
      r = measure(c, task_dir, "/api/runners", requests);
    } else {
      r = measure(c, task_dir, "/api/runners", requests);
      m = measure(c, task_dir, "/metrics", requests);
    }
    const double mm = median(m.cpu_us), mp = percentile(m.cpu_us, 99);
    const double rm = median(r.cpu_us), rp = percentile(r.cpu_us, 99);
    ratio_median.push_back(mm / rm);
    ratio_p99.push_back(mp / rp);
    metrics_median.push_back(mm);
    metrics_p99.push_back(mp);
    printf("%-6d %-8s %12zu %10.1f %10.1f %12zu %10.1f %10.1f %10.2f %10.2f\n", round + 1,
           round % 2 == 0 ? "metrics" : "runners", m.bytes, mm, mp, r.bytes, rm, rp, mm / rm, mp / rp);
  }
  printf("median over rounds: /metrics median %.1f us, p99 %.1f us (worst round %.1f us); "
         "/metrics / /api/runners: median %.2f (%.2f-%.2f), p99 %.2f (%.2f-%.2f)\n",
         median(metrics_median), median(metrics_p99), *std::max_element(metrics_p99.begin(), metrics_p99.end()),
         median(ratio_median), *std::min_element(ratio_median.begin(), ratio_median.end()),
         *std::max_element(ratio_median.begin(), ratio_median.end()), median(ratio_p99),
         *std::min_element(ratio_p99.begin(), ratio_p99.end()), *std::max_element(ratio_p99.begin(), ratio_p99.end()));

  // stratd's own view of the handler: dispatch to answer.
  const std::string text = c.get("/metrics").second;
  auto value_of = [&](const std::string& key) {
    const auto at = text.find(key + " ");
    return at == std::string::npos ? 0.0 : std::stod(text.substr(at + key.size() + 1));
  };
  const double sum = value_of("stratd_http_request_duration_seconds_sum{route=\"/metrics\"}");
  const double count = value_of("stratd_http_request_duration_seconds_count{route=\"/metrics\"}");
  if (count > 0) printf("stratd's histogram: /metrics handler mean %.1f us over %.0f scrapes\n", 1e6 * sum / count, count);
  stop();
  return 0;
}
