#include "supervisor/service_notifier.hpp"

#include <cstdlib>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace stratd::supervisor {
namespace {
constexpr auto kStatusEvery = std::chrono::seconds(1);
// While restoring: each request buys this much more start-up time, sent
// well before the last one runs out.
constexpr auto kExtendBy = std::chrono::seconds(30);
constexpr auto kExtendEvery = std::chrono::seconds(10);
}  // namespace

ServiceNotifier::ServiceNotifier(boost::asio::io_context& http_io, boost::asio::io_context& hub_io,
                                 std::function<std::string()> status)
    : hub_io_(hub_io), status_(std::move(status)), timer_(http_io) {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) ping_every_ = std::chrono::microseconds(usec / 2);
}

ServiceNotifier::~ServiceNotifier() { stop(); }

void ServiceNotifier::start() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (!socket || !*socket) return;  // not under systemd: nothing to tell
  if (ping_every_.count() > 0) {
    spdlog::info("systemd watchdog: a ping every {} ms", ping_every_.count() / 1000);
  }
  tick();
}

void ServiceNotifier::starting() {
  starting_ = true;
  next_extend_ = std::chrono::steady_clock::now();
}

void ServiceNotifier::ready() {
  starting_ = false;
  send("READY=1");
  next_status_ = {};  // the status at once
}

void ServiceNotifier::reloading() {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now().time_since_epoch());
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(now.count()));
}

void ServiceNotifier::stopping() {
  send("STOPPING=1");
  last_status_ = "stopping";
  send("STATUS=stopping runners");
}

void ServiceNotifier::stop() {
  stopped_ = true;
  timer_.cancel();
}

void ServiceNotifier::send(const std::string& message) { sd_notify(0, message.c_str()); }

void ServiceNotifier::tick() {
  if (stopped_) return;
  const auto now = std::chrono::steady_clock::now();
  // This tick runs on the HTTP loop; the hub's loop has run the last
  // thing posted to it, or it is stuck.
  if (ping_every_.count() > 0) {
    if (hub_rounds_->load() >= posted_) {
      send("WATCHDOG=1");
      ++pings_;
      boost::asio::post(hub_io_, [rounds = hub_rounds_, n = ++posted_] { rounds->store(n); });
    } else {
      spdlog::warn("the event hub's loop has not answered for {} ms: no watchdog ping", ping_every_.count() / 1000);
    }
  }
  if (starting_ && now >= next_extend_) {
    send("EXTEND_TIMEOUT_USEC=" +
         std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(kExtendBy).count()));
    next_extend_ = now + kExtendEvery;
  }
  if (now >= next_status_ && last_status_ != "stopping") {
    std::string status = status_();
    if (status != last_status_) {
      send("STATUS=" + status);
      last_status_ = std::move(status);
    }
    next_status_ = now + kStatusEvery;
  }
  auto every = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kStatusEvery);
  if (ping_every_.count() > 0) every = std::min(every, std::chrono::duration_cast<std::chrono::steady_clock::duration>(ping_every_));
  timer_.expires_after(every);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

}  // namespace stratd::supervisor
