#pragma once
// stratd's side of systemd's notify protocol (sd_notify(3)): READY=1 once
// it listens with every runner restored, STATUS= kept current, RELOADING=1
// and STOPPING=1, EXTEND_TIMEOUT_USEC= while a long restore runs, and the
// watchdog. Without $NOTIFY_SOCKET every call does nothing.
//
// The watchdog pings only when both loops that serve clients prove alive:
// the timer runs on the HTTP loop, and each ping waits for the event hub's
// loop to have run what the previous tick posted to it. A loop that is
// stuck (a blocked handler, a disk that does not answer) stops the pings
// and systemd restarts stratd.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace stratd::supervisor {

class ServiceNotifier {
 public:
  // `status` says what STATUS= should read now; it is asked every second
  // and sent when it changed.
  ServiceNotifier(boost::asio::io_context& http_io, boost::asio::io_context& hub_io,
                  std::function<std::string()> status);
  ~ServiceNotifier();

  // Starts the watchdog (if systemd asked for one) and the status updates.
  void start();
  // Until ready(): asks systemd for more start-up time, a while at a time.
  void starting();
  void ready();
  void reloading();
  void stopping();
  void stop();

  // The watchdog's period between pings, zero if systemd set none.
  std::chrono::microseconds watchdog_interval() const { return ping_every_; }
  uint64_t pings_sent() const { return pings_; }

 private:
  void tick();
  void send(const std::string& message);

  boost::asio::io_context& hub_io_;
  std::function<std::string()> status_;
  boost::asio::steady_timer timer_;
  std::chrono::microseconds ping_every_{0};
  std::chrono::steady_clock::time_point next_status_{};
  std::chrono::steady_clock::time_point next_extend_{};
  std::string last_status_;
  bool starting_ = false;
  bool stopped_ = false;
  uint64_t pings_ = 0;
  // Bumped on the hub's loop by what each tick posts there.
  std::shared_ptr<std::atomic<uint64_t>> hub_rounds_ = std::make_shared<std::atomic<uint64_t>>(0);
  uint64_t posted_ = 0;
};

}  // namespace stratd::supervisor
