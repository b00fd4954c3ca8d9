#pragma once
// How stratd stops on SIGTERM, in one place and in this order: no new
// connections, every WebSocket client told (1001), every runner's worker
// stopped (SIGTERM, SIGKILL past its grace) and its state saved, then the
// feed, then a moment for close handshakes; then the loop ends. Past every
// grace period whatever is left is killed: the process always ends.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/listener.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/runner_registry.hpp"
#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor {

class ShutdownSequence {
 public:
  ShutdownSequence(boost::asio::io_context& io, http::Listener& listener, ws::WsHub& websocket,
                   RunnerRegistry& registry, FeedSupervisor& feed, ProcessManager& pm,
                   std::chrono::milliseconds stop_grace);
  void begin();
  bool begun() const { return begun_; }

 private:
  void drain_clients();

  boost::asio::io_context& io_;
  http::Listener& listener_;
  ws::WsHub& websocket_;
  RunnerRegistry& registry_;
  FeedSupervisor& feed_;
  ProcessManager& pm_;
  std::chrono::milliseconds grace_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer drain_;
  std::chrono::steady_clock::time_point drain_until_{};
  bool begun_ = false;
};

}  // namespace stratd::supervisor
