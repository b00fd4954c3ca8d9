// WebSocket load driver: opens N clients against a server, subscribes each
// (optionally), and measures for D seconds how many events arrive and how
// late: from publish_ns (the worker's publish time, in every stratd event)
// or relay_ns (when a relay server received it), both wall clock, to two
// moments: when the client host's kernel received the bytes (SO_TIMESTAMPNS,
// "rx_*": what the server can be held to) and when this one-threaded driver
// got round to the message ("p*": rx plus the driver's own queueing, since
// it reads a burst of 100 messages one after another).
//
//   bench_ws_load --url ws://127.0.0.1:3000/ws --clients 100 --duration 15 \
//       --subscribe '{"type":"subscribe","runners":["bench_%d"]}' --modulo 100
//   bench_ws_load --url ... --clients 1000 --idle 10 --server-pid PID
//       (idle connections: reports the server's RSS growth per connection)
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <sys/resource.h>
#include <sys/socket.h>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// A TCP socket whose reads also say when the kernel received what they
// return (the timestamp of the last segment read).
class StampedSocket {
 public:
  using executor_type = net::ip::tcp::socket::executor_type;
  explicit StampedSocket(net::io_context& io) : sock_(io) {}
  executor_type get_executor() noexcept { return sock_.get_executor(); }
  net::ip::tcp::socket& socket() { return sock_; }
  int64_t last_rx_ns() const { return last_rx_ns_; }
  void enable_timestamps() {
    const int on = 1;
    setsockopt(sock_.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    sock_.async_wait(net::socket_base::wait_read,
                     [this, buffers, h = std::forward<Handler>(handler)](beast::error_code ec) mutable {
                       if (ec) return h(ec, size_t(0));
                       iovec iov[16];
                       size_t n = 0;
                       for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers) && n < 16;
                            ++it) {
                         net::mutable_buffer b(*it);
                         iov[n++] = {b.data(), b.size()};
                       }
                       alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
                       msghdr m{};
                       m.msg_iov = iov;
                       m.msg_iovlen = n;
                       m.msg_control = control;
                       m.msg_controllen = sizeof control;
                       const ssize_t r = ::recvmsg(sock_.native_handle(), &m, MSG_DONTWAIT);
                       if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return async_read_some(buffers, std::move(h));
                       if (r < 0) return h(beast::error_code(errno, boost::system::system_category()), size_t(0));
                       if (r == 0) return h(beast::error_code(net::error::eof), size_t(0));
                       for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
                         if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                           timespec ts;
                           std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                           last_rx_ns_ = int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
                         }
                       }
                       h(beast::error_code{}, size_t(r));
                     });
  }
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    sock_.async_write_some(buffers, std::forward<Handler>(handler));
  }

  friend void beast_close_socket(StampedSocket& s) {
    beast::error_code ec;
    s.sock_.close(ec);
  }
  friend void teardown(beast::role_type role, StampedSocket& s, beast::error_code& ec) {
    websocket::teardown(role, s.sock_, ec);
  }
  template <class Handler>
  friend void async_teardown(beast::role_type role, StampedSocket& s, Handler&& handler) {
    websocket::async_teardown(role, s.sock_, std::forward<Handler>(handler));
  }

 private:
  net::ip::tcp::socket sock_;
  int64_t last_rx_ns_ = 0;
};

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;
  std::string path = "/ws";
  int clients = 100;
  double duration = 10;
  double warmup = 2;
  std::string subscribe;  // %d is replaced by client index % modulo
  int modulo = 1;
  double idle = 0;                   // idle mode: hold connections this long
  int server_pid = 0;
};

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

long rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

struct Stats {
  std::vector<int64_t> latencies_ns;   // from publish_ns (the worker)
  std::vector<int64_t> relay_ns;       // from relay_ns (a relay server's receipt), if present
  std::vector<int64_t> received_ns;    // from received_ns (stratd's intake), if present
  // The same three, to the kernel's receipt instead of the driver's.
  std::vector<int64_t> rx_latencies_ns, rx_relay_ns, rx_received_ns;
  uint64_t events = 0;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  bool measuring = false;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& io, const Options& o, Stats& st, int index)
      : ws_(io), o_(o), st_(st), index_(index) {}

  void start(const net::ip::tcp::endpoint& ep) {
    ws_.next_layer().socket().async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      self->ws_.next_layer().enable_timestamps();
      self->ws_.read_message_max(64 << 20);
      self->ws_.async_handshake(self->o_.host + ":" + std::to_string(self->o_.port), self->o_.path,
                                [self](beast::error_code ec) {
                                  if (ec) return self->fail();
                                  self->connected_ = true;
                                  self->subscribe();
                                });
    });
  }
  bool connected() const { return connected_; }

 private:
  void fail() { ++st_.errors; }
  // Every occurrence of `key` (a batch holds many) gives one latency to
  // each of two moments: one pass over a message of up to 500 events.
  static void scan(std::string_view text, std::string_view key, int64_t now, std::vector<int64_t>& out, int64_t rx,
                   std::vector<int64_t>& rx_out, uint64_t* count) {
    for (size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
      int64_t t = 0;
      for (size_t i = at + key.size(); i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) t = t * 10 + (text[i] - '0');
      if (t <= 0) continue;
      out.push_back(now - t);
      if (rx > 0) rx_out.push_back(rx - t);
      if (count) ++*count;
    }
  }
  void subscribe() {
    if (o_.subscribe.empty()) return read();
    sub_ = o_.subscribe;
    if (auto p = sub_.find("%d"); p != std::string::npos) sub_.replace(p, 2, std::to_string(index_ % o_.modulo));
    ws_.async_write(net::buffer(sub_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail();
      self->read();
    });
  }
  void read() {
    ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->fail();
      self->consume(n);
      self->read();
    });
  }
  void consume(size_t n) {
    const int64_t now = wall_ns();
    const auto data = buf_.data();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    if (st_.measuring) {
      const int64_t rx = ws_.next_layer().last_rx_ns();
      ++st_.messages;
      st_.bytes += n;
      scan(text, "\"publish_ns\":", now, st_.latencies_ns, rx, st_.rx_latencies_ns, &st_.events);
      // A relayed event still carries stratd's intake time: not the relay's.
      if (text.find("\"relay_ns\":") != std::string_view::npos) {
        scan(text, "\"relay_ns\":", now, st_.relay_ns, rx, st_.rx_relay_ns, nullptr);
      } else {
        scan(text, "\"received_ns\":", now, st_.received_ns, rx, st_.rx_received_ns, nullptr);
      }
    }
    buf_.consume(buf_.size());
  }

  websocket::stream<StampedSocket> ws_;
  beast::flat_buffer buf_;
  const Options& o_;
  Stats& st_;
  int index_;
  std::string sub_;
  bool connected_ = false;
};

double pct(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())));
  return double(v[i]) / 1000.0;  // µs
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--url") {
      // ws://host:port/path
      const auto rest = v.substr(v.find("//") + 2);
      const auto slash = rest.find('/');
      const auto hostport = rest.substr(0, slash);
      o.path = slash == std::string::npos ? "/" : rest.substr(slash);
      o.host = hostport.substr(0, hostport.find(':'));
      o.port = uint16_t(std::stoi(hostport.substr(hostport.find(':') + 1)));
    } else if (k == "--clients") o.clients = std::stoi(v);
    else if (k == "--duration") o.duration = std::stod(v);
    else if (k == "--warmup") o.warmup = std::stod(v);
    else if (k == "--subscribe") o.subscribe = v;
    else if (k == "--modulo") o.modulo = std::stoi(v);
    else if (k == "--idle") o.idle = std::stod(v);
    else if (k == "--server-pid") o.server_pid = std::stoi(v);
    else {
      fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);

  net::io_context io;
  Stats st;
  const net::ip::tcp::endpoint ep(net::ip::make_address(o.host), o.port);
  const long rss_before = o.server_pid ? rss_kib(o.server_pid) : -1;
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < o.clients; ++i) {
    clients.push_back(std::make_shared<Client>(io, o, st, i));
    clients.back()->start(ep);
  }
  auto run_for = [&](double secs) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(secs);
    while (std::chrono::steady_clock::now() < until) io.run_for(std::chrono::milliseconds(50));
  };
  // Wait for every connection (or give up after 30 s).
  const auto connect_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < connect_deadline) {
    io.run_for(std::chrono::milliseconds(20));
    if (std::count_if(clients.begin(), clients.end(), [](auto& c) { return c->connected(); }) + long(st.errors) >= o.clients) break;
  }
  const long connected = std::count_if(clients.begin(), clients.end(), [](auto& c) { return c->connected(); });

  if (o.idle > 0) {
    run_for(o.idle);
    const long rss_after = o.server_pid ? rss_kib(o.server_pid) : -1;
    printf("RESULT connected=%ld errors=%" PRIu64 " server_rss_before_kib=%ld server_rss_after_kib=%ld per_connection_bytes=%.0f\n",
           connected, st.errors, rss_before, rss_after,
           connected ? double(rss_after - rss_before) * 1024.0 / double(connected) : 0.0);
    return 0;
  }
  run_for(o.warmup);
  st.measuring = true;
  const auto t0 = std::chrono::steady_clock::now();
  run_for(o.duration);
  st.measuring = false;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(st.latencies_ns.begin(), st.latencies_ns.end());
  std::sort(st.relay_ns.begin(), st.relay_ns.end());
  std::sort(st.received_ns.begin(), st.received_ns.end());
  for (auto* v : {&st.rx_latencies_ns, &st.rx_relay_ns, &st.rx_received_ns}) std::sort(v->begin(), v->end());
  printf("RESULT connected=%ld errors=%" PRIu64 " events_per_s=%.0f messages_per_s=%.0f MiB_per_s=%.2f "
         "p50_us=%.0f p90_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f",
         connected, st.errors, double(st.events) / secs, double(st.messages) / secs,
         double(st.bytes) / secs / (1 << 20), pct(st.latencies_ns, 50), pct(st.latencies_ns, 90),
         pct(st.latencies_ns, 99), pct(st.latencies_ns, 99.9),
         st.latencies_ns.empty() ? 0.0 : double(st.latencies_ns.back()) / 1000.0);
  if (!st.rx_latencies_ns.empty()) {
    printf(" rx_p50_us=%.0f rx_p90_us=%.0f rx_p99_us=%.0f rx_p999_us=%.0f", pct(st.rx_latencies_ns, 50),
           pct(st.rx_latencies_ns, 90), pct(st.rx_latencies_ns, 99), pct(st.rx_latencies_ns, 99.9));
  }
  if (!st.rx_received_ns.empty()) {
    printf(" server_rx_p50_us=%.0f server_rx_p99_us=%.0f server_rx_p999_us=%.0f", pct(st.rx_received_ns, 50),
           pct(st.rx_received_ns, 99), pct(st.rx_received_ns, 99.9));
  }
  if (!st.rx_relay_ns.empty()) {
    printf(" relay_rx_p50_us=%.0f relay_rx_p99_us=%.0f relay_rx_p999_us=%.0f", pct(st.rx_relay_ns, 50),
           pct(st.rx_relay_ns, 99), pct(st.rx_relay_ns, 99.9));
  }
  if (!st.received_ns.empty()) {
    printf(" server_p50_us=%.0f server_p99_us=%.0f server_p999_us=%.0f", pct(st.received_ns, 50),
           pct(st.received_ns, 99), pct(st.received_ns, 99.9));
  }
  if (!st.relay_ns.empty()) {
    printf(" relay_p50_us=%.0f relay_p99_us=%.0f relay_p999_us=%.0f", pct(st.relay_ns, 50), pct(st.relay_ns, 99),
           pct(st.relay_ns, 99.9));
  }
  printf("\n");
  return 0;
}
